"""Versions that decide whether a source must be extracted again.

``pipeline_version`` is the package version plus a digest of the code, data files and model
metadata inside the package, so any change to what the pipeline does invalidates earlier rows
without anybody having to remember to bump a number. The vocabulary version comes from
``pipeline.vocab`` (package versions of the vocabularies and a digest of the curated files).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pipeline import __version__

_PACKAGE = Path(__file__).resolve().parent
_HASHED = ("*.py", "vocab/data/*.tsv", "extract/data/*.tsv", "models/*/meta.json", "models/*/TRAINING.json", "models/*/*.tsv")


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """``<package version>+<8 hex digits of the code digest>``."""
    digest = hashlib.sha256()
    files = sorted({p for pattern in _HASHED for p in _PACKAGE.rglob(pattern) if p.is_file()})
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    from pipeline.nlp import ner_enabled, path_overrides

    for override in path_overrides().values():  # another trained table than the shipped one
        digest.update(Path(override).read_bytes())
    variant = "" if ner_enabled() else ".lexicon"
    return f"{__version__}+{digest.hexdigest()[:8]}{variant}"
