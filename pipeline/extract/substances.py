"""SUBSTANCE mentions, and the substance a document is about (its subject).

Known names come from the substance lexicon (:mod:`pipeline.extract.substance_lexicon`:
DrugBank, MeSH and MedlinePlus names and brands); the substance finder drops the matches that
lie inside a condition mention ("serotonin syndrome").

Substances no vocabulary names (Semax, Noopept, TB-500) are found from the page's own
evidence, as the issue asks, and get the stable id ``LOCAL:<normalized name>``:

- a *code name* (letters, an optional hyphen and digits: "TB-500", "BPC-157"), a rare word
  with the ending of a WHO INN stem ("phenylpiracetam": ``data/inn_stems.tsv``) or a rare
  capitalized word (wordfreq Zipf < ``RARE_WORD_ZIPF``, not a condition name or adjective)
  written directly
  before a dose amount ("Selank 250 mcg") is a substance;
- a rare capitalized word or code name of the title zone (the page title, its breadcrumb and
  headings before the first paragraph) that recurs in the text, or of the source file name, is
  a candidate subject, unless the copyright line names it (the site or company);
- an unknown name tied to a known one ("lecanemab, sold as Leqembi", "Leqembi (lecanemab)") is
  an alias of the known substance.

The subject (:func:`choose_subject`) is the candidate with the most evidence, weighted by where
it is (:class:`SubjectSettings`): first in the source file name or a title-zone line, later
there, first in a later heading, and one point per mention in the body outside link lists and
cross-sell blocks (:mod:`pipeline.extract.links`). Without any file-name or title evidence the
body alone must be decisive (a minimum count and share of all substance mentions): a page
about nothing in particular gets none, not a guess from a sidebar.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

from pipeline.extract.links import inside, link_lists
from pipeline.extract.normalize import text_key
from pipeline.extract.pattern_tables import read_patterns
from pipeline.extract.substance_lexicon import (  # noqa: F401  (re-exported: the public names)
    CLASS_PREFIXES,
    LOCAL_PREFIX,
    METHOD_ALIAS,
    METHOD_LEXICON,
    METHOD_LOCAL,
    Found,
    Substance,
    SubstanceLexicon,
    build_lexicon,
    is_class,
    load_lexicon,
    local_id,
    not_substances,
)
from pipeline.segment import Segment
from pipeline.vocab.mesh import ADJECTIVE_ENDINGS

DATA = Path(__file__).parent / "data"
#: an unknown capitalized word rarer than this in English may be a product name
RARE_WORD_ZIPF = 3.0
MIN_LOCAL_NAME_CHARS = 4
#: an unknown name of the title zone must occur at least this often in the text
MIN_OCCURRENCES = 2
#: the title zone ends at the first prose segment with this many words, or at the first
#: sentence with a full stop and this many ("Composition: each capsule contains Noopept 10 mg.")
TITLE_ZONE_PROSE_WORDS = 12
TITLE_ZONE_SENTENCE_WORDS = 6
#: a line of the title zone that is not a heading has at most this many words
TITLE_MAX_WORDS = 20
_SENTENCE_END = (".", "!", ";", ":", "…")
#: "Comments: it only somewhat works": a field's value, not a title
_LABELLED_TEXT_RE = re.compile(r"^[^:\n]{1,30}:\s+[a-z]")


@dataclass(frozen=True)
class SubjectSettings:
    """Evidence weights of :func:`choose_subject` (the ``substance_finder`` config)."""

    #: the first substance of the file name or of a title-zone line
    title_weight: float = 6.0
    #: a later substance of such a line
    other_weight: float = 2.0
    #: the first substance of a heading below the title zone
    heading_weight: float = 1.0
    #: a subject known from the body alone needs this many mentions ...
    body_only_min_count: int = 4
    #: ... and this share of all substance mentions of the body
    body_only_min_share: float = 0.6
    #: read the source's file name as evidence ("zoloft_12.txt", "bpc157_vendor.html")
    use_source_name: bool = True


# --- names no vocabulary knows -------------------------------------------------------------

#: the shapes of names and the cues around them, one pattern per row of
#: ``data/substance_name_rules.tsv`` (its notes say what each is for)
SUBSTANCE_NAME_RULES = Path(__file__).parent / "data" / "substance_name_rules.tsv"
_NAMES = read_patterns(SUBSTANCE_NAME_RULES)

#: what may stand between a name and its dose: a parenthetical ("Armodafinil (Waklert) 150 mg")
_NAME_DOSE_GAP_RE = re.compile(r"\s*(?:\([^()\n]{1,40}\)\s*)?\(?\s*\Z")


_NOT_NAME_ENDINGS = (*ADJECTIVE_ENDINGS, "ly", "ful", "less", "able", "ible")


def is_rare_word(word: str) -> bool:
    """Not a word of general English (wordfreq Zipf below ``RARE_WORD_ZIPF``)."""
    return zipf_frequency(word, "en") < RARE_WORD_ZIPF


def _is_condition_word(word: str) -> bool:
    """A condition name or its adjective ("lethargic") in the condition gazetteer."""
    from pipeline.extract.lexicon import load_gazetteer

    gazetteer = load_gazetteer()
    key = text_key(word)
    return gazetteer.lookup(key) is not None or (len(key) == 1 and key[0] in gazetteer.adjectives)


@lru_cache(maxsize=1)
def inn_stems() -> tuple[str, ...]:
    """Word endings of ``data/inn_stems.tsv``: stems of International Nonproprietary Names
    (WHO, "The use of stems in the selection of INNs for pharmaceutical substances", 2018)."""
    with (DATA / "inn_stems.tsv").open(encoding="utf-8", newline="") as handle:
        return tuple(row["stem"].strip().lower() for row in csv.DictReader(handle, delimiter="\t") if row["stem"].strip())


#: a word ending in an INN stem is a drug name only when it is this long ("kebab" is not a -mab)
MIN_INN_WORD_CHARS = 7


def is_inn_like(word: str) -> bool:
    """A rare word with the ending of an INN stem ("phenylpiracetam", "zavegepant" is not)."""
    lowered = word.lower()
    return (
        lowered.isalpha()
        and len(lowered) >= MIN_INN_WORD_CHARS
        and lowered.endswith(inn_stems())
        and is_rare_word(lowered)
    )


def is_local_name(word: str) -> bool:
    """A code name ("TB-500"), a rare word with an INN stem ending ("phenylpiracetam"), or a
    rare capitalized word that names no condition."""
    if _NAMES["code_name"].fullmatch(word) or is_inn_like(word):
        return True
    return (
        _NAMES["capitalized"].fullmatch(word) is not None
        and len(word) >= MIN_LOCAL_NAME_CHARS
        and not word.lower().endswith(_NOT_NAME_ENDINGS)
        and is_rare_word(word.lower())
        and not _is_condition_word(word)
    )


#: a lower-case unknown word names a product only when it is this rare ("ashwagandha 300 mg")
LOWER_NAME_ZIPF = 2.0


def _is_lower_name(word: str) -> bool:
    """A lower-case word before a dose that names a substance: an INN stem ending, or a word
    that general English hardly knows (wordfreq Zipf < ``LOWER_NAME_ZIPF``) and that is no
    condition, adjective or adverb."""
    if is_inn_like(word):
        return True
    return len(word) >= 6 and zipf_frequency(word, "en") < LOWER_NAME_ZIPF and is_local_name(word.capitalize())


def name_before(text: str, position: int) -> tuple[int, int] | None:
    """The span of a name-shaped word written right before ``position`` (a dose amount), or
    None: "TB-500 2 mg", "Selank 250 mcg", "phenylpiracetam 100 mg", "Armodafinil (Waklert)
    150 mg", "T3 (25 mcg" (the caller prefers the lexicon's mention where there is one)."""
    window = text[max(0, position - 80) : position]
    gap = _NAME_DOSE_GAP_RE.search(window)
    head = window[: gap.start()] if gap else window
    for pattern in (_NAMES["code_name"], _NAMES["short_code"], _NAMES["capitalized"], _NAMES["lower_word"]):
        match = None
        for match in pattern.finditer(head):
            pass
        if match is None or match.end() != len(head):
            continue
        name = match["name"]
        if pattern is _NAMES["short_code"] or (_is_lower_name(name) if name.islower() else is_local_name(name)):
            offset = position - len(window)
            return offset + match.start(), offset + match.end()
    return None


def names_before_doses(
    text: str, doses: list[int], found: list[Found], taken: list[tuple[int, int]]
) -> list[Found]:
    """SUBSTANCE mentions for the names written right before the doses starting at ``doses``
    ("TB-500 2 mg", "Selank 250 mcg") that no mention in ``found`` or ``taken`` (conditions)
    covers: the known substance an alias stands for, else a ``LOCAL:`` one."""
    added: list[Found] = []
    for position in doses:
        span = name_before(text, position)
        if span is None:
            continue
        occupied = taken + [(f.start, f.end) for f in found + added]
        if any(a < span[1] and span[0] < b for a, b in occupied):
            continue
        name = text[span[0] : span[1]]
        known = alias_of(text, name, found)
        if known is not None:
            added.append(Found(span[0], span[1], known, METHOD_ALIAS))
        else:
            added.append(Found(span[0], span[1], Substance(local_id(name), name), METHOD_LOCAL))
    return added


# --- evidence and the subject --------------------------------------------------------------

_SOURCE_CHUNK_RE = re.compile(r"[_\W]+")
_SOURCE_SPLIT_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_HEX_RE = re.compile(r"^[0-9a-f]{8,}$")
_ALIAS_PATTERNS = (
    # "lecanemab, the infused antibody sold as Leqembi"; "X, marketed as Y"
    r"{known}[^.;:\n]{{0,40}}?\b(?:sold|marketed|branded|available|known)\s+(?:as|under(?:\s+the)?(?:\s+(?:brand|trade))?(?:\s+names?)?)\s+{local}",
    # "Leqembi (lecanemab)", "lecanemab (Leqembi)"
    r"{local}\s*\(\s*{known}\s*\)",
    r"{known}\s*\(\s*{local}\s*\)",
    # a combination's brand, as drug labels name it: "VIMOVO (naproxen and esomeprazole
    # magnesium)", "AGGRENOX (aspirin/extended-release dipyridamole)": the first ingredient
    r"{local}\s*\(\s*{known}\s*(?:,|/|\+|&|\band\b)[^()\n]{{1,60}}\)",
    # "Leqembi, the brand name of lecanemab"
    r"{local},?\s+(?:the\s+)?(?:brand|trade)\s+name\s+(?:of|for)\s+{known}",
)


def source_words(source: str | None) -> str:
    """The words of a source's file name: "EffexorXR_13.txt" -> "Effexor XR", "bpc157_vendor"
    -> "bpc 157 vendor" (hex ids and numbers dropped, but a number joined to letters stays: it
    is part of a code name)."""
    if not source:
        return ""
    words: list[str] = []
    for chunk in _SOURCE_CHUNK_RE.split(Path(source).stem):
        if not chunk or _HEX_RE.match(chunk.lower()):
            continue
        parts = [p for p in _SOURCE_SPLIT_RE.split(chunk) if p]
        words.extend(p for k, p in enumerate(parts) if not p.isdigit() or (k > 0 and parts[k - 1].isalpha()))
    return " ".join(words)


@lru_cache(maxsize=1)
def _field_re() -> re.Pattern[str]:
    """Labels of ``data/subject_fields.tsv`` at the start of a line, then ":" or a cell bar."""
    with (DATA / "subject_fields.tsv").open(encoding="utf-8", newline="") as handle:
        labels = [row["label"].strip() for row in csv.DictReader(handle, delimiter="\t") if row["label"].strip()]
    words = "|".join(re.escape(label).replace(r"\ ", r"\s+") for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"^[ \t*#>-]*(?i:{words})[ \t]*(?:[:|][ \t]*)(?P<value>[^\n|]*)", re.MULTILINE)


def field_values(text: str) -> list[str]:
    """Values of labelled fields that name a product or its ingredient ("Active ingredient |
    Modafinil", "Generic name: sertraline", "Product Name |" with the value on the next line)."""
    values = []
    for match in _field_re().finditer(text):
        value = match["value"].strip()
        if not value:
            following = re.match(r"[ \t]*\r?\n[ \t]*(?P<next>[^\n|]*)", text[match.end() :])
            value = following["next"].strip() if following else ""
        if value:
            values.append(value)
    return values




def title_zone(text: str, segments: list[Segment]) -> list[Segment]:
    """Headings and title-like lines (up to ``TITLE_MAX_WORDS`` words, no sentence-final
    punctuation: "Metformin diarrhea - does it ever settle down? (ER vs IR, B12, kidneys)")
    before the first paragraph of prose: where a page names what it is about. Cookie and
    sign-up banners are not the first paragraph."""
    zone = []
    for segment in segments:
        sentence = text[segment.start : segment.end]
        words = len(sentence.split())
        stripped = sentence.rstrip()
        title_like = words <= TITLE_MAX_WORDS and not stripped.endswith(_SENTENCE_END)
        sentence_like = words >= TITLE_ZONE_SENTENCE_WORDS and stripped.endswith((".", "!"))
        prose = sentence_like or (words >= TITLE_ZONE_PROSE_WORDS and not title_like)
        if prose and not _NAMES["banner"].search(sentence):
            break  # the first paragraph
        if segment.is_heading or title_like or _LABELLED_TEXT_RE.match(sentence):
            zone.append(segment)  # a title, or a field ("Comments: ...", "Semax: a guide")
    return zone


@dataclass
class _Evidence:
    score: float = 0.0
    body: int = 0
    named: bool = False  # in the file name or the title zone
    first: int = 1 << 60


def _line_substances(line: str, lexicon: SubstanceLexicon, locals_: dict[str, Substance]) -> list[Substance]:
    """Substances named in a title-zone line or file name, in order (known and local)."""
    known = lexicon.find(line)
    found = [(f.start, f.substance) for f in known]
    taken = [(f.start, f.end) for f in known]
    for pattern in (_NAMES["code_name"], _NAMES["capitalized"]):
        for match in pattern.finditer(line):
            key = "-".join(text_key(match["name"]))
            if key in locals_ and not any(a < match.end() and match.start() < b for a, b in taken):
                found.append((match.start(), locals_[key]))
    for word_match in re.finditer(r"[A-Za-z]+", line):
        key = word_match.group().lower()
        if key in locals_ and not any(a < word_match.end() and word_match.start() < b for a, b in taken):
            found.append((word_match.start(), locals_[key]))
    seen: set[str] = set()
    ordered = []
    for _, substance in sorted(found, key=lambda pair: pair[0]):
        if substance.concept_id not in seen:
            seen.add(substance.concept_id)
            ordered.append(substance)
    return ordered




def _local_candidates(
    text: str, lines: list[str], lexicon: SubstanceLexicon, source_line: str | None = None
) -> dict[str, Substance]:
    """Unknown names of the title zone that recur in the text, and of the file name (which
    needs no recurrence when it names no known substance: "zipsor_12.txt" is about Zipsor):
    normalized key -> substance with a ``LOCAL:`` id, named as most often written."""
    candidates: dict[str, Substance] = {}
    lowered = text.lower()
    # the site or company that signs the page ("© 2024 ApexPeptide Labs LLC") is no product
    owners = {w.lower() for line in _NAMES["copyright"].findall(text) for w in re.findall(r"[A-Za-z]+", line)}
    for line, from_source in ([(source_line, True)] if source_line else []) + [(line, False) for line in lines]:
        known = [(f.start, f.end) for f in lexicon.find(line)]
        minimum = 0 if from_source and not known else MIN_OCCURRENCES
        patterns = (_NAMES["code_name"], _NAMES["any_case_word"]) if from_source else (_NAMES["code_name"], _NAMES["capitalized"], _NAMES["lower_word"])
        for pattern in patterns:
            for match in pattern.finditer(line):
                name = match["name"]
                if any(a < match.end() and match.start() < b for a, b in known):
                    continue
                if not _NAMES["code_name"].fullmatch(name) and not name[1:].islower():
                    name = name.capitalize()  # "ARTHROTEC", "semax" -> "Arthrotec", "Semax"
                if not is_local_name(name):
                    continue
                key = "-".join(text_key(name))
                if key in candidates or name.lower() in owners:
                    continue
                if _count_word(lowered, name.lower()) >= minimum:
                    candidates[key] = Substance(local_id(name), _preferred_form(text, name))
    return candidates


def _is_field_value(line: str, lexicon: SubstanceLexicon) -> bool:
    """"Comments: it only somewhat works", "Side effects: dry mouth": a field's value, not a
    title; "Cerebrolysin: uses and dosing" is a title (its label names a substance)."""
    if not _LABELLED_TEXT_RE.match(line):
        return False
    label = line.split(":", 1)[0]
    named = [f for f in lexicon.find(label) if not is_class(f.substance.concept_id)]
    return not named and not any(is_local_name(word) for word in re.findall(r"[\w-]+", label))


def _lines_of(text: str, segments: list[Segment]) -> list[str]:
    """The text of segments, those on one line joined ("Metformin diarrhea - does it ever
    settle down? (ER vs IR, B12, kidneys)" is one title, split in two sentences)."""
    spans: list[tuple[int, int]] = []
    for segment in segments:
        if spans and "\n" not in text[spans[-1][1] : segment.start]:
            spans[-1] = (spans[-1][0], segment.end)
        else:
            spans.append((segment.start, segment.end))
    return [text[start:end] for start, end in spans]


def _mostly_in_conditions(text: str, name: str, conditions: list[tuple[int, int]]) -> bool:
    """Half or more of the name's occurrences lie inside condition mentions ("Alzheimer's
    disease", "Parkinson's"): a person's name or a disease, not a product."""
    occurrences = [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE)]
    inside_conditions = sum(1 for o in occurrences if any(a <= o < b for a, b in conditions))
    return bool(occurrences) and 2 * inside_conditions >= len(occurrences)


def _count_word(lowered_text: str, word: str) -> int:
    return len(re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered_text))


def _preferred_form(text: str, name: str) -> str:
    """The name as most often written in the text, capitalized when written in lower case
    ("ashwagandha" -> "Ashwagandha": a name is a proper noun, and spelled alike everywhere)."""
    forms = Counter(m.group() for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE))
    best = max(forms.items(), key=lambda kv: (kv[1], kv[0][:1].isupper(), kv[0]))[0] if forms else name
    return best[:1].upper() + best[1:] if best.islower() else best  # one spelling across documents


#: how far from an unknown name its tie to a known one is looked for
_ALIAS_WINDOW = 80


def alias_of(text: str, name: str, found: list[Found]) -> Substance | None:
    """The known substance an unknown ``name`` is another name of ("lecanemab, sold as
    Leqembi", "Waklert (armodafinil)"), looked for around each occurrence of the name."""
    local_re = re.escape(name)
    for occurrence in re.finditer(rf"(?<![\w-]){local_re}(?![\w-])", text, re.IGNORECASE):
        low, high = occurrence.start() - _ALIAS_WINDOW, occurrence.end() + _ALIAS_WINDOW
        window = text[max(0, low) : high]
        if not _NAMES["alias_cue"].search(window):
            continue  # no parenthesis and no "sold as", "brand name": no tie here
        for f in found:
            if f.substance.concept_id.startswith(LOCAL_PREFIX) or not (low <= f.start and f.end <= high):
                continue
            known_re = re.escape(text[f.start : f.end])
            for pattern in _ALIAS_PATTERNS:
                if re.search(pattern.format(known=known_re, local=local_re), window, re.IGNORECASE):
                    return f.substance
    return None


def find_aliases(text: str, found: list[Found], candidates: dict[str, Substance]) -> dict[str, Substance]:
    """Local candidates that the text ties to a known substance: key -> the known one."""
    aliases: dict[str, Substance] = {}
    for key, local in candidates.items():
        known = alias_of(text, local.name, found)
        if known is not None:
            aliases[key] = known
    return aliases


def find_local_mentions(text: str, substances: list[Substance], taken: list[tuple[int, int]]) -> list[Found]:
    """Every occurrence of the local substances' names (as whole words) not already taken."""
    found = []
    for substance in substances:
        for match in re.finditer(rf"(?<![\w-]){re.escape(substance.name)}(?![\w-])", text, re.IGNORECASE):
            if not any(a < match.end() and match.start() < b for a, b in taken):
                found.append(Found(match.start(), match.end(), substance, METHOD_LOCAL))
    return found


def choose_subject(
    text: str,
    segments: list[Segment],
    found: list[Found],
    lexicon: SubstanceLexicon,
    title: str | None = None,
    source: str | None = None,
    settings: SubjectSettings = SubjectSettings(),
    conditions: list[tuple[int, int]] = (),
    furniture: list[tuple[int, int]] | None = None,
) -> tuple[Substance | None, list[Found]]:
    """The document's subject (or None), and the SUBSTANCE mentions of local names and aliases
    that the evidence adds to ``found`` (see the module docstring). ``furniture``: the page's
    link lists (:func:`pipeline.extract.links.link_lists`, found here when not given)."""
    zone = title_zone(text, segments)
    zone_lines = ([title] if title else []) + [
        line for line in _lines_of(text, zone) if not _is_field_value(line, lexicon)
    ] + field_values(text)
    source_line = source_words(source) if source and settings.use_source_name else None
    named_lines = ([source_line] if source_line else []) + zone_lines
    candidates = _local_candidates(text, zone_lines, lexicon, source_line)
    candidates = {k: c for k, c in candidates.items() if not _mostly_in_conditions(text, c.name, conditions)}
    aliases = find_aliases(text, found, candidates)
    locals_ = {key: aliases.get(key, substance) for key, substance in candidates.items()}
    taken = [(f.start, f.end) for f in found]
    extra = []
    for key, local in candidates.items():
        for f in find_local_mentions(text, [local], taken):
            extra.append(Found(f.start, f.end, locals_[key], METHOD_ALIAS if key in aliases else METHOD_LOCAL))
    mentions = sorted(found + extra, key=lambda f: f.start)

    evidence: dict[str, _Evidence] = defaultdict(_Evidence)
    substances: dict[str, Substance] = {}
    for line in named_lines:
        line_substances = [x for x in _line_substances(line, lexicon, locals_) if not is_class(x.concept_id)]
        for rank, substance in enumerate(line_substances):
            substances[substance.concept_id] = substance
            item = evidence[substance.concept_id]
            item.score += settings.title_weight if rank == 0 else settings.other_weight
            item.named = True
    zone_starts = {s.start for s in zone}
    furniture = link_lists(text) if furniture is None else furniture
    for segment in segments:
        if segment.is_heading and segment.start not in zone_starts and not inside(furniture, segment.start):
            heading = [
                x for x in _line_substances(text[segment.start : segment.end], lexicon, locals_) if not is_class(x.concept_id)
            ]
            if heading:
                evidence[heading[0].concept_id].score += settings.heading_weight
                substances[heading[0].concept_id] = heading[0]
    for mention in mentions:
        if is_class(mention.substance.concept_id):
            continue
        item = evidence[mention.substance.concept_id]
        substances[mention.substance.concept_id] = mention.substance
        item.first = min(item.first, mention.start)
        if not inside(furniture, mention.start) and not any(s.start <= mention.start < s.end for s in zone):
            item.body += 1
            item.score += 1.0
    subject = _decide(evidence, substances, settings)
    # unknown names are mentions only as the subject or as another name of a known substance
    kept = [f for f in extra if f.method == METHOD_ALIAS or (subject is not None and f.substance == subject)]
    return subject, kept


def _decide(
    evidence: dict[str, _Evidence], substances: dict[str, Substance], settings: SubjectSettings
) -> Substance | None:
    if not evidence:
        return None
    total_body = sum(item.body for item in evidence.values())
    # ties go to a substance the vocabulary knows, then to the one named first
    best_id, best = max(
        evidence.items(), key=lambda kv: (kv[1].score, not kv[0].startswith(LOCAL_PREFIX), -kv[1].first, kv[0])
    )
    if best.named:
        return substances[best_id]
    if best.body >= settings.body_only_min_count and best.body >= settings.body_only_min_share * total_body:
        return substances[best_id]
    return None
