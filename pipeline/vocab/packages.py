"""Locate data files inside installed vocabulary packages without importing them.

Packages such as ``drug-named-entity-recognition`` set up network helpers on import; the
pipeline only reads their data files, so it finds the package folder from its import spec.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def package_dir(module: str) -> Path:
    """Folder of the installed package ``module``."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{module} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))
