"""The output folder's layout: complete table sets in version folders, one atomic switch.

::

    outputs/
      documents.parquet -> current/documents.parquet    fixed relative symbolic links, one per
      ...                                                table and one for the manifest: the
      runs.parquet      -> current/runs.parquet          documented paths, never rewritten
      _manifest.json    -> current/_manifest.json
      current           -> versions/<run_id>             the only thing a commit changes
      versions/
        <run_id>/          the committed set: the 7 tables and _manifest.json (never modified)
        <older run_id>/    the set before it, kept one more run for readers still reading it
        .staging-<run_id>/ the set being written by the run that holds the lock
      .lock                the run lock (:mod:`pipeline.lock`)

A run writes its whole set into ``versions/.staging-<run_id>/``, fsyncs every file, renames the
folder to ``versions/<run_id>`` and then commits with one ``rename(2)`` of a new symbolic link
over ``current``. Opening ``outputs/mentions.parquet`` resolves ``current`` at that moment, so
every table path shows the old set until the rename and the new set after it, never a mix, and a
run killed at any instant leaves ``current`` on a complete set. The manifest lives inside the set
it describes, so tables and manifest can never disagree.

A reader that reads several tables while runs may commit should resolve ``current`` once
(:func:`snapshot`, or ``os.path.realpath("outputs/current")``) and read every table from that
folder; the previous set is removed only when the next run commits, so such a reader has at least
the length of one run.

Everything here that deletes runs under the run lock, so it never deletes another live run's
files. Outputs written by earlier versions of the pipeline (plain files in ``outputs/``) are
moved into this layout by :func:`prepare` without a window in which a table path shows anything
but the old set.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

from pipeline import schema

MANIFEST = "_manifest.json"
CURRENT = "current"
VERSIONS = "versions"
STAGING_PREFIX = ".staging-"
_DELETING_PREFIX = ".deleting-"

#: Every file of a complete set: the tables and the manifest.
SET_FILES = tuple(f"{name}.parquet" for name in schema.TABLES) + (MANIFEST,)


def snapshot(out_dir: Path) -> Path | None:
    """The folder of the committed set (``outputs/versions/<run_id>``), resolved once: read
    every table from it to see one consistent set. None when nothing was committed yet."""
    link = out_dir / CURRENT
    if link.is_symlink():
        target = out_dir / os.readlink(link)
        return target if (target / MANIFEST).is_file() else None
    if (out_dir / MANIFEST).is_file() and not (out_dir / MANIFEST).is_symlink():
        return out_dir  # a folder written before version folders existed
    return None


def prepare(out_dir: Path) -> None:
    """Make ``out_dir`` follow the layout (under the run lock): remove what killed runs left,
    move plain table files of an older layout into a version folder, create the table links."""
    out_dir.mkdir(parents=True, exist_ok=True)
    versions = out_dir / VERSIONS
    versions.mkdir(exist_ok=True)
    _remove_leftovers(out_dir)
    current = out_dir / CURRENT
    if current.exists() and not current.is_symlink():  # e.g. a copy made without symlinks=True
        _delete_folder(current, versions)
    if not current.is_symlink() and any(_is_plain_file(out_dir / name) for name in SET_FILES):
        _adopt_plain_files(out_dir)
    for name in SET_FILES:
        link = out_dir / name
        if not (link.is_symlink() and os.readlink(link) == f"{CURRENT}/{name}"):
            _replace_with_link(link, f"{CURRENT}/{name}")
    _fsync_dir(out_dir)


def new_staging(out_dir: Path, run_id: str) -> Path:
    """An empty folder for the set a run writes."""
    staging = out_dir / VERSIONS / f"{STAGING_PREFIX}{run_id}"
    staging.mkdir(parents=True)
    return staging


def commit(out_dir: Path, staging: Path, run_id: str) -> Path:
    """Publish a complete staged set: fsync it, name it ``versions/<run_id>``, switch
    ``current`` to it (the one atomic step), then delete sets older than the one it replaced."""
    for path in staging.iterdir():
        _fsync(path)
    _fsync_dir(staging)
    _test_point("staged")
    version = out_dir / VERSIONS / run_id
    os.rename(staging, version)
    _fsync_dir(version.parent)
    _test_point("renamed")
    previous = snapshot(out_dir)
    _switch(out_dir, f"{VERSIONS}/{run_id}")
    _test_point("switched")
    keep = {version.name} | ({previous.name} if previous is not None and previous.parent == version.parent else set())
    for child in version.parent.iterdir():
        if child.name not in keep and not child.name.startswith(STAGING_PREFIX):
            _delete_folder(child, version.parent)
            _test_point("cleaned")
    return version


def link_or_copy(source: Path, target: Path) -> None:
    """Put an unchanged table of the previous set into a new set: a hard link (sets are never
    modified, so sharing the file is safe), or a copy where hard links are not possible."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _switch(out_dir: Path, target: str) -> None:
    link = out_dir / f".{CURRENT}-{uuid.uuid4().hex[:8]}.tmp"
    os.symlink(target, link)
    os.rename(link, out_dir / CURRENT)
    _fsync_dir(out_dir)


def _adopt_plain_files(out_dir: Path) -> None:
    """Plain table files (an older layout, or a copy that followed the links) become a version
    folder: hard links first, then ``current``, then each plain file is replaced by a link to
    identical content, so a reader never sees anything but these tables."""
    run_id = f"adopted-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"
    staging = new_staging(out_dir, run_id)
    for name in SET_FILES:
        plain = out_dir / name
        if _is_plain_file(plain):
            link_or_copy(plain, staging / name)
    for path in staging.iterdir():
        _fsync(path)
    version = out_dir / VERSIONS / run_id
    os.rename(staging, version)
    _switch(out_dir, f"{VERSIONS}/{run_id}")


def _is_plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _replace_with_link(path: Path, target: str) -> None:
    tmp = path.with_name(f".{path.name}-{uuid.uuid4().hex[:8]}.tmp")
    os.symlink(target, tmp)
    os.rename(tmp, path)


def _remove_leftovers(out_dir: Path) -> None:
    """What killed runs leave: staging folders, half-deleted sets, temporary links and files
    (including those of the layout before version folders)."""
    versions = out_dir / VERSIONS
    for child in versions.iterdir():
        if child.name.startswith((STAGING_PREFIX, _DELETING_PREFIX)):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
    for child in out_dir.iterdir():
        if child.name.startswith(STAGING_PREFIX) and child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(".") and child.name.endswith(".tmp"):
            child.unlink(missing_ok=True)


def _delete_folder(folder: Path, versions: Path) -> None:
    """Rename first (a killed run leaves a ``.deleting-`` folder the next run removes), then
    delete."""
    doomed = versions / f"{_DELETING_PREFIX}{uuid.uuid4().hex[:8]}"
    os.rename(folder, doomed)
    if doomed.is_dir() and not doomed.is_symlink():
        shutil.rmtree(doomed, ignore_errors=True)
    else:
        doomed.unlink(missing_ok=True)


def _test_point(name: str) -> None:
    """Hooks for the kill harness (``benchmarks/kills.py``) and the commit tests: with
    ``PIPELINE_TEST_COMMIT_PAUSE=<seconds>`` each commit step is followed by that pause; with
    ``PIPELINE_TEST_KILL_AT=<step>`` the process kills itself (SIGKILL) after that step.
    Unset in normal use: one environment lookup per step."""
    pause = os.environ.get("PIPELINE_TEST_COMMIT_PAUSE")
    if pause:
        time.sleep(float(pause))
    if os.environ.get("PIPELINE_TEST_KILL_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync(path)
    except OSError:  # some filesystems do not allow fsync on directories
        pass
