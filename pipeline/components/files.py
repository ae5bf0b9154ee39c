"""Data files saved with a pipeline: a component that reads tables from files named in its
config copies them into its folder on ``nlp.to_disk`` and reads the copies on ``spacy.load``, so
a saved pipeline does not depend on the files it was configured with."""

import shutil
from pathlib import Path
from typing import Dict, Iterable, Mapping


def save_files(path: Path, files: Mapping[str, Path]) -> None:
    """Copy each file of ``files`` (setting -> path) into the folder ``path`` as
    ``<setting>.tsv``."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for setting, source in files.items():
        shutil.copyfile(source, path / f"{setting}.tsv")


def saved_files(path: Path, settings: Iterable[str]) -> Dict[str, Path]:
    """The copies :func:`save_files` wrote in ``path``: setting -> path."""
    return {setting: Path(path) / f"{setting}.tsv" for setting in settings}
