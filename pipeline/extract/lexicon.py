"""A gazetteer over normalized word pieces: vocabulary terms and their regular variants.

Each condition term of :mod:`pipeline.vocab` is turned into a key sequence with
:func:`pipeline.extract.normalize.text_key` (case, spelling, plural and hyphen folded), plus:

- possessive variants of eponyms: the vocabulary writes "Alzheimer's disease" (ICD-10-CM) or
  "Alzheimer disease" (HPO); both keys are added, and "Alzheimer's" alone when the head is a
  generic word (disease, syndrome, disorder);
- adjectival forms of one-word conditions by regular English derivation (schizophrenia ->
  schizophrenic, autism -> autistic, epilepsy -> epileptic, diabetes -> diabetic), kept apart
  because they only name a condition next to a person ("schizophrenic patients");
- for names ending in a generic head (disease, disorder, syndrome, condition), the same name
  with the other heads ("neurodegenerative condition");
- for names that start with a word of change ("Decreased weight", "Blurred vision"), the order
  of MedDRA and drug-label tables ("weight decreased", "vision blurred");
- misspellings of one-word names of 7+ letters ("fatique", "dizzyness", "diarreah"), for words
  the vocabularies do not know, through a symmetric-delete index (SymSpell): one deletion on
  each side, so substitutions, swaps and a moved letter, with the first letter kept; and the
  same for the words of longer names ("stomack pains" is "stomach pains"), read in place of the
  misspelt word before the names are matched;
- words that the vocabulary uses to narrow another condition name ("joint" in "joint pain")
  are recorded as modifiers, so "calf pain" or "hemorrhagic cystitis" keep their first word;
- acronyms (all capitals, e.g. "ADHD") are matched case-sensitively so that they do not fire on
  ordinary words ("aids", "ms");
- terms of the fallback vocabulary (MeSH entry terms, :mod:`pipeline.vocab.mesh`) are kept in a
  table of their own, matched as written (no variants, no modifiers) and only over pieces no
  other term covers: a loose MeSH entry term must not swallow the HPO name inside it
  ("nonsustained ventricular tachycardia" is HPO's "ventricular tachycardia" with a modifier).

Matching is leftmost-longest over a document's pieces using a prefix set, so it costs a dict
lookup per piece. The built gazetteer is pickled next to the vocabulary cache, keyed by the
vocabulary version and this module's code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.cache import cache_path, load_or_build
from pipeline.extract.acronyms import is_capitals_term
from pipeline.extract.normalize import Piece, text_key
from pipeline.extract.term_lists import NOT_CONDITIONS, read_term_keys
from pipeline.extract.word_lists import WORD_LISTS, word_list

#: heads any name can take ("Alzheimer disease", "Alzheimer syndrome"): data/word_lists.tsv
GENERIC_HEADS = word_list("generic_heads")
_SOURCE_PRIORITY = {"curated": 0, "hpo:name": 1, "icd10cm:description": 2, "hpo:synonym": 3, "icd10cm:inclusion": 4, "hpo:related": 5}

#: regular derivations noun -> adjective (suffix rewrites), most specific first: every row whose
#: noun suffix ends a one-word condition name gives an adjective of it
ADJECTIVE_DERIVATIONS = Path(__file__).parent / "data" / "adjective_derivations.tsv"


def read_adjective_derivations(path: Path = ADJECTIVE_DERIVATIONS) -> tuple[tuple[str, str], ...]:
    """(noun suffix, adjective suffix) of every row of a derivation table, in order."""
    import csv

    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return tuple((row["noun_suffix"], row["adjective_suffix"]) for row in rows)


_ADJECTIVE_RULES = read_adjective_derivations()


@dataclass(frozen=True)
class Entry:
    concept_id: str
    method: str  # "lexicon:<vocabulary source>[:variant]"


@dataclass(frozen=True)
class Match:
    start: int  # character offsets
    end: int
    entry: Entry
    first_piece: int
    last_piece: int  # exclusive


@dataclass
class Gazetteer:
    """Key sequences -> entries, with the prefix set that bounds the search."""

    entries: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    adjectives: dict[str, Entry] = field(default_factory=dict)
    #: adjectives that only name their condition, matched without a person noun (see
    #: :func:`is_derivative_adjective`)
    technical_adjectives: frozenset[str] = frozenset()
    acronyms: dict[str, Entry] = field(default_factory=dict)
    modifiers: set[str] = field(default_factory=set)
    known_words: set[str] = field(default_factory=set)
    body_sites: set[str] = field(default_factory=set)
    #: body sites and organ adjectives ("renal", "hepatic") -> HPO concept of the organ's
    #: abnormalities, if any (see :func:`organ_words`)
    organs: dict[str, str | None] = field(default_factory=dict)
    misspellings: dict[str, str] = field(default_factory=dict)
    #: the same index over the words of names of several words
    name_word_misspellings: dict[str, str] = field(default_factory=dict)
    prefixes: set[tuple[str, ...]] = field(default_factory=set)
    #: terms of the fallback vocabulary, with their own prefix set
    fallback: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    fallback_prefixes: set[tuple[str, ...]] = field(default_factory=set)

    def add(self, key: tuple[str, ...], entry: Entry) -> None:
        if not key or key in self.entries:
            return
        self.entries[key] = entry
        self.prefixes.update(key[:n] for n in range(1, len(key) + 1))

    def add_fallback(self, key: tuple[str, ...], entry: Entry) -> None:
        if not key or key in self.entries or key in self.fallback:
            return
        self.fallback[key] = entry
        self.fallback_prefixes.update(key[:n] for n in range(1, len(key) + 1))

    def lookup(self, key: tuple[str, ...]) -> Entry | None:
        """The entry of a whole key sequence, from the main table, else the fallback one."""
        return self.entries.get(key) or self.fallback.get(key)

    def correct(self, word: str) -> str | None:
        """The one-word condition name one deletion apart on each side from an unknown
        ``word`` ("fatique", "diarreah", "neurophaty"), if unique.

        The first letter must agree: misspellings rarely change it (Yannakoudakis & Fawthrop
        1983), and without that "ascitis" (ascites) read as "vasitis". Real English words are
        never corrected ("conclusion" is not "occlusion"), nor are derived forms ("-ic", "-ed",
        "-ing"), which are not misspellings."""
        return _corrected(word, self.misspellings)

    def correct_name_words(self, keys: list[str]) -> dict[int, str]:
        """Index -> the word of a name of several words that ``keys[index]`` misspells ("stomack"
        -> "stomach"), for the long words the vocabularies do not know (as :meth:`correct`)."""
        corrected: dict[int, str] = {}
        for i, key in enumerate(keys):
            if len(key) >= MIN_MISSPELLED_LENGTH and key not in self.known_words and key.isalpha():
                word = _corrected(key, self.name_word_misspellings)
                if word is not None:
                    corrected[i] = word
        return corrected

    def find(self, pieces: list[Piece], text: str) -> list[Match]:
        """Leftmost-longest, non-overlapping matches of terms and acronyms over ``pieces``."""
        matches: list[Match] = []
        keys = [p.key for p in pieces]
        misspelt = self.correct_name_words(keys) if self.name_word_misspellings else {}
        keys = [misspelt.get(i, key) for i, key in enumerate(keys)]
        i, n = 0, len(pieces)
        shouted: bool | None = None  # the sentence is written in capitals; computed on first need
        while i < n:
            best = self._longest(keys, pieces, text, i, self.entries, self.prefixes)
            if best is None:
                acronym = self.acronyms.get(text[pieces[i].start : pieces[i].end])
                if acronym is not None:
                    if shouted is None:
                        shouted = _in_capitals(text[pieces[0].start : pieces[-1].end])
                    if not shouted:
                        best = (i + 1, acronym)
            if best is None and len(keys[i]) >= MIN_MISSPELLED_LENGTH and keys[i] not in self.known_words:
                corrected = self.correct(keys[i])
                if corrected is not None:
                    entry = self.entries[(corrected,)]
                    best = (i + 1, Entry(entry.concept_id, entry.method + ":misspelling"))
            if best is None:
                i += 1
                continue
            end, entry = best
            if any(i <= j < end for j in misspelt) and not entry.method.endswith(":misspelling"):
                entry = Entry(entry.concept_id, entry.method + ":misspelling")
            matches.append(Match(pieces[i].start, pieces[end - 1].end, entry, i, end))
            i = end
        if self.fallback:
            matches = self._fallback_supersets(pieces, text, keys, matches)
            matches = sorted(matches + self._fallback_matches(pieces, text, keys, matches), key=lambda m: m.first_piece)
        return matches

    def _fallback_supersets(self, pieces: list[Piece], text: str, keys: list[str], matches: list[Match]) -> list[Match]:
        """Main matches replaced by a longer fallback term that holds them whole: the longest
        name that is still one concept (ANNOTATION.md: "major depressive disorder", "stable
        angina", not "depressive disorder", "angina"). The longer term may start up to
        ``SUPERSET_LEAD`` pieces before the match and must not touch any other match."""
        result: list[Match] = []
        for index, match in enumerate(matches):
            before = matches[index - 1].last_piece if index > 0 else 0
            after = matches[index + 1].first_piece if index + 1 < len(matches) else len(pieces)
            best: tuple[int, int, Entry] | None = None
            for i in range(max(before, match.first_piece - SUPERSET_LEAD), match.first_piece + 1):
                found = self._longest(keys[:after], pieces, text, i, self.fallback, self.fallback_prefixes)
                if found is None:
                    continue
                end, entry = found
                if end >= match.last_piece and (i < match.first_piece or end > match.last_piece):
                    if best is None or end - i > best[1] - best[0]:
                        best = (i, end, entry)
            if best is None:
                result.append(match)
            else:
                i, end, entry = best
                result.append(Match(pieces[i].start, pieces[end - 1].end, entry, i, end))
        return result

    @staticmethod
    def _longest(
        keys: list[str],
        pieces: list[Piece],
        text: str,
        i: int,
        entries: dict[tuple[str, ...], Entry],
        prefixes: set[tuple[str, ...]],
        covered: list[bool] | None = None,
    ) -> tuple[int, Entry] | None:
        """(end piece, entry) of the longest term of ``entries`` that starts at piece ``i``. A
        single piece that is an identifier ("AChE") is no term. With ``covered``, a term that
        would run into a covered piece matches nothing, not even a shorter term."""
        best: tuple[int, Entry] | None = None
        j = i + 1
        while j <= len(keys) and tuple(keys[i:j]) in prefixes:
            if covered is not None and covered[j - 1]:
                return None
            entry = entries.get(tuple(keys[i:j]))
            if entry is not None and not (j == i + 1 and is_identifier(text[pieces[i].start : pieces[i].end])):
                best = (j, entry)
            j += 1
        return best

    def _fallback_matches(self, pieces: list[Piece], text: str, keys: list[str], matches: list[Match]) -> list[Match]:
        """Leftmost-longest matches of fallback terms over the pieces no match covers. A term
        that would run into a covered piece matches nothing: "coronary spastic" is not a name
        when "angina" follows it."""
        covered = [False] * len(pieces)
        for match in matches:
            covered[match.first_piece : match.last_piece] = [True] * (match.last_piece - match.first_piece)
        found: list[Match] = []
        i = 0
        while i < len(pieces):
            best = self._longest(keys, pieces, text, i, self.fallback, self.fallback_prefixes, covered)
            if best is None:
                i += 1
                continue
            end, entry = best
            found.append(Match(pieces[i].start, pieces[end - 1].end, entry, i, end))
            i = end
        return found


def is_identifier(word: str) -> bool:
    """A word with capitals after its first letter and lowercase letters too ("AChE", "IgE",
    "NaCl"): a symbol for a molecule or gene, not the English word its letters spell ("ache")."""
    letters = [ch for ch in word if ch.isalpha()]
    return any(ch.isupper() for ch in letters[1:]) and any(ch.islower() for ch in letters)


def _in_capitals(text: str) -> bool:
    """A line written in capitals ("HEARING AIDS AND ALL ACCESSORIES"): its words are not
    acronyms."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return len(words) >= 3 and not any(ch.islower() for ch in text)


MIN_MISSPELLED_LENGTH = 7
#: a fallback term that holds a main match may start this many pieces before it ("major" + "depressive disorder")
SUPERSET_LEAD = 3
#: Zipf frequency (log10 per billion words, wordfreq) from which a word is taken as real English.
ENGLISH_WORD_ZIPF = 1.5


@lru_cache(maxsize=100_000)
def is_english_word(word: str) -> bool:
    """The word occurs in general English often enough to be a word, not a typo (wordfreq,
    Speer 2022, frequency lists that ship inside the package)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= ENGLISH_WORD_ZIPF


#: How much more frequent than its noun an adjective may be and still only name the condition.
DERIVATIVE_ZIPF_MARGIN = 0.3


def is_derivative_adjective(adjective: str, noun: str) -> bool:
    """The adjective is used no more than its condition noun in general English (wordfreq), so it
    is not a word with its own senses: "hypotensive" (hypotension), "epileptic", "nephrotoxic"
    name their condition wherever they stand, while "toxic" (toxicity), "malignant"
    (malignancy), "alcoholic" (alcoholism) or "hydrophobic" (hydrophobia) mostly mean something
    else and count only when they describe a person."""
    from wordfreq import zipf_frequency

    return zipf_frequency(adjective, "en") <= zipf_frequency(noun, "en") + DERIVATIVE_ZIPF_MARGIN


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _corrected(word: str, index: dict[str, str]) -> str | None:
    """The word of ``index`` (:func:`misspelling_index`) one deletion apart on each side from
    ``word``, if unique and with the same first letter; None for English words and derived
    forms."""
    if word.endswith(("ic", "ed", "ing")):
        return None
    candidates = {name for v in _deletions(word) | {word} if (name := index.get(v)) is not None and name[0] == word[0]}
    # the word-frequency lookup last: most unknown words have no candidate
    return candidates.pop() if len(candidates) == 1 and not is_english_word(word) else None


def misspelling_index(entries: dict[tuple[str, ...], Entry], known_words: set[str], one_word: bool = True) -> dict[str, str]:
    """Symmetric-delete index (Garbe's SymSpell) of one-word condition names (or, with
    ``one_word`` false, of the words of longer names): each deletion of one character -> the
    word, kept only when it points to a single word. A word at edit distance 1 from a name
    shares one of these keys ("fatique", "dizzyness"), and so do some two edits away
    ("diahrrea", "neurophaty")."""
    index: dict[str, set[str]] = {}
    words = {key[0] for key in entries if len(key) == 1} if one_word else {k for key in entries if len(key) > 1 for k in key}
    for word in words:
        if word.isalpha() and len(word) >= MIN_MISSPELLED_LENGTH:
            for variant in _deletions(word) | {word}:
                index.setdefault(variant, set()).add(word)
    return {variant: next(iter(found)) for variant, found in index.items() if len(found) == 1 and variant not in known_words}


def build_gazetteer(vocabulary, not_conditions: frozenset[tuple[str, ...]] = frozenset()) -> Gazetteer:
    """The gazetteer of every condition term of ``vocabulary`` (a pipeline.vocab.Vocabulary).

    ``not_conditions`` are keys of things that are not conditions (processes, structures); a
    fallback concept with one of them among its terms is left out whole, since its other terms
    are synonyms of the same non-condition ("amyloid deposits" for "amyloid plaque")."""
    from pipeline.vocab.build import is_fallback

    gazetteer = Gazetteer()
    technical: set[str] = set()
    terms = sorted(
        vocabulary.terms_of_kind("condition"),
        key=lambda t: (_SOURCE_PRIORITY.get(t.source, 9), t.text.lower(), t.concept_id),
    )
    keyed = [(text_key(t.text), t) for t in terms if not is_fallback(t)]
    eponyms = {k[:-2] for key, _ in keyed for k in key if k.endswith("'s") and len(k) > 4}
    for key, term in keyed:
        if not any(k[:1].isalpha() for k in key):
            continue
        method = f"lexicon:{term.source}"
        if len(key) == 1 and is_capitals_term(term.text):
            gazetteer.acronyms.setdefault(term.text, Entry(term.concept_id, method))
            continue
        gazetteer.add(key, Entry(term.concept_id, method))
    # Variants second, so an exact vocabulary term always wins over a derived one.
    for key, term in keyed:
        for variant, kind in _variants(key, eponyms):
            gazetteer.add(variant, Entry(term.concept_id, f"lexicon:{term.source}:{kind}"))
        for variant in _lay_problem_variants(term.text):
            gazetteer.add(variant, Entry(term.concept_id, f"lexicon:{term.source}:lay"))
        if len(key) == 1 and key[0].isalpha():
            for adjective in adjective_forms(key[0]):
                if adjective not in gazetteer.adjectives:
                    gazetteer.adjectives[adjective] = Entry(term.concept_id, f"lexicon:{term.source}:adjective")
                    if is_derivative_adjective(adjective, key[0]):
                        technical.add(adjective)
    fallback = [(text_key(t.text), t) for t in terms if is_fallback(t)]
    not_condition_concepts = {term.concept_id for key, term in fallback if key in not_conditions}
    for key, term in fallback:
        if any(k[:1].isalpha() for k in key) and term.concept_id not in not_condition_concepts:
            gazetteer.add_fallback(key, Entry(term.concept_id, f"lexicon:{term.source}"))
    gazetteer.body_sites = body_sites(keyed, gazetteer.entries)
    gazetteer.modifiers = vocabulary_modifiers(gazetteer.entries, gazetteer.body_sites)
    gazetteer.organs = organ_words(keyed, gazetteer.body_sites)
    gazetteer.known_words = {k for term in vocabulary.terms for k in text_key(term.text)}
    gazetteer.misspellings = misspelling_index(gazetteer.entries, gazetteer.known_words)
    gazetteer.name_word_misspellings = misspelling_index(gazetteer.entries, gazetteer.known_words, one_word=False)
    for adjective in list(gazetteer.adjectives):
        if (adjective,) in gazetteer.entries:  # already a term in its own right
            del gazetteer.adjectives[adjective]
    gazetteer.technical_adjectives = frozenset(technical & set(gazetteer.adjectives))
    return gazetteer


#: Words that never make a narrower condition name, body site or organ: function words and
#: the degrees, sides, sizes, counts, species and test results of data/word_lists.tsv.
_NOT_MODIFIERS = word_list("function_words") | word_list("not_modifiers")
#: A word must start this many condition names to count as one of their modifiers (one name is
#: an accident of wording: "two underdeveloped breasts", "time agnosia"); body sites need one.
MIN_MODIFIER_NAMES = 2


def vocabulary_modifiers(entries: dict[tuple[str, ...], Entry], sites: set[str] = frozenset()) -> set[str]:
    """Words that the vocabulary puts in front of another condition name to make a narrower one
    ("joint" in "joint pain", "ovarian" in "ovarian carcinoma"): seen in front of a condition,
    they belong to its name."""
    # inverted variants ("inner ear morphology abnormal") would make "inner" a modifier
    entries = {key: entry for key, entry in entries.items() if not entry.method.endswith(":inverted")}
    modifiers: dict[str, int] = {}
    for key in entries:
        if len(key) >= 2 and key[1:] in entries and key[0].isalpha() and len(key[0]) > 2:
            modifiers[key[0]] = modifiers.get(key[0], 0) + 1
    # participles ("reduced", "increased", "elevated") describe a change, not a kind of condition
    return {
        word
        for word, count in modifiers.items()
        if (count >= MIN_MODIFIER_NAMES or word in sites) and word not in _NOT_MODIFIERS and not word.endswith("ed")
    }


_SITE_SYMPTOMS = word_list("site_symptoms")
_ABNORMALITY_OF = re.compile(r"^abnormality of (?:the )?([a-z ]+)$", re.IGNORECASE)


#: "problem", "issue", "trouble", "difficulty" (data/word_lists.tsv)
_PROBLEM_NOUNS = word_list("problem_nouns")


def _lay_problem_variants(text: str) -> list[tuple[str, ...]]:
    """The lay ways of naming the same finding: "vision problems", "stomach issues", "balance
    trouble" for HPO's "Abnormality of (the) vision/stomach/balance"; "trouble swallowing",
    "breathing problems", "walking difficulty" for "Difficulty swallowing/breathing/walking"."""
    words = text_key(text)
    if len(words) == 2 and words[0] == "difficulty" and words[1].endswith("ing") and words[1].isalpha():
        return sorted({(noun, words[1]) for noun in _PROBLEM_NOUNS} | {(words[1], noun) for noun in _PROBLEM_NOUNS})
    match = _ABNORMALITY_OF.match(text)
    if not match:
        return []
    words = text_key(match.group(1))
    if len(words) != 1 or not words[0].isalpha():
        return []
    return [(words[0], noun) for noun in sorted(_PROBLEM_NOUNS)]


def body_sites(keyed: list, entries: dict[tuple[str, ...], Entry]) -> set[str]:
    """Words for parts of the body, read off the vocabulary: X in HPO's "Abnormality of the X"
    and in "X pain"-style names ("hip pain", "calf cramp")."""
    sites: set[str] = set()
    for key, term in keyed:
        match = _ABNORMALITY_OF.match(term.text)
        if match:
            words = text_key(match.group(1))
            if 0 < len(words) <= 2:
                sites.add(words[-1])
        if len(key) == 2 and key[1] in _SITE_SYMPTOMS and key[0].isalpha():
            sites.add(key[0])
    # a condition is not a site: "headache in migraine" is two names
    return {site for site in sites if site not in _NOT_MODIFIERS and len(site) > 2 and (site,) not in entries}


_ABNORMAL_PART = re.compile(
    r"^abnormal(?:ity of (?:the )?)? ?([a-z]+) (morphology|physiology|anatomy|shape|structure|size)$", re.IGNORECASE
)
#: Which HPO organ term a word maps to when several name it: function before form.
_ASPECT_RANK = {"physiology": 0, None: 1, "morphology": 2, "anatomy": 3, "structure": 4, "shape": 5, "size": 6}


def organ_words(keyed: list, sites: set[str]) -> dict[str, str | None]:
    """Organ word -> the HPO concept for abnormalities of that organ, for body sites and the
    adjectives HPO names organs by: "Abnormal renal physiology" (renal), "Abnormality of the
    gallbladder" (gallbladder); body sites read off "X pain"-style names have none (``None``)."""
    best: dict[str, tuple[int, str]] = {}
    for _key, term in keyed:
        word, aspect = None, None
        match = _ABNORMAL_PART.match(term.text)
        if match:
            word, aspect = match.group(1).lower(), match.group(2).lower()
        else:
            site = _ABNORMALITY_OF.match(term.text)
            if site and len(text_key(site.group(1))) == 1:
                word = text_key(site.group(1))[0]
        if word is None or word in _NOT_MODIFIERS or len(word) <= 2 or not term.concept_id.startswith("HP:"):
            continue
        rank = _ASPECT_RANK[aspect]
        if word not in best or rank < best[word][0]:
            best[word] = (rank, term.concept_id)
    organs: dict[str, str | None] = {site: None for site in sites}
    organs.update({word: concept for word, (_, concept) in best.items()})
    return organs


#: Words of change that MedDRA's preferred terms, and the adverse-reaction tables of drug labels
#: written in them, put after what changed ("Weight decreased", "Vision blurred", "Blood
#: creatinine increased") where HPO puts them first ("Decreased body weight").
INVERTIBLE_DIRECTIONS = word_list("invertible_directions")


def _variants(key: tuple[str, ...], eponyms: set[str]) -> list[tuple[tuple[str, ...], str]]:
    variants: list[tuple[tuple[str, ...], str]] = []
    stripped = tuple(k[:-2] if k.endswith("'s") else k for k in key)
    if stripped != key:
        variants.append((stripped, "possessive"))
    if key[0] in eponyms and len(key) > 1:
        variants.append(((key[0] + "'s",) + key[1:], "possessive"))
    heads = GENERIC_HEADS | {"condition"}
    if len(key) > 1 and key[-1] in heads:
        for head in sorted(heads - {key[-1]}):
            variants.append((key[:-1] + (head,), "head"))
    if len(key) > 1 and key[0] in INVERTIBLE_DIRECTIONS and key[1].isalpha():
        variants.append((key[1:] + key[:1], "inverted"))
    possessive = (key[0] + "'s",) + key[1:] if key[0] in eponyms else key
    if len(possessive) == 2 and possessive[0].endswith("'s") and possessive[1] in GENERIC_HEADS:
        variants.append(((possessive[0],), "eponym"))
    return variants


def adjective_forms(noun: str) -> list[str]:
    """Regular adjectives of a condition noun: schizophrenia -> schizophrenic."""
    return [
        noun[: -len(suffix)] + replacement
        for suffix, replacement in _ADJECTIVE_RULES
        if noun.endswith(suffix) and len(noun) > len(suffix) + 2
    ]


def load_gazetteer(not_conditions: Path = NOT_CONDITIONS) -> Gazetteer:
    """The gazetteer of the installed vocabulary without the fallback concepts that
    ``not_conditions`` (a term list, :mod:`pipeline.extract.term_lists`) names, from the disk
    cache when it is current (:mod:`pipeline.cache`: the key holds the list's bytes, so a copy
    saved with a pipeline finds the same table). One object per list per process."""
    return _load_gazetteer(Path(not_conditions).resolve())


@lru_cache(maxsize=4)
def _load_gazetteer(not_conditions: Path) -> Gazetteer:
    from pipeline.vocab import load_vocabulary, vocabulary_version

    here = Path(__file__).parent
    path = cache_path(
        "gazetteer",
        vocabulary_version(),
        (here / "lexicon.py", here / "normalize.py", here / "acronyms.py", WORD_LISTS, ADJECTIVE_DERIVATIONS, not_conditions),
        ("wordfreq",),
    )
    return load_or_build(path, lambda: build_gazetteer(load_vocabulary(), read_term_keys(not_conditions)))
