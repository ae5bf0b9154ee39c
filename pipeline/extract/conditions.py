"""Find condition mentions (diseases, symptoms, states) and give each a concept.

Spans come from the vocabulary gazetteer (:mod:`pipeline.extract.lexicon`) matched over the
normalized word pieces of each sentence, and are then completed by rules that hold for any
English drug article:

- **abbreviations defined in the document** (:mod:`pipeline.extract.abbreviations`, the
  Schwartz & Hearst 2003 algorithm as implemented by scispaCy): when the long form of "(TBI)" is a condition, every later
  "TBI" is a mention of the same concept, including inside "Stroke/TBI";
  A long form may carry two words or a cause before its condition head ("levodopa-induced
  dyskinesias (LID)"), never more ("National Institute of ... and Stroke (NINDS)");
- **adjectival forms** ("schizophrenic", "autistic", "epileptic") and state adjectives
  ("pregnant", "lactating") count when they describe people: before a person noun
  ("schizophrenic patients", "pregnant or lactating women"), after a copula ("if you are
  pregnant, nursing, ...") or a feel-verb ("Feel lethargic"), or listed with a condition
  ("tingling and numb"). Technical adjectives, no more frequent in English than their noun
  (:func:`pipeline.extract.lexicon.is_derivative_adjective`), count anywhere ("hypotensive
  episodes");
- **consumer words** (``data/lay_terms.tsv``: "gas") are proposed here and kept by the context
  step only in personal reports;
- **a term that coordinates two names** ("Nausea and vomiting" is one HPO term) gives two
  mentions, as the guideline asks;
- **modifiers that are part of the name** per the annotation guideline: severity and phase
  ("severe", "acute", "mild-to-moderate", "treatment-resistant", "childhood") are taken into
  the span, including coordinated ones ("severe or acute kidney failure");
- **coordination with a shared head**: "renal/hepatic impairment", "elevated or lowered blood
  pressure" become one span when the first conjunct is not a complete name on its own;
- **sites**: a symptom "in the neck, legs or back" keeps its sites when "neck pain" is a term,
  and so does one "of your face, lips or throat" or "at the injection site" (an allergy's
  object, "hypersensitivity to X", is left out: :mod:`pipeline.extract.span_conventions`);
- **not conditions**: processes at the level of cells ("cell death", "neuronal injury") and the
  terms listed in ``data/not_conditions.tsv`` (mechanisms the guideline excludes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc

from pipeline.extract.abbreviations import find_definitions, undefined_acronyms
from pipeline.extract.acronyms import is_acronym
from pipeline.extract.lexicon import Entry, Gazetteer, Match, build_gazetteer, load_gazetteer
from pipeline.extract.mention import LAY_METHOD, PERSONAL_SUFFIX, Mention, doc_text
from pipeline.extract.normalize import Piece, pieces
from pipeline.extract.pattern_tables import read_patterns
from pipeline.extract.term_lists import LAY_TERMS, NOT_CONDITIONS, STATE_TERMS, read_term_keys, read_terms
from pipeline.extract.word_lists import word_list
from pipeline.vocab import Concept, Vocabulary

#: Words that stay inside a condition's span (guideline: the longest name that is one concept).
MODIFIERS = word_list("modifiers")
_MODIFIER_LINKS = word_list("modifier_links")
_COORDINATORS = word_list("coordinators")
#: "you are not pregnant or breastfeeding": the state is still named (negation decides the rest)
_NEGATIONS = word_list("negations")
_LIST_SEPARATORS = _COORDINATORS | {","}
#: Nouns for people (and animal models) that an adjectival condition can describe.
PERSON_NOUNS = word_list("person_nouns")
COPULAS = word_list("copulas")
#: a copula with its subject in one word ("im anxious"; "I'm" is three pieces, see _describes_person)
_SUBJECT_COPULAS = word_list("subject_copulas")
#: "it made me anxious", "left him exhausted": the person is the object of a causative verb
CAUSATIVES = word_list("causatives")
OBJECT_PRONOUNS = word_list("object_pronouns")
FEELING_VERBS = word_list("feeling_verbs")
PRONOUNS = word_list("pronouns")
INTENSIFIERS = word_list("intensifiers")
#: Cell-level nouns: "cell death", "neuronal damage" are processes, not conditions.
CELL_LEVEL = word_list("cell_level")
SITE_OF_ADMINISTRATION = word_list("site_of_administration")
SITE_DETERMINERS = word_list("site_determiners")
DRUG_NOUNS = word_list("drug_nouns")
#: Products and laboratory markers named after a disease: "hepatitis B vaccine", "hepatitis B
#: surface antigen", "hepatitis B immune globulin" are not the disease.
PRODUCT_NOUNS = word_list("product_nouns")
#: word endings and head nouns of disease names, Latin endings, pathogens, neoplasm heads
#: (medical-English morphology, a note on each row)
DISEASE_MORPHOLOGY_RULES = Path(__file__).parent / "data" / "disease_morphology_rules.tsv"
DISEASE_MORPHOLOGY = read_patterns(DISEASE_MORPHOLOGY_RULES)
_MARKER_NOUNS = word_list("marker_nouns")


@dataclass(frozen=True)
class _Span:
    first: int  # piece indices, end exclusive
    last: int
    entry: Entry


def word_entries(path: Path, method: str) -> dict[str, Entry]:
    """One-word rows of a term list: word key -> entry with ``method``."""
    return {key[0]: Entry(concept, method) for key, concept in read_terms(path).items() if len(key) == 1}


@dataclass(frozen=True)
class ConditionTables:
    """What the condition rules look up, built from the installed vocabulary and the curated
    term lists: the gazetteer, adjectival forms (the vocabulary's and the curated states
    "pregnant", "lactating"), the terms that are never conditions, the consumer words (kept by
    the context step only in personal reports) and the concepts' preferred names."""

    gazetteer: Gazetteer
    adjectives: dict[str, Entry]
    excluded: frozenset[tuple[str, ...]]
    lay: dict[str, Entry]
    concepts: Mapping[str, Concept]

    @classmethod
    def load(
        cls, not_conditions: Path = NOT_CONDITIONS, state_terms: Path = STATE_TERMS, lay_terms: Path = LAY_TERMS
    ) -> ConditionTables:
        """The tables of the installed vocabulary for these term lists (the gazetteer and the
        vocabulary from the disk cache)."""
        from pipeline.vocab import load_vocabulary

        return cls._of(load_gazetteer(not_conditions), load_vocabulary().concepts, not_conditions, state_terms, lay_terms)

    @classmethod
    def build(
        cls,
        vocabulary: Vocabulary,
        not_conditions: Path = NOT_CONDITIONS,
        state_terms: Path = STATE_TERMS,
        lay_terms: Path = LAY_TERMS,
    ) -> ConditionTables:
        """The tables of another vocabulary (a small one for tests), built now, not cached."""
        gazetteer = build_gazetteer(vocabulary, read_term_keys(not_conditions))
        return cls._of(gazetteer, vocabulary.concepts, not_conditions, state_terms, lay_terms)

    @classmethod
    def _of(
        cls, gazetteer: Gazetteer, concepts: Mapping[str, Concept], not_conditions: Path, state_terms: Path, lay_terms: Path
    ) -> ConditionTables:
        return cls(
            gazetteer=gazetteer,
            adjectives={**gazetteer.adjectives, **word_entries(state_terms, "curated:state")},
            excluded=read_term_keys(not_conditions),
            lay=word_entries(lay_terms, LAY_METHOD),
            concepts=concepts,
        )


def find_conditions(
    text: str,
    start: int,
    end: int,
    gazetteer: Gazetteer,
    abbreviations: dict[str, Entry],
    adjectives: dict[str, Entry],
    excluded: frozenset[tuple[str, ...]],
    lay: dict[str, Entry] | None = None,
) -> list[tuple[int, int, Entry]]:
    """Condition spans ``(start, end, entry)`` in ``text[start:end]`` (one sentence)."""
    sentence = pieces(text[start:end], start)
    if not sentence:
        return []
    keys = [p.key for p in sentence]
    spans = [_Span(m.first_piece, m.last_piece, m.entry) for m in gazetteer.find(sentence, text)]
    spans = _split_coordinated(spans, keys, gazetteer)
    spans = _with_abbreviations(spans, sentence, text, abbreviations)
    adjectival = _adjectival(sentence, keys, spans, adjectives, gazetteer.technical_adjectives)
    spans += [s for s in adjectival if not s.entry.method.endswith(PERSONAL_SUFFIX)]
    if lay:
        taken = {i for s in spans for i in range(s.first, s.last)}
        spans += [_Span(i, i + 1, lay[key]) for i, key in enumerate(keys) if key in lay and i not in taken]
    spans.sort(key=lambda s: s.first)
    spans = [
        s
        for s in spans
        if tuple(keys[s.first : s.last]) not in excluded
        and not _is_cell_level(keys, s)
        and not _names_a_drug_class(keys, s)
        and not (s.first > 0 and keys[s.first - 1] == ANTI)
        and not _level_compound(sentence, text, s)
    ]
    taken = {i for s in spans for i in range(s.first, s.last)}
    result = [_extend(span, sentence, text, keys, gazetteer, taken - set(range(span.first, span.last))) for span in spans]
    result = _drop_overlaps(result)
    # an adjective that describes no person takes no part in the rules above: it is added where
    # nothing else was found (and kept by the context only in first-person texts)
    taken = {i for s in result for i in range(s.first, s.last)}
    result += [
        s
        for s in adjectival
        if s.entry.method.endswith(PERSONAL_SUFFIX) and s.first not in taken and (keys[s.first],) not in excluded
    ]
    return [(sentence[s.first].start, sentence[s.last - 1].end, s.entry) for s in sorted(result, key=lambda s: s.first)]


#: "anti-HIV", "anti-tumor", "anti rigor": a name after "anti" is what an agent acts against.
ANTI = "anti"
#: Level words that make a hyphenated compound adjective ("low-sodium diet", "high-fat diet").
_LEVEL_WORDS = word_list("level_words")


def _joined_by_hyphen(sentence: list[Piece], text: str, i: int) -> bool:
    """Piece ``i`` is joined to the piece before it by a hyphen ("positive" in "ANCA-positive")."""
    return i > 0 and sentence[i].start == sentence[i - 1].end + 1 and text[sentence[i - 1].end] in "-‐‑"


def _level_compound(sentence: list[Piece], text: str, span: _Span) -> bool:
    """A match written as one hyphenated level compound before a noun ("low-sodium diet",
    "low-density lipoprotein") describes that noun, not a finding ("low sodium")."""
    first, last = sentence[span.first], sentence[span.last - 1]
    if first.key not in _LEVEL_WORDS or span.last - span.first < 2 or " " in text[first.start : last.end]:
        return False
    return span.last < len(sentence) and sentence[span.last].key.isalpha() and text[last.end : last.end + 1] == " "


def _split_coordinated(spans: list[_Span], keys: list[str], gazetteer: Gazetteer) -> list[_Span]:
    """A vocabulary term that coordinates two complete names ("Nausea and vomiting" is one HPO
    term) gives two mentions, as the guideline asks for "Stroke/TBI"."""
    result = []
    for span in spans:
        for c in range(span.first + 1, span.last - 1):
            if keys[c] not in _COORDINATORS:
                continue
            left = gazetteer.entries.get(tuple(keys[span.first : c]))
            right = gazetteer.entries.get(tuple(keys[c + 1 : span.last]))
            if left is not None and right is not None:
                result += [_Span(span.first, c, left), _Span(c + 1, span.last, right)]
                break
        else:
            result.append(span)
    return result


def _with_abbreviations(
    spans: list[_Span], sentence: list[Piece], text: str, abbreviations: dict[str, Entry]
) -> list[_Span]:
    """Add defined short forms; the document's own definition beats a one-piece vocabulary hit."""
    defined = {
        i: entry
        for i, piece in enumerate(sentence)
        if (entry := abbreviations.get(text[piece.start : piece.end])) is not None
    }
    if not defined:
        return spans
    spans = [s for s in spans if not (s.last - s.first == 1 and s.first in defined)]
    taken = {j for s in spans for j in range(s.first, s.last)}
    return spans + [_Span(i, i + 1, entry) for i, entry in defined.items() if i not in taken]


def _adjectival(
    sentence: list[Piece],
    keys: list[str],
    spans: list[_Span],
    adjectives: dict[str, Entry],
    technical: frozenset[str],
) -> list[_Span]:
    """Adjectival forms: technical ones ("hypotensive episodes", "nephrotoxic effects") wherever
    they stand, the others only when they describe a person or, in the plural, are one
    ("diabetics", "epileptics", "asthmatics")."""
    taken = {i for s in spans for i in range(s.first, s.last)}
    heads = {s.first for s in spans}  # "diabetic neuropathy": the name takes its adjective later
    found = []
    for i, key in enumerate(keys):
        entry = adjectives.get(key)
        # "-ics" keeps its s in the key ("diabetics"): an adjective used as a noun for people;
        # not for drug classes named by their effect ("antiepileptics", "oral hypoglycemics")
        people = (
            entry is None
            and key.endswith("ics")
            and key[:-1] in adjectives
            and not key.startswith(_EFFECT_PREFIXES)
            and (i == 0 or keys[i - 1] != "anti")
        )
        if people:
            entry = adjectives[key[:-1]]
        if entry is None or i in taken or i + 1 in heads:
            continue
        if i + 1 < len(keys) and keys[i + 1] in CELL_LEVEL:  # "ischemic neuronal death": a process
            continue
        if people or key in technical or _describes_person(keys, i, adjectives) or _listed_with(keys, i, taken):
            found.append(_Span(i, i + 1, entry))
        else:  # the context keeps it only in a personal report ("I'd rather be depressed")
            found.append(_Span(i, i + 1, Entry(entry.concept_id, entry.method + PERSONAL_SUFFIX)))
    return found


_EFFECT_PREFIXES = ("anti", "hypo", "hyper")


def _listed_with(keys: list[str], i: int, taken: set[int]) -> bool:
    """The adjective is an item of a list of conditions: "tingling and numb", "paranoid, anxious"."""
    before = i - 1 if i > 0 and keys[i - 1] in _LIST_SEPARATORS else None
    after = i + 1 if i + 1 < len(keys) and keys[i + 1] in _LIST_SEPARATORS else None
    return (before is not None and before - 1 in taken) or (after is not None and after + 1 in taken)


def _describes_person(keys: list[str], i: int, adjectives: dict[str, Entry]) -> bool:
    """"schizophrenic patients", "pregnant or lactating women", "if you are pregnant, nursing"."""
    j = i + 1
    while j < len(keys) and (keys[j] in _COORDINATORS or keys[j] == "," or keys[j] in adjectives):
        j += 1
    if j < len(keys) and keys[j] in PERSON_NOUNS:
        return True
    k = i - 1
    while k >= 0 and (
        keys[k] in _COORDINATORS or keys[k] == "," or keys[k] in adjectives or keys[k] in INTENSIFIERS or keys[k] in _NEGATIONS
    ):
        k -= 1
    if k >= 1 and keys[k] in OBJECT_PRONOUNS and keys[k - 1] in CAUSATIVES:
        return True  # "the med made me more anxious"
    if k >= 2 and keys[k] in ("m", "re") and keys[k - 1] == "'" and keys[k - 2] in PRONOUNS:
        return True  # "if I'm anxious" (pieces: "i", "'", "m")
    if k < 0 or keys[k] not in COPULAS:
        return False
    if keys[k] in FEELING_VERBS or keys[k] in _SUBJECT_COPULAS:  # only people feel: "Feel sick after eating", "felt sore"
        return True
    if not any(key.isalpha() for key in keys[:k]):
        return True  # a list item under "Do not take it if you:" -- "2. are breastfeeding"
    # the copula's subject is a person: "I was weak", "women who are pregnant", not "evidence is weak"
    return any(keys[j] in PRONOUNS or keys[j] in PERSON_NOUNS for j in range(max(k - 3, 0), k))




def is_cell_level(keys: list[str], first: int, last: int) -> bool:
    """The condition at ``keys[first:last]`` follows a cell-level word: "cell death", "neuronal
    injury" name processes, unless the name is a tumour ("squamous cell carcinoma")."""
    return first > 0 and keys[first - 1] in CELL_LEVEL and not DISEASE_MORPHOLOGY["neoplasm_head"].search(keys[last - 1])


def _is_cell_level(keys: list[str], span: _Span) -> bool:
    return is_cell_level(keys, span.first, span.last)


def _extend(
    span: _Span, sentence: list[Piece], text: str, keys: list[str], gazetteer: Gazetteer, taken: set[int]
) -> _Span:
    """Grow a matched span by the modifiers, conjuncts and complements that belong to it
    (never starting inside a hyphenated word: "ANCA-positive necrotizing glomerulonephritis"
    gives "necrotizing glomerulonephritis")."""
    first, last = span.first, span.last
    # modifiers before the name, possibly coordinated: "severe or acute", "mild-to-moderate"
    while first > 0:
        if keys[first - 1] in MODIFIERS:
            first -= 1
        elif (
            first > 1
            and keys[first - 1] in _MODIFIER_LINKS
            and keys[first - 2] in MODIFIERS
            and (first < span.first or keys[first] in MODIFIERS)
        ):
            first -= 2
        else:
            break
    # shared head: "renal/hepatic impairment", "elevated or lowered blood pressure"
    if first == span.first and first > 1 and keys[first - 1] in _COORDINATORS and first - 2 not in taken:
        conjunct = keys[first - 2]
        head = tuple(keys[span.first + 1 : span.last])
        if conjunct.isalpha() and head and (conjunct,) + head in gazetteer.entries:
            first -= 2
            while first > 0 and keys[first - 1] in MODIFIERS:
                first -= 1
    # words that prefix other condition names in the vocabulary: "joint pain", "ovarian cancer"
    while first > 0 and first - 1 not in taken and keys[first - 1] in gazetteer.modifiers:
        first -= 1
    while first < span.first and _joined_by_hyphen(sentence, text, first):
        first += 1
    # where a drug was given: "injection-site pain", "infusion site reactions"
    if first == span.first and first > 1 and keys[first - 1] == "site" and keys[first - 2] in SITE_OF_ADMINISTRATION:
        first -= 2
    # an adjectival condition before another: "diabetic neuropathy", "epileptic seizures"
    if first == span.first and first > 0 and keys[first - 1] in gazetteer.adjectives and first - 1 not in taken:
        first -= 1
    # a subtype: "type IID von Willebrand disease", "type I and II diabetes"
    first = _qualifier_start(keys, first, taken)
    if last + 1 < len(keys) and keys[last] == "type" and _DESIGNATOR.match(keys[last + 1]):
        last += 2  # "achondrogenesis type 1B"
    # a symptom "in the neck, legs or back": the lay order of "neck pain", "back pain"
    site_end = _body_site_list(keys, span, last, gazetteer)
    entry = _site_specific_entry(keys, span, last, site_end, gazetteer) if site_end > last else span.entry
    return _Span(first, site_end, entry)


def _site_specific_entry(keys: list[str], span: _Span, last: int, site_end: int, gazetteer: Gazetteer) -> Entry:
    """The concept of "<symptom> in my <site>" when the vocabulary names "<site> <symptom>" ("pain
    in my stomach" is "stomach pain", Abdominal pain; not the bare Pain); the symptom's own for
    several sites ("pain in the neck, legs or back") or a site the vocabulary does not name."""
    sites = [key for key in keys[last + 1 : site_end] if key not in SITE_DETERMINERS]
    if len(sites) != 1:
        return span.entry
    return gazetteer.entries.get((sites[0], *keys[span.first : span.last]), span.entry)


#: Nouns that name a subtype with a designator ("type 2", "class III"): the subtype is a narrower
#: concept, so it belongs to the name. "stage" and "grade" rate a severity and are left out
#: (BC5CDR leaves them out of its spans, NCBI keeps stages: measured, no net gain).
QUALIFIER_NOUNS = word_list("qualifier_nouns")
#: A designator: a Roman numeral, a number or a single letter, optionally with a letter ("IID", "1B").
_DESIGNATOR = re.compile(r"^(?:[ivx]{1,4}[a-d]?|\d{1,2}[a-d]?|[a-f])$")


def _qualifier_start(keys: list[str], first: int, taken: set[int]) -> int:
    """Start of the subtype before a name ("type IID von Willebrand disease", "type I or type II
    ...", "type I and II ..."), which belongs to it: the longest name that is still one
    concept."""
    start, i = first, first
    while i >= 2 and _DESIGNATOR.match(keys[i - 1]) and not taken & {i - 1, i - 2}:
        if keys[i - 2] in QUALIFIER_NOUNS:
            start = i = i - 2
            if i >= 1 and keys[i - 1] in _LIST_SEPARATORS:
                i -= 1
                continue
            break
        if keys[i - 2] in _LIST_SEPARATORS:
            i -= 2  # a bare designator coordinated with the next: "II and III"
            continue
        break
    return start


def _body_site_list(keys: list[str], span: _Span, last: int, gazetteer: Gazetteer) -> int:
    """End of "<symptom> in (my|the|both) <site>(, <site>)* (or|and) <site>" after a span, of
    "<symptom> of (the|your) <site>, ..." ("swelling of your face, lips, tongue or throat") and
    of "<symptom> at the (planned) injection site(s)": a site makes it another effect
    (ANNOTATION.md v2). A name that already ends with its first site ("swelling of the face",
    a vocabulary synonym) takes the sites listed after it (", lips or throat") the same way."""
    site_in_name = _site_ending_the_name(keys, span, last, gazetteer)
    if site_in_name is not None:
        return max(last, _site_list_end(keys, last - 1, last - 1, keys[site_in_name - 1], gazetteer))
    if last + 1 >= len(keys) or keys[last] not in ("in", "on", "at", "of", "into"):
        return last
    symptom = keys[span.last - 1]
    j = last + 1
    while j < len(keys) and keys[j] in SITE_DETERMINERS:
        j += 1
    if keys[last] in ("of", "into") and j == last + 1:
        return last  # "symptoms of depression": only "of the/your <site>" names a site
    administration = j + (0 if j < len(keys) and keys[j] in SITE_OF_ADMINISTRATION else 1)
    if keys[last] == "at" and administration + 1 < len(keys) and keys[administration] in SITE_OF_ADMINISTRATION:
        if keys[administration + 1] == "site":
            return administration + 2  # "pain at the injection site", "infection at a planned injection site"
    return _site_list_end(keys, j, last, symptom, gazetteer)


def _site_ending_the_name(keys: list[str], span: _Span, last: int, gazetteer: Gazetteer) -> int | None:
    """The index of the preposition of a name that ends with "<prep> (the) <site>" and is
    followed by a list separator ("swelling of the face, ..."), else None."""
    if last >= len(keys) or last != span.last or keys[last] not in (",", "or", "and") or keys[last - 1] not in gazetteer.body_sites:
        return None
    i = last - 2
    while i > span.first and keys[i] in SITE_DETERMINERS:
        i -= 1
    return i if i > span.first and keys[i] in ("in", "on", "of", "into") else None


def _site_list_end(keys: list[str], j: int, last: int, symptom: str, gazetteer: Gazetteer) -> int:
    """The end of the list of sites starting at ``keys[j]`` (``last`` when there is none); a
    site after the first that starts another name ends the list."""
    end = last
    while j < len(keys) and keys[j].isalpha() and keys[j] not in MODIFIERS and (
        keys[j] in gazetteer.body_sites or (keys[j], symptom) in gazetteer.entries
    ):
        if end > last and tuple(keys[j : j + 2]) in gazetteer.entries:
            break  # "swelling in the hands and feet and weight gain": the next name begins
        end = j + 1
        if j + 2 < len(keys) and keys[j + 1] in (",", "or", "and"):
            j += 2
            if keys[j] in ("or", "and"):
                j += 1
            while j < len(keys) and keys[j] in SITE_DETERMINERS:
                j += 1
        else:
            break
    return end


def names_a_product(following: list[str]) -> bool:
    """The condition name, followed by ``following`` (keys), names a drug or product, not the
    condition: "seizure medication", "pain medicine", "hepatitis B vaccine", "hepatitis B
    surface antigen"."""
    if not following:
        return False
    return (
        following[0] in DRUG_NOUNS
        or following[0] in PRODUCT_NOUNS
        or (len(following) > 1 and following[1] in _MARKER_NOUNS and following[0].isalpha())
    )


def _names_a_drug_class(keys: list[str], span: _Span) -> bool:
    return names_a_product(keys[span.last : span.last + 2])


def _drop_overlaps(spans: list[_Span]) -> list[_Span]:
    """Leftmost-longest among overlapping spans."""
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.first, -(s.last - s.first))):
        if kept and span.first < kept[-1].last:
            continue
        kept.append(span)
    return kept


def document_abbreviations(doc: Doc, text: str, gazetteer: Gazetteer) -> dict[str, Entry]:
    """Short form -> condition entry, for abbreviations whose long form names a condition.

    Every definition found is also kept in ``doc.user_data["abbreviations"]`` for the model
    merger, which propagates short forms whose long form only the model recognised."""
    found: dict[str, Entry] = {}
    definitions = find_definitions(doc, doc._.segments or [])
    doc.user_data["abbreviations"] = definitions
    for abbreviation in definitions:
        if abbreviation.short in found:
            continue
        long_pieces = pieces(text[abbreviation.long_start : abbreviation.long_end], abbreviation.long_start)
        matches = gazetteer.find(long_pieces, text)
        if matches and _covers(matches[-1], long_pieces):
            found[abbreviation.short] = Entry(matches[-1].entry.concept_id, "abbreviation")
    return found


#: Participles that tie a cause to a condition: "contrast media-induced nephropathy (CIN)"
#: (data/word_lists.tsv, shared with the model merger's trimming).
CAUSE_PARTICIPLES = word_list("cause_participles")


def _covers(match: Match, long_pieces: list[Piece]) -> bool:
    """The match ends the long form, which is the condition with at most two words before it or
    with a cause ("levodopa-induced dyskinesias (LID)"): the short form names the whole long
    form, whose head is the condition. Not "National Institute of Neurological Disorders and
    Stroke (NINDS)", nor "duration of catatonia (DOC)" (a measure of the condition)."""
    if match.last_piece != len(long_pieces):
        return False
    before = [piece.key for piece in long_pieces[: match.first_piece]]
    if "of" in before[-2:] and not any(key in CAUSE_PARTICIPLES for key in before):
        return False  # "duration of catatonia (DOC)": the short form names a measure of it
    return len(before) <= 2 or any(key in CAUSE_PARTICIPLES for key in before)


def condition_mentions(doc: Doc, tables: ConditionTables) -> list[Mention]:
    """``Doc._.mentions`` with the document's CONDITION mentions added (relabelled later by the
    context rules): per segment, the vocabulary's matches completed by the rules of this module,
    then acronyms used without a definition."""
    text = doc_text(doc)
    abbreviations = document_abbreviations(doc, text, tables.gazetteer)
    mentions = list(doc._.mentions or [])
    for segment in doc._.segments or []:
        for start, end, entry in find_conditions(
            text, segment.start, segment.end, tables.gazetteer, abbreviations, tables.adjectives, tables.excluded, tables.lay
        ):
            concept = tables.concepts.get(entry.concept_id)
            mentions.append(
                Mention(
                    start=start,
                    end=end,
                    label="CONDITION",
                    method=entry.method,
                    concept_id=entry.concept_id,
                    concept_name=concept.name if concept else None,
                )
            )
    return mentions + _undefined_acronyms(doc, text, mentions)


def _undefined_acronyms(doc: Doc, text: str, mentions: list[Mention]) -> list[Mention]:
    """Mentions for acronyms used without a definition that spell a condition mention's
    initials (:func:`pipeline.extract.abbreviations.undefined_acronyms`)."""
    long_forms = [m for m in mentions if not is_acronym(text[m.start : m.end])]
    defined = {a.short for a in doc.user_data.get("abbreviations", [])}
    taken = [(m.start, m.end) for m in mentions]
    added = []
    for start, end, index in undefined_acronyms(text, [(m.start, m.end, m.concept_id) for m in long_forms], defined):
        if not any(a < end and start < b for a, b in taken):
            long_form = long_forms[index]
            added.append(
                Mention(start, end, "CONDITION", "abbreviation:undefined", long_form.concept_id, long_form.concept_name)
            )
    return added
