"""Merge the NER model's spans with the vocabulary's, and give model spans a concept.

The trained model (:mod:`pipeline.train`) proposes DISEASE spans; the vocabularies and
context rules normalize and label them:

- a model span that overlaps vocabulary mentions keeps the vocabulary's span and concept,
  except when it is one longer name around a single vocabulary match ("postoperative myalgia"
  around "myalgia"), which takes the model's boundaries (the longest name is one concept);
- a model span the vocabulary did not find gets a concept by lookup of its normalized key,
  else of its longest final word sequence that is a name ("hemorrhagic cystitis" ->
  cystitis, head-word mapping), else of a misspelling of its last word; failing all three it
  is kept without a concept (``concept_id`` null, ``method`` says so) only when its head is
  shaped like a disease name (-itis, -osis, -pathy, syndrome, failure, ...): on web text the
  model otherwise proposes outcomes and processes ("cognitive flexibility").

``method`` records the source: ``model`` (+ how the concept was found), or the vocabulary
method with ``+model`` when both agree or the model widened the span.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pipeline.extract.conditions import CELL_LEVEL, DRUG_NOUNS
from pipeline.extract.lexicon import Entry, Gazetteer
from pipeline.extract.mention import Mention
from pipeline.extract.normalize import pieces
from pipeline.vocab import Concept


#: Word endings and head nouns that make a phrase a disease name in medical English
#: (Greek/Latin suffixes of nosology: -itis inflammation, -osis condition, -emia blood,
#: -pathy disease, -algia pain, -plegia paralysis, -oma tumour, ...).
DISEASE_HEAD = re.compile(
    r"(?:itis|osis|oses|emia|aemia|pathy|pathies|algia|plegia|paresis|oma|omas|toxicity|trophy|penia|"
    r"uria|rrhea|rrhoea|lepsy|plasia|ectasia|megaly|spasm|sclerosis|cytosis|iasis|phobia|mania|"
    r"disease|diseases|disorder|disorders|syndrome|syndromes|deficiency|failure|insufficiency|"
    r"dysfunction|toxicities|carcinoma|cancer|tumor|tumour|infection|infections|lesion|lesions)$"
)


def looks_like_disease(keys: list[str]) -> bool:
    """The phrase's last word is a disease-forming suffix or a disease head noun."""
    return bool(keys) and DISEASE_HEAD.search(keys[-1]) is not None


def concept_for_span(
    text: str, gazetteer: Gazetteer, excluded: frozenset[tuple[str, ...]] = frozenset()
) -> tuple[Entry | None, str]:
    """(entry, how) for a span the vocabulary did not match as a whole.

    The longest final word sequence decides: a name gives the concept ("head"); a generic
    word or a process ("injury" in "neurological injury", "cell death") rejects the span
    (``how == "rejected"``)."""
    keys = [p.key for p in pieces(text) if p.key.isalnum() or "'" in p.key]
    if not keys:
        return None, "none"
    for i in range(len(keys)):
        suffix = tuple(keys[i:])
        if suffix in excluded or (i > 0 and keys[i - 1] in CELL_LEVEL):
            return None, "rejected"
        entry = gazetteer.entries.get(suffix)
        if entry is not None:
            return entry, "exact" if i == 0 else "head"
    corrected = gazetteer.correct(keys[-1]) if len(keys[-1]) >= 7 else None
    if corrected is not None:
        return gazetteer.entries[(corrected,)], "misspelling"
    return None, "none"


def _before_drug_noun(text: str, end: int) -> bool:
    """"seizure medication": the condition word names a class of drugs."""
    following = pieces(text[end : end + 20])
    return bool(following) and following[0].key in DRUG_NOUNS


def _after_cell_noun(text: str, start: int) -> bool:
    """"cell death", "neuronal injury": a process at the level of cells, not a condition."""
    preceding = pieces(text[max(start - 20, 0) : start])
    return bool(preceding) and preceding[-1].key in CELL_LEVEL


def merge_model_spans(
    text: str,
    mentions: list[Mention],
    spans: list[tuple[int, int]],
    gazetteer: Gazetteer,
    excluded: frozenset[tuple[str, ...]],
    concepts: Mapping[str, Concept],
) -> list[Mention]:
    """``mentions`` plus the model's ``spans`` (character offsets), merged as described above;
    ``concepts`` gives the names of the concepts found."""
    conditions = sorted((m for m in mentions if m.label != "DOSE"), key=lambda m: m.start)
    added: list[Mention] = []
    for start, end in spans:
        if "\n" in text[start:end] or "\r" in text[start:end]:
            continue  # a name never runs across lines (headings, list items)
        overlapping = [m for m in conditions if m.start < end and start < m.end]
        if overlapping:
            if len(overlapping) == 1 and start <= overlapping[0].start and overlapping[0].end <= end:
                mention = overlapping[0]
                mention.start, mention.end = start, end
                mention.method += "+model"
            continue
        surface = text[start:end]
        key = tuple(p.key for p in pieces(surface))
        if not key or key in excluded or not any(ch.isalpha() for ch in surface):
            continue
        entry, how = concept_for_span(surface, gazetteer, excluded)
        if how == "rejected" or _before_drug_noun(text, end) or _after_cell_noun(text, start):
            continue
        if entry is None and not looks_like_disease([k for k in key if k.isalnum()]):
            continue  # an unmappable span must at least be shaped like a disease name
        added.append(
            Mention(
                start=start,
                end=end,
                label="CONDITION",
                method=f"model:{how}",
                concept_id=entry.concept_id if entry else None,
                concept_name=concepts[entry.concept_id].name if entry and entry.concept_id in concepts else None,
            )
        )
    return sorted(mentions + added, key=lambda m: (m.start, m.end, m.label))


def propagate_abbreviations(text: str, mentions: list[Mention], definitions: list) -> list[Mention]:
    """Short forms defined in the text whose long form is a condition mention (found by the
    model, so not handled by the vocabulary pass): each later occurrence becomes a mention with
    the long form's concept."""
    conditions = [m for m in mentions if m.label != "DOSE"]
    taken = [(m.start, m.end) for m in mentions]
    added: list[Mention] = []
    for definition in definitions:
        long_form = next(
            (m for m in conditions if m.start <= definition.long_start + 1 and m.end >= definition.long_end - 1
             and m.end - m.start <= definition.long_end - definition.long_start + 2),
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
