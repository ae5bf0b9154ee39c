"""The substance lexicon: drug, supplement and product names with their concept ids.

Names come from the drug terms of :mod:`pipeline.vocab`: DrugBank names, synonyms and brands,
MeSH drugs and MedlinePlus-only drugs from the dictionary of ``drug-named-entity-recognition``
(Fast Data Science, MIT). A brand is a variant of its ingredient there, so "Zoloft" is a
mention of DRUGBANK:DB01104 (Sertraline). Terms are keyed with
:func:`pipeline.extract.normalize.text_key` and matched leftmost-longest over word pieces, like
the condition gazetteer. Left out: the general words of ``data/not_substances.tsv`` (metals,
foods, solvents the dictionary lists as allergen extracts or elements) and one-word variants
that are common English words (wordfreq Zipf >= ``COMMON_VARIANT_ZIPF``: "sits", "caps", "dids"
are abbreviations of reagents there). Short or all-capital terms ("ASA") match only in
capitals. Drug classes and kinds of preparation (MeSH D27, D26) are names too, marked by
:func:`is_class`. The lexicon is built once per vocabulary version and pickled next to it.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

from pipeline.cache import cache_path, load_or_build
from pipeline.extract.normalize import Piece, pieces, text_key

DATA = Path(__file__).parent / "data"
LOCAL_PREFIX = "LOCAL:"
#: MeSH "Chemical Actions and Uses" (D27: pharmacologic classes, "antidepressants", "NSAIDs")
#: and "Pharmaceutical Preparations" (D26: "Excipients", dosage forms, infusion solutions):
#: named as substances, but never what a page is about nor what a dose is of
CLASS_PREFIXES = ("MESHTREE:D27", "MESHTREE:D26")

#: one-word variants (not the drug's own name) at least this frequent in English are dropped
COMMON_VARIANT_ZIPF = 4.0

METHOD_LEXICON = "lexicon:drug"
METHOD_LOCAL = "rule:local-name"
METHOD_ALIAS = "rule:alias"


@dataclass(frozen=True)
class Substance:
    """A substance: its concept id (DRUGBANK:, MESHTREE:, MEDLINEPLUS: or LOCAL:; a combination
    ``<id>+<id>``, :mod:`pipeline.vocab.drugs`) and name."""

    concept_id: str
    name: str


@dataclass(frozen=True)
class Found:
    """A substance named at ``start:end`` of a text."""

    start: int
    end: int
    substance: Substance
    method: str


@dataclass
class SubstanceLexicon:
    """Key sequences of substance names -> concept ids, with a prefix set for the scan."""

    entries: dict[tuple[str, ...], str] = field(default_factory=dict)
    #: keys that match only when written in capitals ("ASA")
    capitals: set[tuple[str, ...]] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)
    prefixes: set[tuple[str, ...]] = field(default_factory=set)
    #: one-word names that end many salt names ("citrate", "oxide", "hydrochloride"): alone
    #: they name a form of the substance beside them
    counter_ions: set[str] = field(default_factory=set)

    def add(self, key: tuple[str, ...], concept_id: str, capitals: bool = False) -> None:
        if not key or key in self.entries:
            return
        self.entries[key] = concept_id
        if capitals:
            self.capitals.add(key)
        self.prefixes.update(key[:n] for n in range(1, len(key) + 1))

    def substance(self, concept_id: str) -> Substance:
        return Substance(concept_id, self.names.get(concept_id, concept_id))

    def lookup(self, text: str) -> Substance | None:
        """The substance a whole name stands for ("Zoloft" -> Sertraline), if known."""
        key = text_key(text)
        concept_id = self.entries.get(key)
        if concept_id is None or (key in self.capitals and not text.isupper()):
            return None
        return self.substance(concept_id)

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Found]:
        """Leftmost-longest substance names in ``text[start:end]`` (offsets into ``text``)."""
        end = len(text) if end is None else end
        found: list[Found] = []
        parts = pieces(text[start:end], start)
        keys = [p.key for p in parts]
        i = 0
        while i < len(parts):
            best: tuple[int, str] | None = None
            j = i + 1
            while j <= len(keys) and tuple(keys[i:j]) in self.prefixes:
                key = tuple(keys[i:j])
                concept_id = self.entries.get(key)
                if concept_id is not None and (key not in self.capitals or text[parts[i].start : parts[j - 1].end].isupper()):
                    best = (j, concept_id)
                j += 1
            if best is None or not _whole_word(text, parts[i], parts[best[0] - 1]):
                i += 1
                continue
            found.append(Found(parts[i].start, parts[best[0] - 1].end, self.substance(best[1]), METHOD_LEXICON))
            i = best[0]
        return found

    def to_bytes(self) -> bytes:
        import srsly

        return srsly.msgpack_dumps(
            {
                "entries": [[list(k), v] for k, v in self.entries.items()],
                "capitals": [list(k) for k in self.capitals],
                "names": self.names,
                "counter_ions": sorted(self.counter_ions),
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "SubstanceLexicon":
        import srsly

        payload = srsly.msgpack_loads(data)
        lexicon = cls(names=dict(payload["names"]), counter_ions=set(payload["counter_ions"]))
        capitals = {tuple(k) for k in payload["capitals"]}
        for key, concept_id in payload["entries"]:
            lexicon.add(tuple(key), concept_id, tuple(key) in capitals)
        return lexicon


def _whole_word(text: str, first: Piece, last: Piece) -> bool:
    """A name is not part of a longer token ("BPC-157" is not "BPC-157a")."""
    before = text[first.start - 1] if first.start > 0 else " "
    after = text[last.end] if last.end < len(text) else " "
    return not (before.isalnum() or after.isalnum() or (after == "-" and last.end + 1 < len(text) and text[last.end + 1].isalnum()))


@lru_cache(maxsize=1)
def not_substances() -> frozenset[tuple[str, ...]]:
    """Keys of ``data/not_substances.tsv``."""
    with (DATA / "not_substances.tsv").open(encoding="utf-8", newline="") as handle:
        return frozenset(text_key(row["term"]) for row in csv.DictReader(handle, delimiter="\t") if row["term"].strip())


#: an anion name (IUPAC nomenclature: -ide, -ate, -ite) that ends at least this many distinct
#: multi-word drug names ("magnesium citrate", "sodium citrate", ...) is a salt-forming ion
COUNTER_ION_MIN_SALTS = 5
_ANION_RE = re.compile(r"^[a-z]{3,}(?:ide|ate|ite)$")


def build_lexicon(vocabulary) -> SubstanceLexicon:
    """The substance lexicon of a :class:`pipeline.vocab.Vocabulary` (its drug terms)."""
    excluded = not_substances()
    lexicon = SubstanceLexicon()
    last_words: Counter[str] = Counter()
    for key in {text_key(t.text) for t in vocabulary.terms_of_kind("drug")}:
        if len(key) >= 2 and key[-1].isalpha():
            last_words[key[-1]] += 1
    terms = sorted(vocabulary.terms_of_kind("drug"), key=lambda t: (t.text.casefold() != vocabulary.concepts[t.concept_id].name.casefold(), t.text))
    for term in terms:
        concept = vocabulary.concepts[term.concept_id]
        key = text_key(term.text)
        if not key or key in excluded:
            continue
        own_name = term.text.casefold() == concept.name.casefold()
        if len(key) == 1 and not own_name and zipf_frequency(key[0], "en") >= COMMON_VARIANT_ZIPF:
            continue
        letters = re.sub(r"[^A-Za-z]", "", term.text)
        # short keys ("val" from "Vals") and acronyms match only in capitals
        capitals = len(re.sub(r"[^a-z]", "", "".join(key))) <= 3 or (letters.isupper() and len(letters) <= 6)
        lexicon.add(key, term.concept_id, capitals)
        lexicon.names.setdefault(term.concept_id, concept.name)
    drug_names = {name.lower() for concept_id, name in lexicon.names.items() if concept_id.startswith("DRUGBANK:")}
    lexicon.counter_ions = {
        key[0]
        for key in lexicon.entries
        if len(key) == 1
        and _ANION_RE.match(key[0])
        and last_words[key[0]] >= COUNTER_ION_MIN_SALTS
        and key[0] not in drug_names  # a drug of its own, combined with others ("hydrochlorothiazide")
    }
    return lexicon


@lru_cache(maxsize=1)
def load_lexicon() -> SubstanceLexicon:
    """The lexicon of the installed vocabulary: from the disk cache when it is current, else
    built (about 3 s) and cached (:mod:`pipeline.cache`)."""
    from pipeline.vocab import load_vocabulary, vocabulary_version

    here = Path(__file__).parent
    path = cache_path(
        "substances",
        vocabulary_version(),
        (Path(__file__), DATA / "not_substances.tsv", here / "normalize.py"),
        ("wordfreq",),
    )
    return load_or_build(path, lambda: build_lexicon(load_vocabulary()))


def is_class(concept_id: str | None) -> bool:
    """A drug class or a kind of preparation (MeSH D27, D26), not one substance."""
    return bool(concept_id) and concept_id.startswith(CLASS_PREFIXES)


def local_id(name: str) -> str:
    """``LOCAL:`` + the normalized name ("BPC 157" and "BPC-157" -> "LOCAL:bpc-157")."""
    return LOCAL_PREFIX + "-".join(text_key(name))


#: adjective and adverb endings ("Lethargic", "Painful"): describing words, not product names
