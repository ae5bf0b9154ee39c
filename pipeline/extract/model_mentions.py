"""Merge the NER model's spans with the vocabulary's, and give model spans a concept.

The trained model (:mod:`pipeline.train`) proposes DISEASE spans (trailing punctuation and
function words trimmed: the model sometimes runs into the next phrase); the vocabularies and
context rules normalize and label them:

- a model span that overlaps vocabulary mentions keeps the vocabulary's span and concept,
  except when it is one longer name around a single vocabulary match ("postoperative myalgia"
  around "myalgia"), which takes the model's boundaries (the longest name is one concept), and
  when the vocabulary pass put general English words before the name that the model left out
  ("typical", "American", "complete": modifiers the vocabulary happens to use, not severity
  words, body sites or condition adjectives, which the guideline keeps in the span);
- a model span the vocabulary did not find gets a concept by lookup of its normalized key,
  else of its longest final word sequence that is a name ("hemorrhagic cystitis" ->
  cystitis, head-word mapping), else of a misspelling of its last word, else, for an organ and
  a generic head ("renal injury"), HPO's concept for abnormalities of that organ; failing all it
  is kept without a concept (``concept_id`` null, ``method`` says so) only when its head is
  shaped like a disease name (-itis, -osis, -pathy, syndrome, failure, ..., or such a head
  before "of": "deficiency of aspartoacylase"): on web text the
  model otherwise proposes outcomes and processes ("cognitive flexibility"). A generic head
  ("disease", "syndrome") rejects the span unless a proper name makes it specific ("Norrie
  disease", "Li-Fraumeni syndrome"), or an organ or pathogen does ("renal injury",
  "adenovirus disease"), or a describing word makes a class of symptoms or deficits ("motor
  symptoms", "speech deficits");
- an acronym the model tagged that follows a condition mention in parentheses ("Myotonic
  dystrophy (DM)") or that the text never defines ("VHL") takes the concept of that mention,
  or of a condition mention in the same document whose word initials it spells;
- short forms defined in the text whose long form ends a condition mention, or starts one
  that goes on after the short form ("von Hippel-Lindau (VHL) disease"), are propagated.

``method`` records the source: ``model`` (+ how the concept was found), or the vocabulary
method with ``+model`` when both agree or the model widened the span.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from spacy.tokens import Doc

from pipeline.extract.abbreviations import MAX_UNDEFINED_LENGTH, may_stand_undefined, spells_initials
from pipeline.extract.acronyms import is_acronym
from pipeline.extract.conditions import (
    ANTI,
    CAUSE_PARTICIPLES,
    CELL_LEVEL,
    DISEASE_MORPHOLOGY,
    MODIFIERS,
    SITE_DETERMINERS,
    is_cell_level,
    names_a_product,
)
from pipeline.extract.lexicon import Entry, Gazetteer
from pipeline.extract.mention import Mention, doc_text
from pipeline.extract.normalize import pieces
from pipeline.extract.word_lists import word_list
from pipeline.vocab import Concept


#: Words a name never ends with: the model sometimes runs a span into the next phrase.
_TRAILING_WORDS = word_list("trailing_words")
_TRAILING_MARKS = frozenset(",;:.")


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without a leading list mark or other sign ("• weakness", "— fever"), and
    without trailing punctuation, coordinators or prepositions ("deficiency of ASPA and",
    "demyelination of the central nervous system,"), or a hyphenated participle that makes the
    name a cause ("seizure-induced"). A scan from the right, linear in the span's length (a
    regular expression for it backtracked exponentially on long runs of spaces)."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start:
        while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAILING_MARKS):
            end -= 1
        word_start = end
        while word_start > start and text[word_start - 1].isalpha():
            word_start -= 1
        if word_start > start and text[word_start - 1].isspace() and text[word_start:end].lower() in _TRAILING_WORDS:
            end = word_start
            continue
        # "seizure-induced", "infection-related": the condition is the cause of what follows
        if word_start - 1 > start and text[word_start - 1] == "-" and text[word_start:end].lower() in CAUSE_PARTICIPLES:
            end = word_start - 1
            continue
        break
    return start, end


def looks_like_disease(keys: list[str]) -> bool:
    """The phrase's head is a disease-forming suffix or a disease head noun: its last word, the
    word before "of" ("deficiency of aspartoacylase", "disorder of skeletal muscle"), or the word
    before a Latin postpositive modifier ("polyposis coli", "pseudotumor cerebri"); never a word
    with the prefix "anti" ("antileukemia" names what acts against the disease)."""
    if not keys:
        return False
    if "of" in keys[1:]:
        head = keys[keys.index("of") - 1]
    elif len(keys) > 1 and DISEASE_MORPHOLOGY["disease_head"].search(keys[-1]) is None and is_latin_modifier(keys[-1]):
        head = keys[-2]
    else:
        head = keys[-1]
    return DISEASE_MORPHOLOGY["disease_head"].search(head) is not None and not head.startswith(ANTI)


#: Zipf frequency (wordfreq) under which a word with a Latin ending is not English.
LATIN_ZIPF = 3.5


def is_latin_modifier(word: str) -> bool:
    """A Latin word after a disease name ("coli", "cerebri", "imperfecta", "multiforme"):
    a Latin ending and rare in English (wordfreq)."""
    from wordfreq import zipf_frequency

    return DISEASE_MORPHOLOGY["latin_ending"].search(word) is not None and zipf_frequency(word, "en") < LATIN_ZIPF


#: Zipf frequency (wordfreq) under which a capitalized word is taken as a proper name.
PROPER_NAME_ZIPF = 3.0
_ROMAN_NUMERAL = re.compile(r"^[IVX]+$")


def is_proper_name(word: str) -> bool:
    """An eponym or an acronym, which makes a generic head specific: "Norrie disease",
    "Li-Fraumeni syndrome", "HPT-JT syndrome", "Steinert's disease" (not "II disease",
    "Familial disease" or "Mental Disorders", whose capitals are typography). A capitalized word
    counts when it is rare in general English (wordfreq), an acronym when it has two capitals and
    is not a Roman numeral."""
    from wordfreq import zipf_frequency

    word = word.removesuffix("'s").removesuffix("’s")
    if sum(ch.isupper() for ch in word) >= 2:
        return _ROMAN_NUMERAL.match(word) is None
    return word[:1].isupper() and zipf_frequency(word, "en") < PROPER_NAME_ZIPF


#: "von Hippel-Lindau (VHL) disease": a short form defined inside the name, before its head.
_INNER_SHORT_FORM = re.compile(r"\s*\([^()]{1,12}\)(?=\s*\w)")


#: Generic heads that name a condition once an organ or a pathogen says where or what: "renal
#: injury", "gallbladder disease", "cardiac complications", "renal involvement", "adenovirus
#: disease" (but "neurological injury", "brain disorders": ANNOTATION.md counts organ-system
#: classes as generic, so "disorder" is not among them).
ORGAN_CONDITION_HEADS = word_list("organ_condition_heads")
#: Generic heads that any describing word makes a class of findings: "motor symptoms",
#: "psychological symptoms", "speech deficits", "cognitive and motor deficits".
QUALIFIED_HEADS = word_list("qualified_heads")
#: Words that do not make a class of symptoms ("these symptoms", "many symptoms"): function words
#: and the quantities and comparisons of data/word_lists.tsv.
_NOT_QUALIFIERS = word_list("function_words") | word_list("not_qualifiers")


#: Names the vocabularies give a class of findings ("speech deficits" is HPO's "Abnormal speech").
_FINDING_NAMES = (("{}", "impairment"), ("abnormal", "{}"), ("{}", "abnormality"), ("{}", "dysfunction"), ("{}", "disorder"))


def finding_class_entry(keys: list[str], gazetteer: Gazetteer) -> Entry | None:
    """The vocabulary's name for the class of findings ``keys`` name, if it has one: "speech
    deficits" -> "abnormal speech", "memory deficits" -> "memory impairment"."""
    word = keys[-2]
    for pattern in _FINDING_NAMES:
        entry = gazetteer.entries.get(tuple(part.format(word) for part in pattern))
        if entry is not None:
            return entry
    return None


def names_a_class_of_findings(keys: list[str]) -> bool:
    """``keys`` end with a symptom or deficit head that a describing word qualifies."""
    return (
        len(keys) >= 2
        and keys[-1] in QUALIFIED_HEADS
        and keys[-2].isalpha()
        and keys[-2] not in _NOT_QUALIFIERS
        and keys[-2] not in CELL_LEVEL
    )


def names_an_organ_condition(keys: list[str], gazetteer: Gazetteer) -> bool:
    """``keys`` (normalized, so singular) are an organ or pathogen word and a generic head:
    "renal injury", "cardiac complications"."""
    return (
        len(keys) == 2
        and keys[1] in ORGAN_CONDITION_HEADS
        and keys[0] not in CELL_LEVEL
        and (keys[0] in gazetteer.organs or DISEASE_MORPHOLOGY["pathogen"].search(keys[0]) is not None)
    )


def concept_for_span(
    text: str, gazetteer: Gazetteer, excluded: frozenset[tuple[str, ...]] = frozenset()
) -> tuple[Entry | None, str]:
    """(entry, how) for a span the vocabulary did not match as a whole.

    The longest final word sequence decides: a name gives the concept ("head"); a generic
    word or a process ("injury" in "neurological injury", "cell death") rejects the span
    (``how == "rejected"``), unless a proper name makes the generic head specific ("Norrie
    disease": kept, no concept). A short form defined inside the span is left out of the
    lookup ("von Hippel-Lindau (VHL) disease")."""
    text = _INNER_SHORT_FORM.sub("", text)
    words = [p for p in pieces(text) if p.key.isalnum() or "'" in p.key]
    keys = [p.key for p in words]
    if not keys:
        return None, "none"
    for i in range(len(keys)):
        suffix = tuple(keys[i:])
        if is_cell_level(keys, i, len(keys)):
            return None, "rejected"
        if suffix in excluded:
            named = i > 0 and any(is_proper_name(text[w.start : w.end]) for w in words[:i])
            specific = i > 0 and (names_an_organ_condition(keys[i - 1 :], gazetteer) or names_a_class_of_findings(keys))
            return None, "none" if named or specific else "rejected"
        entry = gazetteer.lookup(suffix)
        if entry is not None:
            return entry, "exact" if i == 0 else "head"
    corrected = gazetteer.correct(keys[-1]) if len(keys[-1]) >= 7 else None
    if corrected is not None:
        return gazetteer.entries[(corrected,)], "misspelling"
    return None, "none"


#: Zipf frequency (wordfreq) from which a vocabulary modifier is a general English word.
GENERAL_WORD_ZIPF = 4.0


def _only_general_modifiers(prefix: str, gazetteer: Gazetteer) -> bool:
    """The words the vocabulary pass put before a name are all general English words that the
    vocabulary happens to use as modifiers ("typical", "common", "American", "complete"), not a
    severity or phase word, body site or condition adjective: the model, trained on annotated
    abstracts, decides whether they belong to the name."""
    from wordfreq import zipf_frequency

    keys = [p.key for p in pieces(prefix)]
    return bool(keys) and all(
        key in gazetteer.modifiers
        and key not in MODIFIERS
        and key not in SITE_DETERMINERS
        and key not in gazetteer.body_sites
        and key not in gazetteer.adjectives
        and zipf_frequency(key, "en") >= GENERAL_WORD_ZIPF
        for key in keys
    )


def before_drug_noun(text: str, end: int) -> bool:
    """"seizure medication", "hepatitis B vaccine": the condition names a drug or product."""
    return names_a_product([p.key for p in pieces(text[end : end + 30])][:2])


def _after_cell_noun(text: str, start: int, end: int) -> bool:
    """"cell death", "neuronal injury": a process at the level of cells, not a condition."""
    preceding = pieces(text[max(start - 20, 0) : start])
    if not preceding:
        return False
    keys = [preceding[-1].key] + [p.key for p in pieces(text[start:end])]
    return is_cell_level(keys, 1, len(keys))


_POSSESSIVE_ENDINGS = ("'s", "’s", "'S", "’S")


def _after_a_possessive_name(text: str, end: int, model_end: int) -> bool:
    """The vocabulary's name ends with a possessive eponym ("Alzheimer's") and the model
    runs on past it over words that are no disease head ("Alzheimer's decline", "Parkinson's
    face rising costs"): the eponym alone is the name."""
    if text[end - 2 : end] not in _POSSESSIVE_ENDINGS:
        return False
    tail = [p.key for p in pieces(text[end:model_end]) if p.key.isalpha()]
    return bool(tail) and DISEASE_MORPHOLOGY["disease_head"].search(tail[-1]) is None


def merge_model_spans(
    text: str,
    mentions: list[Mention],
    spans: list[tuple[int, int]],
    gazetteer: Gazetteer,
    excluded: frozenset[tuple[str, ...]],
    concepts: Mapping[str, Concept],
) -> list[Mention]:
    """``mentions`` plus the model's ``spans`` (character offsets, trimmed by :func:`trim_span`),
    merged as described above;
    ``concepts`` gives the names of the concepts found."""
    conditions = sorted((m for m in mentions if m.label != "DOSE"), key=lambda m: m.start)
    added: list[Mention] = []
    for start, end in spans:
        if end <= start or "\n" in text[start:end] or "\r" in text[start:end]:
            continue  # a name never runs across lines (headings, list items)
        overlapping = [m for m in conditions if m.start < end and start < m.end]
        if overlapping:
            if len(overlapping) == 1 and start <= overlapping[0].start and overlapping[0].end <= end:
                mention = overlapping[0]
                if _after_a_possessive_name(text, mention.end, end):
                    end = mention.end  # "Alzheimer's decline", "Parkinson's face": the name ends at its possessive
                mention.start, mention.end = start, end
                mention.method += "+model"
            elif (
                len(overlapping) == 1
                and overlapping[0].start < start
                and overlapping[0].end == end
                and _only_general_modifiers(text[overlapping[0].start : start], gazetteer)
                and gazetteer.lookup(tuple(p.key for p in pieces(text[overlapping[0].start : end]))) is None
            ):  # a vocabulary name stays whole ("easy bruising"); glued modifiers go ("complete heart block")
                mention = overlapping[0]
                mention.start = start
                mention.method += "+model"
            continue
        surface = text[start:end]
        key = tuple(p.key for p in pieces(surface))
        if not key or key in excluded or key[0] == ANTI or not any(ch.isalpha() for ch in surface):
            continue
        entry, how = concept_for_span(surface, gazetteer, excluded)
        if how == "rejected" or before_drug_noun(text, end) or _after_cell_noun(text, start, end):
            continue
        words = [k for k in key if k.isalnum()]
        concept_id = entry.concept_id if entry else None
        if entry is None and names_an_organ_condition(words[-2:], gazetteer):
            # "renal injury": the organ's abnormality concept ("Abnormal renal physiology")
            concept_id = gazetteer.organs.get(words[-2])
            how = "organ" if concept_id else how
        elif entry is None and names_a_class_of_findings(words):
            finding = finding_class_entry(words, gazetteer)
            concept_id, how = (finding.concept_id, "head") if finding else (None, how)
        elif entry is None and not looks_like_disease(words):
            continue  # an unmappable span must at least be shaped like a disease name
        added.append(
            Mention(
                start=start,
                end=end,
                label="CONDITION",
                method=f"model:{how}",
                concept_id=concept_id,
                concept_name=concepts[concept_id].name if concept_id in concepts else None,
            )
        )
    return sorted(mentions + added, key=lambda m: (m.start, m.end, m.label))


def propagate_abbreviations(text: str, mentions: list[Mention], definitions: list) -> list[Mention]:
    """Short forms defined in the text whose long form ends a condition mention that the
    vocabulary pass did not tie to it (found by the model, or by the vocabulary with modifiers
    before the long form: "X-linked adrenoleukodystrophy (ALD)" whose long form is
    "adrenoleukodystrophy"; the long form must then be shaped like a disease name itself, unlike
    "intraocular pressure" in "elevated intraocular pressure (IOP)"), or whose long form starts
    a condition mention that goes on after the short form ("von Hippel-Lindau (VHL) disease"):
    each later occurrence becomes a mention with that concept."""
    conditions = [m for m in mentions if m.label != "DOSE"]
    taken = [(m.start, m.end) for m in mentions]
    added: list[Mention] = []
    for definition in definitions:
        long_keys = [p.key for p in pieces(text[definition.long_start : definition.long_end]) if p.key.isalnum()]
        long_form = next(
            (m for m in conditions
             if m.start <= definition.long_start + 1 and definition.long_end - 1 <= m.end <= definition.long_end + 2
             and (m.start >= definition.long_start - 1 or looks_like_disease(long_keys))),
            None,
        ) or next(
            (m for m in conditions
             if abs(m.start - definition.long_start) <= 1 and m.end > definition.long_end + len(definition.short) + 2
             and _INNER_SHORT_FORM.match(text, definition.long_end, m.end)),
            None,
        )
        if long_form is None:
            continue
        for match in re.finditer(rf"(?<![\w-]){re.escape(definition.short)}(?![\w-])", text):
            start, end = match.span()
            if any(a < end and start < b for a, b in taken):
                continue
            taken.append((start, end))
            added.append(
                Mention(start, end, "CONDITION", "abbreviation+model", long_form.concept_id, long_form.concept_name)
            )
    return sorted(mentions + added, key=lambda m: (m.start, m.end, m.label)) if added else mentions


_OPEN_PARENTHESIS = re.compile(r"\s*\(\s*$")
_CLOSE_PARENTHESIS = re.compile(r"^\s*[);,]")


def _parenthesized_after(text: str, start: int, end: int, long_forms: list[Mention]) -> Mention | None:
    """The condition mention right before ``(short)``: the author's own definition, even when
    its letters do not spell the acronym ("Myotonic dystrophy (DM)", from the Latin
    "dystrophia myotonica"), which Schwartz & Hearst's letter match rejects."""
    before = _OPEN_PARENTHESIS.search(text, max(start - 4, 0), start)
    if before is None or not _CLOSE_PARENTHESIS.match(text[end : end + 4]):
        return None
    return next((m for m in long_forms if m.end == before.start()), None)


def resolve_acronyms(
    doc: Doc, mentions: list[Mention], spans: list[tuple[int, int]], definitions: list
) -> list[Mention]:
    """Acronyms the model tagged that the text uses without a definition Schwartz & Hearst
    (2003) accept: each becomes a mention with the concept of

    - the condition mention it follows in parentheses, and every later occurrence the model
      tagged with that one ("Myotonic dystrophy (DM)": the model's tag and the parenthesis are
      the evidence; two letters are then enough);
    - else the nearest condition mention whose word initials it spells, for acronyms of three
      letters or more that are not common English ("VHL" in an abstract about von Hippel-Lindau
      disease; :func:`pipeline.extract.abbreviations.spells_initials`). Schwartz & Hearst's
      looser letter match, without a parenthesis to pair them, tied "ALP" to "abdominal pain"
      and "APC" to "anaphylactic shock".

    An acronym the text defines as something else ("Cyclophosphamide (CP)") is never resolved."""
    text = doc_text(doc)
    defined = {definition.short for definition in definitions}
    long_forms = [
        m for m in mentions
        if m.label != "DOSE" and m.concept_id is not None and not is_acronym(text[m.start : m.end])
    ]
    candidates = [
        (start, end) for start, end in spans
        if len(text[start:end]) <= MAX_UNDEFINED_LENGTH and is_acronym(text[start:end]) and text[start:end] not in defined
    ]
    parenthesized: dict[str, Mention] = {}
    for start, end in candidates:
        long_form = _parenthesized_after(text, start, end, long_forms)
        if long_form is not None:
            parenthesized.setdefault(text[start:end], long_form)
    spelled: dict[str, list[Mention]] = {}  # short -> condition mentions whose initials it spells
    taken = [(m.start, m.end) for m in mentions]
    added: list[Mention] = []
    for start, end in candidates:
        short = text[start:end]
        if any(a < end and start < b for a, b in taken):
            continue
        long_form = parenthesized.get(short)
        if long_form is None and may_stand_undefined(short):
            if short not in spelled:
                spelled[short] = [m for m in long_forms if spells_initials(short, text[m.start : m.end])]
            long_form = min(spelled[short], key=lambda m: (m.start > start, abs(m.start - start)), default=None)
        if long_form is not None:
            taken.append((start, end))
            added.append(Mention(start, end, "CONDITION", "model:acronym", long_form.concept_id, long_form.concept_name))
    return sorted(mentions + added, key=lambda m: (m.start, m.end, m.label)) if added else mentions


def widen_short_forms(text: str, mentions: list[Mention], spans: list[tuple[int, int]]) -> list[Mention]:
    """A model span that ends with a short-form mention and adds words before it ("cerebral
    ALD" around "ALD") takes the model's boundaries, as vocabulary matches do in
    :func:`merge_model_spans`: short forms are only known once the long forms are merged."""
    widened = False
    for start, end in spans:
        inside = [m for m in mentions if m.label != "DOSE" and m.start < end and start < m.end]
        if len(inside) == 1 and inside[0].method.startswith("abbreviation") and start < inside[0].start and inside[0].end == end:
            inside[0].start = start
            inside[0].method = inside[0].method if inside[0].method.endswith("+model") else inside[0].method + "+model"
            widened = True
    return sorted(mentions, key=lambda m: (m.start, m.end, m.label)) if widened else mentions
