"""The manifest (``_manifest.json``), written and read as a stream.

The manifest records, per source (its path relative to the corpus), the :class:`SourceKey` that
produced its rows: a source whose key is unchanged is not extracted again. It is one JSON
object, ``{"schema_version": ..., "sources": {relative: key, ...}}``, with the sources sorted
by relative path, byte for byte what ``json.dumps(payload, indent=1, sort_keys=True)`` gives.

A corpus of millions of sources has a manifest of hundreds of megabytes, so neither side holds
it: :class:`ManifestWriter` appends one entry at a time (sources come in relative-path order),
and :func:`iter_manifest` parses one entry at a time, checking the order, so that a run compares
it with the corpus by a merge of two sorted streams (:mod:`pipeline.plan`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from pipeline import schema

_CHUNK = 1 << 16
#: An entry is a few hundred bytes; a buffer this large without one complete is a broken file.
_MAX_PENDING = 1 << 24
_WHITESPACE = " \t\n\r"


@dataclass(frozen=True)
class SourceKey:
    """What decides whether a source's rows are still valid."""

    doc_id: str
    sha256: str
    pipeline_version: str
    vocabulary_version: str


class ManifestError(Exception):
    """The manifest cannot be read as one (truncated, not JSON, out of order, wrong fields)."""


class ManifestWriter:
    """Writes a manifest entry by entry; ``add`` must be called in relative-path order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] = open(path, "w", encoding="utf-8")
        self._file.write("{\n" + f' "schema_version": {json.dumps(schema.SCHEMA_VERSION)},\n "sources": {{')
        self._last: str | None = None
        self.count = 0

    def add(self, relative: str, key: SourceKey) -> None:
        if self._last is not None and relative <= self._last:
            raise ValueError(f"manifest entries out of order: {relative!r} after {self._last!r}")
        entry = json.dumps(asdict(key), indent=1, sort_keys=True).replace("\n", "\n  ")
        self._file.write(("\n" if self._last is None else ",\n") + f"  {json.dumps(relative)}: {entry}")
        self._last = relative
        self.count += 1

    def close(self) -> None:
        self._file.write("\n }\n}" if self._last is not None else "}\n}")
        self._file.close()

    def abort(self) -> None:
        self._file.close()


def iter_manifest(path: Path) -> Iterator[tuple[str, SourceKey]]:
    """(relative, key) of every source of the manifest at ``path``, in order, parsed one entry
    at a time. Raises :class:`ManifestError` when the file is not a manifest (the caller then
    treats it as absent: every source is extracted again) and OSError when it cannot be read."""
    with open(path, encoding="utf-8") as handle:
        reader = _Reader(handle)
        reader.expect("{")
        found_sources = False
        while True:
            if reader.peek() == "}":
                break
            name = reader.value()
            reader.expect(":")
            if name == "sources":
                found_sources = True
                yield from _sources(reader)
            else:
                reader.value()
            if reader.peek() == ",":
                reader.expect(",")
        if not found_sources:
            raise ManifestError("no sources in the manifest")


def _sources(reader: _Reader) -> Iterator[tuple[str, SourceKey]]:
    reader.expect("{")
    last: str | None = None
    if reader.peek() == "}":
        reader.expect("}")
        return
    while True:
        relative = reader.value()
        reader.expect(":")
        entry = reader.value()
        if not isinstance(relative, str) or not isinstance(entry, dict):
            raise ManifestError("a manifest entry is not a path and an object")
        if last is not None and relative <= last:
            raise ManifestError("manifest entries are not in order")
        try:
            key = SourceKey(**entry)
        except TypeError:
            raise ManifestError("a manifest entry has other fields than a source key") from None
        yield relative, key
        last = relative
        if reader.peek() == "}":
            reader.expect("}")
            return
        reader.expect(",")


class _Reader:
    """JSON values one at a time from a text stream, holding only what is not yet parsed."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self._eof:
            return False
        data = self._handle.read(_CHUNK)
        if not data:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos :] + data
        self._pos = 0
        return True

    def peek(self) -> str:
        """The next non-blank character (consumed blanks only)."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in _WHITESPACE:
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._more():
                raise ManifestError("the manifest ends early")

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise ManifestError(f"expected {char!r} in the manifest")
        self._pos += 1

    def value(self) -> object:
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError:
                if len(self._buffer) - self._pos > _MAX_PENDING or not self._more():
                    raise ManifestError("the manifest is not valid JSON") from None
                continue
            if end == len(self._buffer) and not self._eof and self._more():
                continue  # a number or literal may go on in the next chunk
            self._pos = end
            return value
