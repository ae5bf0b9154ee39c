"""Find the sources under a corpus folder, and every entry that cannot be one, with the reason.

Every non-hidden entry under the corpus becomes a :class:`Source`, sorted by its relative path.
An entry that cannot be read as a file carries a ``problem`` (a plain sentence for
``documents.error``) instead of being skipped silently, so a user sees it in the tables:

- a folder that cannot be listed (permission denied, vanished while walked): one row for the
  folder, ``source`` and ``doc_id`` its relative path with a trailing ``/``;
- a named pipe, socket or device: never opened (reading a pipe would wait forever);
- symbolic links: a link whose target lies inside the corpus folder is followed (a folder link
  is walked, unless it points back to a folder that contains it: a loop); a link out of the
  corpus is not followed unless ``follow_symlinks`` is set (``--follow-symlinks``), because a
  corpus handed over by someone else must not make the pipeline read, say, ``/etc/passwd`` into
  ``documents.text``; a dangling link and a link loop are reported as such.

The walk is iterative (no recursion limit), lazy (:func:`iter_sources` yields the entries in
order while it walks; only the folders on the way down are listed in memory) and uses
``os.scandir``, so a corpus of many files costs one ``stat`` per entry.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.sniff import media_type_for

#: Media types of entries that are not files (shared-mime-info names), for their error rows.
_INODE_TYPES = {
    "folder": "inode/directory",
    "link": "inode/symlink",
    "fifo": "inode/fifo",
    "socket": "inode/socket",
    "device": "inode/chardevice",
    "block": "inode/blockdevice",
}

_SPECIAL = (
    (stat.S_ISFIFO, "fifo", "a named pipe"),
    (stat.S_ISSOCK, "socket", "a socket"),
    (stat.S_ISCHR, "device", "a character device"),
    (stat.S_ISBLK, "block", "a block device"),
)


@dataclass(frozen=True)
class Source:
    """An entry under the corpus folder: a file to read, or the reason it cannot be one."""

    path: Path
    relative: str  # path relative to the corpus, '/' separators (a folder's ends with '/')
    doc_id: str
    #: why the entry cannot be read, decided while walking (None: a file to read)
    problem: str | None = None
    #: "file", or what the entry is when it is not one ("folder", "link", "fifo", ...)
    kind: str = "file"
    #: the path is a symbolic link the walk allowed: opening it may follow the link
    via_link: bool = False

    @property
    def media_type(self) -> str | None:
        """By extension for files (None: unsupported); the inode type for other entries."""
        if self.kind != "file":
            return _INODE_TYPES[self.kind]
        return media_type_for(self.path)


def doc_id_for(relative: str) -> str:
    """``doc_id`` of a source: its corpus-relative path without extension, '/' separators."""
    stem, _ext = os.path.splitext(relative)
    return stem


def find_sources(corpus: Path, follow_symlinks: bool = False) -> list[Source]:
    """Every source of :func:`iter_sources`, as a list (for callers that want them all)."""
    return list(iter_sources(corpus, follow_symlinks))


def iter_sources(corpus: Path, follow_symlinks: bool = False) -> Iterator[Source]:
    """Every non-hidden entry under ``corpus``, sorted by relative path (see the module doc),
    yielded lazily: only the listings of the folders on the way down to the current entry are
    held, so a corpus of millions of files is never in memory at once.

    The order is that of the relative path *strings* (the store's merge of previous rows and
    the manifest comparison rely on it): siblings are sorted by name, a folder's contents as if
    its name ended with ``/`` ("a-c.txt" < "a/b.txt" < "a0.txt"), and a folder's contents are
    yielded together because they share its prefix.

    Two files that differ only by extension (``a.txt``, ``a.html``) would share a ``doc_id``;
    the second keeps its extension in its ``doc_id`` so ids stay unique and deterministic (such
    files are always in one folder: ids of other folders differ by their prefix).
    Raises OSError when the corpus folder itself cannot be listed.
    """
    root = os.path.realpath(corpus)
    root_stat = os.stat(corpus)
    os.scandir(corpus).close()  # the corpus itself must be listable: a run-level failure
    # one frame per folder on the way down: its entries in order, and the doc_ids given there
    stack: list[tuple[Iterator[Source | _Folder], set[str]]] = [
        (_listing(_Folder(corpus, "", frozenset({(root_stat.st_dev, root_stat.st_ino)})), root, follow_symlinks), set())
    ]
    while stack:
        entries, seen = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
        elif isinstance(entry, _Folder):
            stack.append((_listing(entry, root, follow_symlinks), set()))
        else:
            doc_id = entry.relative if entry.kind == "folder" else doc_id_for(entry.relative)
            if doc_id in seen:
                doc_id = entry.relative
            seen.add(doc_id)
            yield Source(entry.path, entry.relative, doc_id, entry.problem, entry.kind, entry.via_link)


@dataclass(frozen=True)
class _Folder:
    """A folder still to be walked: its path, relative prefix (ending with '/', or '' for the
    corpus) and the identities of the folders on the way down, for loop detection."""

    path: Path
    prefix: str
    ancestors: frozenset[tuple[int, int]]


def _listing(folder: _Folder, root: str, follow_symlinks: bool) -> Iterator[Source | _Folder]:
    """The entries of one folder in relative-path order: sources (without doc_id yet) and
    sub-folders to walk, or one error entry when the folder cannot be listed.

    The folder is listed whole (it must be sorted), as compact tuples: a name and what it is,
    about 200 bytes per entry at most; the :class:`Source` of an entry is made when it is yielded.
    """
    items: list[tuple] = []
    try:
        with os.scandir(folder.path) as listing:
            for entry in listing:
                if not entry.name.startswith("."):
                    items.append(_classify(folder, entry, root, follow_symlinks))
    except OSError as error:
        yield _entry(folder.path, folder.prefix, f"{_folder_error(error)}; the files in it were not processed", "folder")
        return
    items.sort(key=lambda item: item[0])
    for item in items:
        yield _expand(folder, item)


# What _classify keeps of an entry: (sort key, name, code[, detail]); the sort key is the name,
# with a '/' after a folder to walk (its contents sort as "name/...").
_FILE, _LINKED_FILE, _FOLDER, _PROBLEM = range(4)


def _classify(folder: _Folder, entry: os.DirEntry, root: str, follow_symlinks: bool) -> tuple:
    name = entry.name
    path = folder.path / name
    try:
        is_link = entry.is_symlink()
        info = os.stat(path) if is_link else entry.stat(follow_symlinks=False)
    except OSError as error:
        if _is_link(path):
            return (name, name, _PROBLEM, (_link_error(error), "link"))
        return (name, name, _PROBLEM, (_vanished(error), "file"))
    if is_link:
        problem = _link_problem(path, root, follow_symlinks)
        if problem:
            return (name, name, _PROBLEM, (problem, "link"))
    if stat.S_ISDIR(info.st_mode):
        identity = (info.st_dev, info.st_ino)
        if identity in folder.ancestors:
            return (name, name, _PROBLEM, ("symbolic link loop: it points to a folder that contains it", "link"))
        return (name + "/", name, _FOLDER, identity)
    if stat.S_ISREG(info.st_mode):
        return (name, name, _LINKED_FILE if is_link else _FILE)
    kind, what = next(((k, w) for test, k, w in _SPECIAL if test(info.st_mode)), ("device", "a special file"))
    return (name, name, _PROBLEM, (f"not a regular file but {what}: not read", kind))


def _expand(folder: _Folder, item: tuple) -> Source | _Folder:
    """The Source (or sub-folder) of a tuple made by :func:`_classify`."""
    name, code = item[1], item[2]
    path = folder.path / name
    relative = folder.prefix + name
    if code == _FILE or code == _LINKED_FILE:
        return Source(path, relative, "", via_link=code == _LINKED_FILE)
    if code == _FOLDER:
        return _Folder(path, relative + "/", folder.ancestors | {item[3]})
    problem, kind = item[3]
    return _entry(path, relative, problem, kind)


def _entry(path: Path, relative: str, problem: str, kind: str) -> Source:
    if kind == "folder" and relative and not relative.endswith("/"):
        relative += "/"
    return Source(path, relative or "./", "", problem, kind)


def _is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return False


def _link_problem(path: Path, root: str, follow_symlinks: bool) -> str | None:
    """Why a symbolic link is not followed, or None when it may be."""
    target = os.path.realpath(path)
    inside = target == root or target.startswith(root.rstrip(os.sep) + os.sep)
    if inside or follow_symlinks:
        return None
    return (
        "symbolic link to a path outside the corpus folder: not followed "
        "(run with --follow-symlinks to read such links)"
    )


def _link_error(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop: the link leads back to itself"
    if error.errno == errno.ENOENT:
        return "broken symbolic link: its target does not exist"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "symbolic link whose target cannot be reached: permission denied"
    return f"symbolic link whose target cannot be reached ({os.strerror(error.errno or 0).lower()})"


def _vanished(error: OSError) -> str:
    if error.errno == errno.ENOENT:
        return "the file disappeared while the corpus was being read"
    return f"the file cannot be examined ({os.strerror(error.errno or 0).lower()})"


def _folder_error(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return "the folder cannot be read: permission denied"
    if error.errno == errno.ENOENT:
        return "the folder disappeared while the corpus was being read"
    return f"the folder cannot be read ({os.strerror(error.errno or 0).lower()})"
