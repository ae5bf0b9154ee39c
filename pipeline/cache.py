"""One disk cache for the tables built from the vocabularies: one folder, atomic writes, keys
from everything that shapes the cached data.

The gazetteer (:mod:`pipeline.extract.lexicon`) and the substance lexicon
(:mod:`pipeline.extract.substance_lexicon`) take seconds to build from the merged vocabulary, so
each process reads them from a pickle instead. A pickle's name carries a digest of the
vocabulary version, of the code and data files that build it, and of the versions of the
packages that shape it (wordfreq decides which words are English): any change to them names a
new file, so a stale table is never read. Files are written to a temporary name and moved into
place (``os.replace``), so a reader never sees half a file, and a read-only cache folder only
costs the rebuild.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

APP_NAME = "drug-text-pipeline"
#: environment variable naming the cache folder (else the user cache folder of the platform)
CACHE_ENV = "PIPELINE_CACHE_DIR"

T = TypeVar("T")


def cache_root() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def cache_path(name: str, vocabulary_version: str, files: Iterable[Path], packages: Iterable[str] = ()) -> Path:
    """``<cache root>/<name>-<digest>.pickle``, the digest over the vocabulary version, the bytes
    of ``files`` and the installed versions of ``packages``."""
    digest = hashlib.sha256(vocabulary_version.encode())
    for path in files:
        digest.update(Path(path).read_bytes())
    for package in packages:
        digest.update(f"{package}={metadata.version(package)}".encode())
    return cache_root() / f"{name}-{digest.hexdigest()[:16]}.pickle"


def load_or_build(path: Path, build: Callable[[], T]) -> T:
    """The object pickled at ``path``, else ``build()``, pickled there atomically."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a read-only cache: the value is still usable
        pass
    return value
