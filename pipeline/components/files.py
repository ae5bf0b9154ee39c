"""What the components share: tables read from data files named in their config (read on first
use, by ``initialize`` or by ``from_disk``; copied into the saved pipeline by ``to_disk``, so a
saved pipeline does not depend on the files it was configured with), and the tables of another
component of the pipeline."""

import shutil
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, TypeVar

from spacy.language import Language

T = TypeVar("T")


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


class FileTables:
    """Mixin of a component whose tables are read from data files: ``files`` (setting -> path)
    and ``readers`` (setting -> function reading that file) are set by the component."""

    files: Dict[str, Path]
    readers: Dict[str, Callable[[Path], Any]]

    def table(self, setting: str) -> Any:
        """The table of ``setting``, read from its file on first use."""
        tables = self.__dict__.setdefault("_tables", {})
        if setting not in tables:
            tables[setting] = self.readers[setting](self.files[setting])
        return tables[setting]

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None) -> None:
        """Read every table now."""
        self._tables = {setting: read(self.files[setting]) for setting, read in self.readers.items()}

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        save_files(path, self.files)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> Any:
        self.files = saved_files(path, self.files)
        self.initialize()
        return self


def upstream(nlp: Optional[Language], name: str, attribute: str, packaged: Callable[[], T]) -> T:
    """``attribute`` of the pipeline's component ``name`` (the tables a component names in its
    config), or ``packaged()`` when the pipeline has no such component."""
    if nlp is not None and name in nlp.component_names:
        return getattr(nlp.get_pipe(name), attribute)
    return packaged()
