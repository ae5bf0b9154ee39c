"""Label each condition-like mention in context: CONDITION or ADVERSE_EFFECT, role, negation.

The same word is a condition in "used for insomnia" and an adverse effect in "side effects
include insomnia". The decision uses, in order of precedence:

1. a contraindication cue in the sentence ("should not take", "contraindicated") -> CONDITION,
   role ``contraindication``;
2. the nearest cue to the left of the mention in its sentence: an adverse-effect cue ("side
   effects include", "may cause", "increase the risk of") or a use cue ("patients with",
   "trials in", "used to treat"; a use cue does not reach past a copula: in "patients with X
   were Y" it names X only);
3. the section heading in force (Side effects / Contraindications / Uses ...); under a warnings
   or precautions heading the risks a warning names are adverse effects and only a patient's
   states ("patients with X", "history of X", pregnancy, a bare list item) contraindications;
   then cues to the right of the mention ("X was reported"; "pain relief", "pain free", "X is
   under control"), then the lead-in sentence of a list ("Side effects include:" before bullet items);
4. otherwise CONDITION; role ``other`` in a background definition ("X is a disorder
   characterized by ..."), else ``studied`` -- except in personal reports (first-person posts,
   documents or unstructured segments that are bare lists of complaints), where a symptom
   without any cue is an ADVERSE_EFFECT and only an explicit reason ("for my arthritis",
   "diagnosed with") marks a treated condition.

Negation and hedging follow the ConText algorithm (Chapman et al. 2001, "NegEx"; Harkema et
al. 2009, "ConText"): a trigger negates the mentions in its scope (forward for "no", "without";
backward for "was not observed"), up to a terminating word ("but", "however", ";"), and
pseudo-triggers ("no benefit", "did not reduce") negate nothing. Following the annotation
guideline, a negated *effect of the substance on* a condition does not negate the condition.

The cue patterns live in ``data/context_rules.tsv``, one regular expression per row.
"""

from __future__ import annotations

import bisect
import csv
import re
from functools import lru_cache
from pathlib import Path


from pipeline.extract.mention import LAY_METHOD, Mention
from pipeline.segment import Segment

RULES = Path(__file__).parent / "data" / "context_rules.tsv"
NEGATION_WINDOW_WORDS = 10
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def rules() -> dict[str, re.Pattern]:
    """Category -> one compiled alternation of that category's patterns."""
    grouped: dict[str, list[str]] = {}
    with RULES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            grouped.setdefault(row["category"], []).append(row["pattern"])
    return {category: re.compile("|".join(f"(?:{p})" for p in patterns)) for category, patterns in grouped.items()}


def _last_cue(pattern: re.Pattern, text: str) -> int:
    """End offset of the last match of ``pattern`` in ``text`` (-1 when none)."""
    end = -1
    for match in pattern.finditer(text):
        end = match.end()
    return end


def classify(
    sentence: str,
    start: int,
    end: int,
    section: str | None,
    lead_in: str | None,
    is_heading: bool,
    first_person: bool = False,
) -> tuple[str, str | None]:
    """(label, role) of the mention at ``sentence[start:end]`` (lower-cased sentence).

    ``first_person``: the document is a personal report (a patient's post or review) or a bare
    list of complaints, where a symptom named without any cue is an effect the writer
    attributes to the drug.
    """
    r = rules()
    left, right = sentence[:start], sentence[end:]
    section = (section or "").lower()
    if not is_heading and r["contra"].search(sentence):
        return "CONDITION", "contraindication"
    clause = _clause_tail(left)
    ae_left = _last_cue(r["ae_before"], clause)
    studied_left = _last_cue(r["studied_before"], clause)
    if studied_left >= 0 and _last_cue(r["copula"], clause) > studied_left:
        studied_left = -1  # "patients with X were Y": the cue names X, not Y
    if first_person and studied_left >= 0 and not r["studied_personal"].search(clause):
        studied_left = -1  # in a personal report only an explicit reason marks a treated condition
    if ae_left > studied_left:
        return "ADVERSE_EFFECT", None
    if section and r["section_contra"].search(section):
        return "CONDITION", "contraindication"
    if section and r["section_caution"].search(section):
        # a warning names the drug's risks; the states it warns about are a patient's
        bare_item = not is_heading and not re.search(r"[a-z]", _LIST_MARK.sub("", left) + right)
        if (
            bare_item  # "Precautions: - Epilepsy": a list of states, not of risks
            or r["state_before"].search(clause)
            or r["state_name"].search(sentence[start:end])
            or (lead_in and r["contra"].search(lead_in))
        ):
            return "CONDITION", "contraindication"
        return "ADVERSE_EFFECT", None
    if studied_left >= 0:
        return "CONDITION", _studied_or_other(sentence)
    if r["ae_after"].search(right):
        return "ADVERSE_EFFECT", None
    if r["studied_after"].search(right):
        return "CONDITION", "studied"
    if lead_in:
        if r["contra"].search(lead_in):
            return "CONDITION", "contraindication"
        if r["ae_before"].search(lead_in):
            return "ADVERSE_EFFECT", None
    if section and r["section_ae"].search(section):
        return "ADVERSE_EFFECT", None
    role = _studied_or_other(sentence)
    if section and r["section_studied"].search(section):
        return "CONDITION", role
    if first_person and role != "other":
        return "ADVERSE_EFFECT", None
    return "CONDITION", role


def deciding_section(section: str | None, outer_section: str | None) -> str | None:
    """The heading whose cues label what lies under it: a subsection's own when it speaks of
    unwanted effects or cautions ("5.2 Hepatotoxicity"), else the enclosing numbered section's
    when that has a cue ("6.1 Clinical Trials Experience" and "Less Common Adverse Reactions"
    under "6 ADVERSE REACTIONS": "clinical" alone would read as a use). Under a section of
    warnings both headings count ("5.1 Hypersensitivity Reactions / 5 WARNINGS AND
    PRECAUTIONS"): the subsection names the risk, the section says that states of the patient
    named there call for caution."""
    if outer_section is None:
        return section
    r = rules()
    own = (section or "").lower()
    outer = outer_section.lower()
    if own and (r["section_ae"].search(own) or r["section_contra"].search(own) or r["section_caution"].search(own)):
        return f"{section} / {outer_section}" if r["section_caution"].search(outer) else section
    if any(r[kind].search(outer) for kind in ("section_ae", "section_contra", "section_caution", "section_studied")):
        return outer_section
    return section


def _studied_or_other(sentence: str) -> str:
    return "other" if rules()["definition"].search(sentence) else "studied"


def _clause_tail(left: str) -> str:
    """The part of the left context after the last terminating word (scope of cues)."""
    last = -1
    for match in rules()["terminate"].finditer(left):
        last = match.end()
    return left[last:] if last >= 0 else left


def is_negated(sentence: str, start: int, end: int) -> bool:
    """ConText negation of the mention at ``sentence[start:end]`` (lower-cased sentence)."""
    r = rules()
    if r["neg_post"].search(sentence[end:]):
        return True
    left = sentence[:start]
    pseudo = [m.span() for m in r["pseudo"].finditer(sentence)]
    for trigger in r["neg_pre"].finditer(left):
        if any(a <= trigger.start() < b for a, b in pseudo):
            continue
        between = left[trigger.end() :]
        if r["terminate"].search(between):
            continue
        if len(_WORD.findall(between)) <= NEGATION_WINDOW_WORDS:
            return True
    return False


def is_uncertain(sentence: str, start: int) -> bool:
    """A hedge ("may", "possible", "suggests") earlier in the mention's clause."""
    return rules()["hedge"].search(_clause_tail(sentence[:start])) is not None


_FIRST_PERSON = re.compile(r"(?i:\b(?:my|me|myself|i'm|i’m|i've|i’ve|i'd|im|ive)\b)|\bI (?=[a-z])|\bi\b")
_FIRST_PERSON_SHARE = 0.01


def is_first_person(text: str) -> bool:
    """A personal report: first-person singular words make up at least 1% of the words.

    ("I" counts only before a lower-case word, so roman numerals as in "type I" do not.)"""
    words = len(_WORD.findall(text))
    if words == 0:
        return False
    return len(_FIRST_PERSON.findall(text)) / words >= _FIRST_PERSON_SHARE


_SYMPTOM_REPORT_SHARE = 0.25


def is_symptom_report(text: str, mentions: list[Mention]) -> bool:
    """A list of complaints rather than prose: condition mentions cover at least a quarter of
    the document's non-space characters ("Upset stomach, nausea, vomiting, blurred vision.")."""
    covered = sum(len(text[m.start : m.end].replace(" ", "")) for m in mentions if m.label != "DOSE")
    letters = len(text) - text.count(" ") - text.count("\n")
    return letters > 0 and covered / letters >= _SYMPTOM_REPORT_SHARE


_LIST_SEGMENT_SHARE = 0.5


def _segment_index(starts: list[int], offset: int) -> int:
    """Index of the segment (by sorted start offsets) that holds ``offset``."""
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def _complaint_list_segments(text: str, segments: list[Segment], mentions: list[Mention]) -> set[int]:
    """Indices of segments that are bare lists of complaints: two or more mentions covering at
    least half of the segment's non-space characters ("Fuzzy thinking, blurred vision, muscle
    pain."). Only used for documents without section structure (posts, notes)."""
    starts = [s.start for s in segments]
    covered: dict[int, list[int]] = {}
    for mention in mentions:
        if mention.label == "DOSE":
            continue
        index = _segment_index(starts, mention.start)
        counts = covered.setdefault(index, [0, 0])
        counts[0] += 1
        counts[1] += len(text[mention.start : mention.end].replace(" ", ""))
    result = set()
    for index, (n, chars) in covered.items():
        segment = segments[index]
        letters = len(text[segment.start : segment.end].replace(" ", ""))
        if n >= 2 and letters and chars / letters >= _LIST_SEGMENT_SHARE:
            result.add(index)
    return result


def lead_in_of(segments: list[Segment], index: int, text: str) -> str | None:
    """For a list item, the sentence introducing its list ("Side effects include:")."""
    j = index - 1
    while j >= 0 and not segments[j].is_heading:
        candidate = text[segments[j].start : segments[j].end]
        if candidate.rstrip().endswith(":") and _is_list_item(text, segments[index]):
            return candidate.lower()
        if not _is_list_item(text, segments[j]):
            return None
        j -= 1
    return None


_LIST_MARK = re.compile(r"^\s*(?:[-*+•●○◦▪▫■□‣⁃∙·–—]|\(?\d{1,2}[.)]|\(?[a-z][.)])")


def _is_list_item(text: str, segment: Segment) -> bool:
    return bool(_LIST_MARK.match(text[segment.start : segment.end]))


# Between two items of one list: separators, a conjunction, and at most one item that is not
# a mention ("fatigue, elevated or lowered blood pressure, tremor").
_LIST_GAP = re.compile(
    r"^[\s,;/(]*(?:[^,.;:()\n]{1,40},\s*)?(?:(?:and|or|and/or|as well as|including)\b[\s(]*)?$",
    re.IGNORECASE,
)


def apply_context(doc_text: str, segments: list[Segment], mentions: list[Mention]) -> None:
    """Set label, role, negated and uncertain on the condition mentions, in place.

    Items of one list ("diarrhea, constipation, nausea and tremor") share the label and role
    of the first item: the cue that governs a list is before its first item. Consumer words
    ("gas") are removed outside personal reports and complaint lists.
    """
    starts = [s.start for s in segments]
    first_person = is_first_person(doc_text) or is_symptom_report(doc_text, mentions)
    unstructured = sum(s.is_heading for s in segments) <= 1
    list_segments = _complaint_list_segments(doc_text, segments, mentions) if unstructured else set()
    mentions[:] = [
        m
        for m in mentions
        if m.method != LAY_METHOD or first_person or _segment_index(starts, m.start) in list_segments
    ]
    previous: Mention | None = None
    for mention in mentions:
        if mention.label == "DOSE":
            continue
        index = _segment_index(starts, mention.start)
        segment = segments[index]
        sentence = doc_text[segment.start : segment.end].lower()
        start, end = mention.start - segment.start, mention.end - segment.start
        if previous is not None and _LIST_GAP.match(doc_text[previous.end : mention.start]):
            mention.label, mention.role = previous.label, previous.role
        else:
            if segment.is_heading:  # a heading is read in the context of the section before it
                before = segments[index - 1] if index > 0 else None
                section = deciding_section(before.section, before.outer_section) if before else None
                lead_in = None
            else:
                section = deciding_section(segment.section, segment.outer_section)
                lead_in = lead_in_of(segments, index, doc_text)
            label, role = classify(
                sentence, start, end, section, lead_in, segment.is_heading, first_person or index in list_segments
            )
            mention.label = label
            mention.role = role if label == "CONDITION" else None
        mention.negated = is_negated(sentence, start, end)
        mention.uncertain = is_uncertain(sentence, start)
        previous = mention
