"""Condition concepts and terms from ICD-10-CM, for diseases HPO does not name.

Source: the ICD-10-CM tabular list shipped in the ``simple_icd_10_cm`` package (US National
Center for Health Statistics, https://www.cdc.gov/nchs/icd/icd-10-cm/). Code descriptions and
inclusion terms are written for coders ("Migraine, unspecified, not intractable, without status
migrainosus"); :func:`clean_icd_text` turns them into names people write ("Migraine") and
rejects the ones that stay code-style.

Cleaning, in order:

* drop ``[...]`` and ``(...)`` asides ("Essential (primary) hypertension" -> "Essential
  hypertension") and every "NOS";
* drop "in (other) diseases classified elsewhere", "not elsewhere classified", "of unspecified
  site", a trailing "without ..." (absence of a complication) and a leading "Unspecified";
* split off comma clauses and drop qualifiers: "unspecified ...", "not specified", "(not)
  intractable", "uncomplicated", "with(out) ...", laterality ("right", "left eye", "bilateral"),
  trimesters and encounter types. Any other remaining comma clause ("Cataract, morgagnian type")
  rejects the text, since people do not write inverted code titles;
* reject what is still not plain wording: leading "Other", "Encounter for", "Personal history",
  "Poisoning by" and friends; "other", "specified" or "unspecified" left anywhere; a body side
  that is a coding axis ("... of left femur"; "left ventricular" is kept); more than eight words.

Codes considered: categories and subcategories, never codes carrying a 7th-character extension
(injury episodes, fetus numbers). Chapters V-Y (external causes) are skipped, as are T36-T65
(poisoning / adverse effect / underdosing / toxic effect by substance), B95-B97 (organisms named
as the cause of diseases classified elsewhere: agents, not conditions) and all Z codes except
states that are conditions (Z21 asymptomatic HIV, Z33 pregnant state). When several codes clean
to the same text, one wins deterministically: texts that needed fewer lossy edits first, then
descriptions before inclusion terms, then the shortest (most general) code, then code order.
When a code's own description is rejected, only its first inclusion term is kept ("Influenza
NOS" for J11.1): residual "Other ..." codes list unrelated conditions that cannot share a concept.

Acronyms: a bracketed acronym that ends a description, inclusion term or "Includes" note and
abbreviates the whole name before it ("acquired immune deficiency syndrome [AIDS]", "Fever of
unknown origin [FUO]"; first letters agree) becomes a term of that code. Not "Human
immunodeficiency virus [HIV] disease" (the acronym names part of it), "Abnormal
electroencephalogram [EEG]" (the test), or acronyms that spell a common English word ("[ALL]").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import CONDITION, Concept, SourceTable, Term, normalize_key

SOURCE_DESCRIPTION = "icd10cm:description"
SOURCE_INCLUSION = "icd10cm:inclusion"
PREFIX = "ICD10CM:"

MAX_WORDS = 8
_SKIPPED_CHAPTER_LETTERS = frozenset("VWXY")
_KEPT_Z_CATEGORIES = frozenset({"Z21", "Z33"})

_BRACKETS_RE = re.compile(r"\s*\[[^\]]*\]")
_FINAL_ACRONYMS_RE = re.compile(r"^(?P<name>[^\[\]]+?)\s*(?P<acronyms>(?:\[[A-Z][A-Z0-9-]{2,7}\]\s*)+)$")
_ACRONYM_IN_BRACKETS_RE = re.compile(r"\[([A-Z][A-Z0-9-]{2,7})\]")
_PARENS_RE = re.compile(r"\s*\([^()]*\)")
_NOS_RE = re.compile(r",?\s*\bNOS\b")
_LOSSY_SUBS = [
    re.compile(r"\s+in (?:other )?diseases classified elsewhere\b", re.I),
    re.compile(r",?\s*not elsewhere classified\b", re.I),
    re.compile(r",?\s*(?:of |at )?unspecified (?:site|part|organism|type)\b$", re.I),
    re.compile(r"\s+without\b[^,]*$", re.I),
]
_LEADING_UNSPECIFIED_RE = re.compile(r"^unspecified\s+", re.I)
_QUALIFIER_CLAUSE_RE = re.compile(
    r"^(?:"
    r"unspecified\b.*|not specified\b.*|site not specified|.*\bunspecified"
    r"|not intractable|intractable|uncomplicated|without\b.*|with\b.*"
    r"|(?:right|left|bilateral|unilateral)\b.*|.*\b(?:right|left) (?:side|sided|eye|ear)$"
    r"|(?:first|second|third|unspecified) trimester|initial encounter.*|subsequent encounter.*|sequela"
    r"|not in remission|in remission|not elsewhere classified"
    r")$",
    re.I,
)
_REJECT_START_RE = re.compile(
    r"^(?:other\b|encounter\b|personal history|family history|contact with|exposure to|"
    r"presence of|poisoning|adverse effect|underdosing|toxic effect|maternal care|supervision|"
    r"screening|observation|follow-up|need for|problems? related|history of|status\b|"
    r"abnormal (?:findings|results)|findings|long term \(current\)|allergy status)",
    re.I,
)
_REJECT_ANYWHERE_RE = re.compile(r"\b(?:other|specified|unspecified|elsewhere|NEC)\b", re.I)
_SIDE_RE = re.compile(r"\b(?:right|left|bilateral|unilateral)\b(?!\s*[- ]?(?:ventric|atri|bundle|heart|sided|coronary|main))", re.I)


@dataclass(frozen=True)
class CleanText:
    text: str
    lossy: int  # number of meaning-losing edits (qualifier clauses, "without ..." tails)


def _is_skipped_code(code: str) -> bool:
    letter = code[0]
    if letter in _SKIPPED_CHAPTER_LETTERS:
        return True
    if letter == "Z":
        return code[:3] not in _KEPT_Z_CATEGORIES
    number = int(code[1:3]) if code[1:3].isdigit() else -1
    if letter == "T" and 36 <= number <= 65:
        return True
    if letter == "B" and 95 <= number <= 97:  # infectious agents as the cause of diseases elsewhere
        return True
    return False


def clean_icd_text(text: str) -> CleanText | None:
    """A name people write for an ICD-10-CM description or inclusion term, or None."""
    lossy = 0
    text = _BRACKETS_RE.sub("", text)
    text = _PARENS_RE.sub("", text)
    text = _NOS_RE.sub("", text)
    for pattern in _LOSSY_SUBS:
        text, count = pattern.subn("", text)
        lossy += count
    text = " ".join(text.split()).strip(" ,;:")
    head, *clauses = [part.strip() for part in text.split(",")]
    for clause in clauses:
        if not clause:
            continue
        if not _QUALIFIER_CLAUSE_RE.match(clause):
            return None
        if not re.match(r"^(?:unspecified\b|not specified|site not specified|.*\bunspecified$)", clause, re.I):
            lossy += 1
    text = _LEADING_UNSPECIFIED_RE.sub("", head).strip()
    if not text or not any(char.isalpha() for char in text):
        return None
    if _REJECT_START_RE.match(text) or _REJECT_ANYWHERE_RE.search(text) or _SIDE_RE.search(text):
        return None
    if any(char in text for char in ";:()[]") or len(text.split()) > MAX_WORDS:
        return None
    text = text[0].upper() + text[1:]
    return CleanText(text=text, lossy=lossy)


#: Zipf frequency (wordfreq) from which an acronym spells a common English word ("ALL", "MEN").
#: The count mixes both uses ("aids" is 4.25 largely as AIDS), so only very common words are
#: kept out; acronyms match in capitals only, and not inside a line in capitals.
COMMON_WORD_ZIPF = 4.5


def final_acronyms(text: str) -> list[str]:
    """Bracketed acronyms at the end of ``text`` that abbreviate the whole name before them."""
    from wordfreq import zipf_frequency

    match = _FINAL_ACRONYMS_RE.match(text.strip())
    if match is None:
        return []
    name = match.group("name").strip()
    return [
        acronym
        for acronym in _ACRONYM_IN_BRACKETS_RE.findall(match.group("acronyms"))
        if acronym[0] == name[0].upper() and zipf_frequency(acronym.lower(), "en") < COMMON_WORD_ZIPF
    ]


def _candidate_codes() -> list[str]:
    import simple_icd_10_cm as icd

    return [
        code
        for code in icd.get_all_codes(with_dots=True)
        if icd.is_category_or_subcategory(code) and not icd.is_extended_subcategory(code) and not _is_skipped_code(code)
    ]


def _rank(code: str, source: str, cleaned: CleanText) -> tuple:
    return (cleaned.lossy, source != SOURCE_DESCRIPTION, len(code.replace(".", "")), code)


def load_icd10cm() -> SourceTable:
    """ICD-10-CM concepts and cleaned, de-duplicated terms (one code per normalised text).

    A code whose description cleans to the same text as a better-ranked code's description
    (K21.9 "Gastro-esophageal reflux disease without esophagitis" vs K21) is folded into that
    code: its inclusion terms are attached to the representative, so one meaning keeps one id.
    """
    import simple_icd_10_cm as icd

    entries: list[tuple[str, str, CleanText]] = []
    for code in _candidate_codes():
        texts = [(icd.get_description(code), SOURCE_DESCRIPTION)]
        texts += [(text, SOURCE_INCLUSION) for text in icd.get_inclusion_term(code)]
        found = [
            (code, source, cleaned)
            for raw, source in texts
            if (cleaned := clean_icd_text(raw)) is not None and normalize_key(cleaned.text)
        ]
        if found and found[0][1] == SOURCE_INCLUSION:
            # a residual code ("Other injury of unspecified body region") lists unrelated
            # conditions as inclusion terms ("Abrasion", "Fracture", "Wound"); without a
            # description of its own, only its first inclusion term names it
            found = found[:1]
        if found and found[0][1] == SOURCE_DESCRIPTION:
            named = [raw for raw, _ in texts] + list(icd.get_includes(code))
            found += [
                (code, SOURCE_INCLUSION, CleanText(text=acronym, lossy=0))
                for raw in named
                for acronym in final_acronyms(raw)
            ]
        entries.extend(found)

    best_description: dict[str, tuple[str, str, CleanText]] = {}
    for entry in entries:
        if entry[1] == SOURCE_DESCRIPTION:
            key = normalize_key(entry[2].text)
            if key not in best_description or _rank(*entry) < _rank(*best_description[key]):
                best_description[key] = entry
    names = {code: cleaned.text for code, _, cleaned in best_description.values()}
    representative = {
        code: best_description[normalize_key(cleaned.text)][0]
        for code, source, cleaned in entries
        if source == SOURCE_DESCRIPTION
    }

    best: dict[str, tuple[tuple, Term]] = {}
    for entry in entries:
        code, source, cleaned = entry
        key = normalize_key(cleaned.text)
        rank = _rank(*entry)
        if key not in best or rank < best[key][0]:
            target = PREFIX + representative.get(code, code)
            best[key] = (rank, Term(text=cleaned.text, concept_id=target, source=source))

    table = SourceTable()
    winners = sorted((term for _, term in best.values()), key=lambda t: (t.concept_id, t.source != SOURCE_DESCRIPTION, t.text))
    for term in winners:
        table.terms.append(term)
        if term.concept_id not in table.concepts:
            code = term.concept_id[len(PREFIX):]
            table.concepts[term.concept_id] = Concept(
                concept_id=term.concept_id,
                name=names.get(code, term.text),
                vocabulary="ICD10CM",
                kind=CONDITION,
                xrefs=(),
            )
    return table


def icd10cm_version() -> str:
    """Version of the installed simple_icd_10_cm package (it pins one ICD-10-CM release)."""
    from importlib.metadata import version

    return version("simple_icd_10_cm")
