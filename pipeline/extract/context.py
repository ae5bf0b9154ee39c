"""Label each condition-like mention in context: CONDITION or ADVERSE_EFFECT, role, negation.

The same word is a condition in "used for insomnia" and an adverse effect in "side effects
include insomnia". Each mention gets a :class:`Decision` from the first of these that speaks:

1. page furniture (breadcrumbs "Home › Forums › Type 2 Diabetes", "You may also like: ..."
   lists, a "Related stories" block, menu bars; found by :mod:`pipeline.extract.links`):
   CONDITION, role ``other`` (ANNOTATION.md Convention 7);
2. a contraindication cue in the mention's clause ("should not take", "contraindicated", "tell
   your doctor if you have"): CONDITION, role ``contraindication``;
3. the nearest cue to the left of the mention in its clause: an unwanted effect ("side effects
   include", "may cause", "gave me", "withdrawal symptoms"), a use ("used for", "put me on it
   for", "FDA-approved for", "patients with"; a use cue does not reach past a copula: in
   "patients with X were Y" it names X only), a conditional state ("if you have X": a caution)
   or a conditional event ("stop if you notice X": an effect), background ("more common in
   people with", "without", "I thought I had X"), or, where a patient speaks, the disease a
   complaint before it comes from ("the pain in my foot from tendonitis");
4. a section of contraindications or warnings (under a warning, a risk it names is an effect
   and a patient's state a contraindication);
5. cues to the right ("X was reported", "X (12%)", "X risk"; "pain relief", "X is under
   control"); that X went away or came back decides only after a drug was stopped or started
   again (dechallenge and rechallenge, Naranjo et al. 1981: "stopped it and the pain went
   away" is an effect, "went off it and the anger came back" the illness);
6. the lead-in of a list ("Side effects include:", "Do not take it if you:", "recommended for:");
7. the header of a table column or the first cell of a table row ("Goal | Typical dose",
   "Main risks | ..."); the first cell of a row that gives a dose is what the dose is for;
8. the section heading in force (Side effects / Contraindications / Uses ...);
9. otherwise a default: in a sentence written in the first person, in a personal report (a
   patient's post) or in a bare list of complaints, an ADVERSE_EFFECT; else CONDITION, role
   ``other`` in a background definition ("X is a disorder characterized by") and ``studied``
   otherwise.

Decisions from (9), and from a first-person report of a state ("I had X", which names the
writer's illness as often as an effect), are weak: a mention decided weakly takes the label
that explicit cues give the same concept elsewhere in the document ("one sense per discourse",
Gale, Church & Yarowsky 1992), so "depression" in a review that says "I take it for my
depression" is the condition throughout.

Negation and hedging follow the ConText algorithm (Chapman et al. 2001, "NegEx"; Harkema et
al. 2009, "ConText"): a trigger negates the mentions in its scope (forward for "no", "without";
backward for "was not observed"), up to a terminating word ("but", "however", ";"), and
pseudo-triggers ("no benefit", "did not reduce") negate nothing. Following the annotation
guideline, a negated *effect of the substance on* a condition does not negate the condition.

The cues live in ``data/context_rules.tsv``, one regular expression per row with a note;
:class:`ContextRules` compiles each category into one alternation.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from pipeline.extract.conditions import DISEASE_MORPHOLOGY
from pipeline.extract.links import inside
from pipeline.extract.mention import CONSUMER_METHODS, PERSONAL_SUFFIX, Mention
from pipeline.extract.span_conventions import load_grading_words
from pipeline.extract.word_lists import word_list
from pipeline.segment import LIST_MARK, Segment

RULES = Path(__file__).parent / "data" / "context_rules.tsv"
#: the category prefix of a named sub-pattern (``define:time_span``), used as ``{time_span}``
DEFINE = "define:"
NEGATION_WINDOW_WORDS = 10
_WORD = re.compile(r"\w+")
#: determiners and possessives that may stand between a therapeutic verb and its object
_FUNCTION_WORDS = word_list("function_words")
#: intensity and frequency words (the packaged list of the span conventions): a line of them and
#: complaints names nothing else ("Severe dizziness.")
_GRADING_WORDS = load_grading_words()

CONDITION = "CONDITION"
ADVERSE_EFFECT = "ADVERSE_EFFECT"
STUDIED, CONTRA, OTHER = "studied", "contraindication", "other"


@dataclass(frozen=True)
class Decision:
    """A mention's label and role, and what decided them (``strong``: an explicit cue)."""

    label: str
    role: str | None
    evidence: str
    strong: bool = True


def _condition(role: str, evidence: str, strong: bool = True) -> Decision:
    return Decision(CONDITION, role, evidence, strong)


def _effect(evidence: str, strong: bool = True) -> Decision:
    return Decision(ADVERSE_EFFECT, None, evidence, strong)


class ContextRules:
    """The cue categories of a rules file (TSV: category, pattern, note), each compiled into
    one alternation of its patterns in file order: where two rows of a category match at the
    same place the earlier row wins, so a longer cue ("reduce the risk of") comes before the
    shorter one it starts with ("reduce").

    A row of category ``define:<name>`` defines a pattern that other rows use as ``{<name>}``
    (a stretch of time, "{time_span}", excluded after several "for" cues): defined once, it is
    the same wherever it is used."""

    def __init__(self, rows: Iterable[tuple[str, str, str]]) -> None:
        self.rows = [(category, pattern, note) for category, pattern, note in rows]
        defined = {
            category.removeprefix(DEFINE): f"(?:{pattern})" for category, pattern, _ in self.rows if category.startswith(DEFINE)
        }
        grouped: dict[str, list[str]] = {}
        for category, pattern, _note in self.rows:
            if category.startswith(DEFINE):
                continue
            for name, definition in defined.items():
                pattern = pattern.replace(f"{{{name}}}", definition)
            grouped.setdefault(category, []).append(pattern)
        self.compiled = {c: re.compile(_factor_word_boundaries(ps)) for c, ps in grouped.items()}
        self._kinds: dict[str, frozenset[str]] = {}

    @classmethod
    def from_tsv(cls, path: Path) -> ContextRules:
        with Path(path).open(encoding="utf-8") as handle:
            return cls(
                (row["category"], row["pattern"], row.get("note") or "")
                for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            )

    def to_tsv(self, path: Path) -> None:
        lines = ["category\tpattern\tnote", *("\t".join(row) for row in self.rows)]
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")

    def __getitem__(self, category: str) -> re.Pattern:
        return self.compiled[category]

    def section_kinds(self, heading: str) -> frozenset[str]:
        """The ``section_*`` categories whose cues the (lower-cased) heading holds; memoised,
        since every mention under a heading asks."""
        kinds = self._kinds.get(heading)
        if kinds is None:
            kinds = frozenset(c for c in _SECTION_CATEGORIES if c in self.compiled and self.compiled[c].search(heading))
            if len(self._kinds) < _KINDS_CACHE_SIZE:
                self._kinds[heading] = kinds
        return kinds


_SECTION_CATEGORIES = (
    "section_ae", "section_contra", "section_caution", "section_studied", "section_personal",
)
_KINDS_CACHE_SIZE = 100_000


_WORD_BOUNDARY = "\\b"


def _factor_word_boundaries(patterns: list[str]) -> str:
    """One alternation of ``patterns`` in order, with the word boundary that starts a run of
    consecutive alternatives written once before them: ``\\bbut\\b|\\bhowever\\b|;`` becomes
    ``\\b(?:but\\b|however\\b)|;``. The two match the same text at the same places (the order of
    the alternatives is kept), but the regular-expression engine tries the boundary once per
    position instead of once per alternative: a position inside a word is left at once, which
    makes a category of many cues several times faster to scan."""
    alternatives = [alternative for pattern in patterns for alternative in _top_level_alternatives(pattern)]
    parts: list[str] = []
    run: list[str] = []
    for alternative in alternatives + [""]:
        if alternative.startswith(_WORD_BOUNDARY):
            run.append(alternative[len(_WORD_BOUNDARY) :])
            continue
        if len(run) > 1:
            parts.append(f"{_WORD_BOUNDARY}(?:{'|'.join(run)})")
        elif run:
            parts.append(f"(?:{_WORD_BOUNDARY}{run[0]})")
        run = []
        if alternative:
            parts.append(f"(?:{alternative})")
    return "|".join(parts)


def _top_level_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at the ``|`` that are outside groups and character classes."""
    alternatives, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
        i += 1
    alternatives.append(pattern[start:])
    return alternatives


def _class_end(pattern: str, i: int) -> int:
    """The index after the character class that opens at ``pattern[i]`` (a "]" first in it, or
    after "^", is a member)."""
    j = i + 1
    if pattern.startswith("^", j):
        j += 1
    if pattern.startswith("]", j):
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


@lru_cache(maxsize=1)
def default_rules() -> ContextRules:
    """The packaged rules (``data/context_rules.tsv``)."""
    return ContextRules.from_tsv(RULES)


def rules() -> ContextRules:
    """The packaged rules (kept for callers that only read categories)."""
    return default_rules()


def _last_cue(pattern: re.Pattern, text: str) -> int:
    """End offset of the last match of ``pattern`` in ``text`` (-1 when none)."""
    end = -1
    for match in pattern.finditer(text):
        end = match.end()
    return end


@dataclass(frozen=True)
class Setting:
    """What surrounds a mention beyond its sentence: the deciding section, the lead-in of its
    list, the header cells of its table, and whether it is read as part of a personal report."""

    section: str | None = None
    lead_in: str | None = None
    column_header: str | None = None
    row_header: str | None = None
    row_gives_dose: bool = False
    first_cell: bool = False
    is_heading: bool = False
    personal: bool = False
    navigation: bool = False
    #: the section heading defines a condition it names ("What counts as chronic migraine?")
    defining_section: bool = False
    #: the other condition mentions of the sentence, in sentence offsets
    other_spans: tuple[tuple[int, int], ...] = ()
    #: the sentence is written in the first person
    first_person: bool = False
    #: the text around it is a patient's own words (a post, a comment), not only a list of
    #: complaints read as one
    patient_voice: bool = False
    #: the sentence before, lower-cased, when it is prose of the same section (a drug stopped
    #: there is what "the pain went away" follows)
    preceding: str = ""
    #: where a field label opening the sentence ends ("Side effects: ..."), 0 when none: the
    #: label is the mention's section, not a cue in its clause
    field_end: int = 0


def classify(
    sentence: str,
    start: int,
    end: int,
    setting: Setting,
    r: ContextRules | None = None,
    clause: tuple[int, int] | None = None,
) -> Decision:
    """The decision for the mention at ``sentence[start:end]`` (``sentence`` lower-cased;
    ``clause``: the bounds of its clause, computed when not given).

    The order of the evidence is the module docstring's.
    """
    r = r or default_rules()
    if setting.navigation:
        return _condition(OTHER, "navigation")
    left, right = sentence[:start], sentence[end:]
    clause_start, clause_end = clause or _clause_bounds(_terminators(r, sentence), start, end)
    if setting.field_end <= start:  # "Side effects: X": the label decides as a section, below
        clause_start = max(clause_start, setting.field_end)
    clause_left = sentence[clause_start:start]
    section = (setting.section or "").lower()
    kinds = r.section_kinds(section) if section else frozenset()
    personal_sentence = setting.personal or setting.first_person

    if r["no_adjustment"].search(sentence[clause_start:clause_end]):
        return _condition(OTHER, "cue")  # "mild renal impairment: no adjustment"
    if not setting.is_heading and r["contra"].search(sentence[clause_start:clause_end]):
        if not r["ae_after"].search(sentence[end:clause_end]):
            return _condition(CONTRA, "contra")

    inside = tuple((a - clause_start, b - clause_start) for a, b in setting.other_spans if b <= start)
    patient = setting.patient_voice or setting.first_person
    left_cue = _left_cue(r, clause_left, personal_sentence, inside, sentence[start:end] if patient else "")
    if left_cue is not None and left_cue.evidence == "persisting":  # "I still have some pain"
        left_cue = _persisting(r, left, setting.preceding)
    if left_cue is not None and not left_cue.strong:  # a weak cue yields to a cue on the right
        right_cue = _right_cue(r, left, right, setting.preceding)
        if right_cue is not None:
            return right_cue
    if left_cue is not None and left_cue.label == ADVERSE_EFFECT:
        return left_cue
    if left_cue is not None and left_cue.role == CONTRA:
        return left_cue
    if "section_contra" in kinds:
        return _condition(CONTRA, "section")
    if "section_caution" in kinds:
        # a warning names the drug's risks; the states it warns about are a patient's
        bare_item = not setting.is_heading and not re.search(r"[a-z]", LIST_MARK.sub("", left) + right)
        if (
            bare_item  # "Precautions: - Epilepsy": a list of states, not of risks
            or r["state_before"].search(clause_left)
            or r["state_name"].search(sentence[start:end])
            or (setting.lead_in and (r["contra"].search(setting.lead_in) or r["contra_if"].search(setting.lead_in)))
        ):
            return _condition(CONTRA, "section")
        if left_cue is None or left_cue.role != OTHER:
            return _effect("section")
    if left_cue is not None:
        if left_cue.role == STUDIED and r["onset_after"].search(right):
            return _effect("onset")  # "suffered from leg cramps since beginning Lipitor"
        return left_cue
    right_cue = _right_cue(r, left, right, setting.preceding)
    if right_cue is not None:
        return right_cue
    if setting.lead_in:
        decision = _lead_in_decision(r, setting.lead_in, sentence)
        if decision is not None:
            return decision
    table = _table_decision(r, setting)
    if table is not None:
        return table
    if section:
        if "section_ae" in kinds:
            # a sentence in the first person under a patient's "Side effects:" field tells what
            # the drug did, the relief of the illness too ("my anxiety and depression are
            # gone"): a weak decision there, which the known uses of the substance may overrule
            # (indication_prior); a bare list under the heading stays a list of effects, also
            # when the writer speaks only after it ("Side effects: shaking, fatigue, anxiety,
            # as if my heart was overly stressed")
            speaks = setting.first_person and r["first_person"].search(sentence[min(setting.field_end, start) : end])
            return _effect("personal-section", strong=False) if speaks else _effect("section")
        if setting.defining_section:
            return _condition(OTHER, "section")
    role = _studied_or_other(r, sentence)
    if "section_studied" in kinds:
        return _condition(role, "section")
    if personal_sentence and role != OTHER:
        return _effect("default", strong=False)
    return _condition(role, "default", strong=False)


def _right_cue(r: ContextRules, left: str, right: str, preceding: str = "") -> Decision | None:
    """The decision of a cue after the mention: what was said of X ("X was reported", "X got
    worse": an effect; "pain free", "X is under control": what the drug treats; "X for 35
    years", "X runs in my family": background).

    That X went away or came back tells its label only after a drug was stopped or restarted,
    in the sentence or the one before (``preceding``): improvement on withdrawal marks an
    effect ("stopped Lipitor and the pain went away"), and so does a return on re-exposure
    ("started it again; the pain returned"), while a return after stopping is a relapse of the
    illness ("went off it and the anger came right back"). These are the dechallenge and
    rechallenge questions of Naranjo et al. 1981. Alone, "the nausea went away" fits a
    relieved illness and an effect that wore off alike, and decides nothing."""
    if r["ae_after"].search(right):
        return _effect("cue")
    if r["studied_after"].search(right):
        return _condition(STUDIED, "cue")
    if r["background_after"].search(right):
        return _condition(OTHER, "cue")
    if r["illness_after"].search(right):  # "depression and fatigue still there"
        return _persisting(r, left, preceding)
    relief, relapse = r["relief_after"].search(right), r["relapse_after"].search(right)
    if relief is None and relapse is None:
        return None
    action = _last_drug_action(r, f"{preceding} {left}")
    if action == "stop":
        return _effect("dechallenge") if relief is not None else _condition(STUDIED, "relapse")
    if action == "start" and relapse is not None:
        return _effect("rechallenge")
    return None


def _persisting(r: ContextRules, left: str, preceding: str) -> Decision:
    """The decision for the writer's illness told as persisting ("I still have X", "X still
    there"): weakly the illness the drug is taken for, but what persists after a drug was
    stopped, in the sentence or the one before, is that drug's effect."""
    if _last_drug_action(r, f"{preceding} {left}") == "stop":
        return _effect("dechallenge")
    return _condition(STUDIED, "persisting", strong=False)


def _last_drug_action(r: ContextRules, text: str) -> str | None:
    """"stop" or "start": the last of the cues of stopping and of (re)starting a drug in
    ``text``; None when there is neither."""
    stop, start = _last_match(r["stop_before"], text), _last_match(r["restart_before"], text)
    if stop is None and start is None:
        return None
    if start is None or (stop is not None and stop.end() > start.end()):
        return "stop"
    return "start"


def _left_cue(
    r: ContextRules, clause: str, personal: bool, inside: tuple[tuple[int, int], ...] = (), name: str = ""
) -> Decision | None:
    """The decision of the nearest cue before the mention in its clause, if any. ``inside``:
    spans of other mentions, in clause offsets, where a therapeutic verb is part of a name
    ("reduced appetite"), not a cue, where a causal verb finds its subject, and the complaint a
    disease named after it causes ("pain from tendonitis"; ``name``: the mention's text, given
    only where a patient speaks, a disease by its head word: "shortness of breath from pain"
    names another complaint; in a label, "deaths due to X" name a reaction).

    The cue ending nearest the mention wins; at the same end an explicit cue beats a weak one,
    then the longer cue the shorter ("patients who have experienced" holds "experienced",
    "more common in people with" holds "people with")."""
    found: list[tuple[re.Match, Decision]] = []

    def add(match: re.Match | None, decision: Decision) -> None:
        if match is not None:
            found.append((match, decision))

    copula = _last_cue(r["copula"], clause)
    reason = _last_match(r["studied_reason"], clause)
    explicit_reason = reason is not None
    use_cues = [(reason, "cue")]
    verbs = [m for m in r["studied_verb"].finditer(clause) if not _inside(m.start(), inside)]
    if explicit_reason or not personal:  # in a personal report only an explicit reason marks a treated condition
        # ... and a cause ("due to X") only there: "I can't fit my clothes due to the bloating"
        # names the writer's complaint, not a condition behind another
        causes = [m for m in r["studied_cause"].finditer(clause) if not _inside(m.start(), inside)]
        verbs_and_causes = sorted(verbs + causes, key=lambda m: m.end())
        if verbs_and_causes and _within_reach(clause[verbs_and_causes[-1].end() :]):
            use_cues.append((verbs_and_causes[-1], "cue"))
        use_cues += [(_last_match(r["studied_before"], clause), "cue"), (_last_match(r["population_before"], clause), "population")]
    elif verbs and _direct_object(clause[verbs[-1].end() :]):
        # ... or a therapeutic verb whose object the condition is ("lowering my anxiety"; a
        # lowered function, "reduced my appetite", is not a condition mention)
        use_cues.append((verbs[-1], "cue"))
    for match, evidence in use_cues:
        if match is not None and copula <= match.end():  # "patients with X were Y": the cue names X, not Y
            add(match, _condition(STUDIED, evidence))
    add(_last_match(r["background_before"], clause), _condition(OTHER, "cue"))
    if not personal:
        add(_last_match(r["without_before"], clause), _condition(OTHER, "cue"))
    add(_last_match(r["caution_before"], clause), _condition(CONTRA, "cue"))
    add(_last_match(r["ae_if"], clause), _effect("cue"))
    add(_last_match(r["ae_before"], clause), _effect("cue"))
    cause = _last_match(r["cause_before"], clause)
    if cause is not None:
        # "lithium may cause X": an effect; "brain injuries often lead to X": a consequence of
        # the condition named just before the cue, which follows that condition (_consequences)
        by_condition = any(
            b <= cause.start() and len(_WORD.findall(clause[b : cause.start()])) <= _CAUSE_SUBJECT_WORDS for _, b in inside
        )
        add(cause, _condition(OTHER, "consequence") if by_condition else _effect("cue"))
    if inside and _names_disease(name):  # "the pain in my foot from tendonitis": the writer's illness
        add(r["symptom_cause"].match(clause, inside[-1][1]), _condition(STUDIED, "cue"))
    illness = _last_match(r["illness_before"], clause) if personal else None
    add(illness, _condition(STUDIED, "persisting", strong=False))
    state = _last_match(r["ae_personal"], clause)
    if illness is None or state is None or state.end() != illness.end():  # "I still have": the illness
        add(state, _effect("personal", strong=False))
    if not found:
        return None
    _, decision = max(found, key=lambda item: (item[0].end(), item[1].strong, item[0].end() - item[0].start()))
    if decision.label == CONDITION and decision.role == STUDIED and r["definition"].search(clause):
        return _condition(OTHER, decision.evidence)
    return decision


def _names_disease(name: str) -> bool:
    """Whether a name is a disease's by its head word ("tendonitis", "fibromyalgia", "heart
    disease"; not "pain", "bleeding"): medical-English morphology."""
    words = _WORD.findall(name)
    return bool(words) and DISEASE_MORPHOLOGY["disease_head"].search(words[-1]) is not None


def _last_match(pattern: re.Pattern, text: str) -> re.Match | None:
    match = None
    for match in pattern.finditer(text):
        pass
    return match


def _lead_in_decision(r: ContextRules, lead_in: str, sentence: str) -> Decision | None:
    """What the sentence introducing a list says of its items: a caution, an effect named
    anywhere in it ("Adverse reactions in >= 5% of patients treated with X:"), or a use it ends
    on ("The root is recommended for:", "Ashwagandha is used for the following conditions:")."""
    if r["ae_if"].search(lead_in):  # "Call your doctor at once if you have:" lists warning signs
        return _effect("lead-in")
    if r["contra"].search(lead_in) or r["contra_if"].search(lead_in) or r["contra_lead_in"].search(lead_in):
        return _condition(CONTRA, "lead-in")
    if r["ae_before"].search(lead_in):
        return _effect("lead-in")
    end = len(lead_in.rstrip(" :\t"))
    studied = max(_last_cue(r[c], lead_in) for c in ("studied_before", "studied_verb", "studied_cause", "studied_reason", "studied_lead_in"))
    if studied >= end - 1:
        return _condition(_studied_or_other(r, sentence), "lead-in")
    return None


#: a condition this close before a causal verb is its subject ("injuries often lead to")
_CAUSE_SUBJECT_WORDS = 2
#: a therapeutic verb reaches the mention across at most this many words and no punctuation
_VERB_REACH_WORDS = 4


def _inside(offset: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(a <= offset < b for a, b in spans)


def _within_reach(gap: str) -> bool:
    return not re.search(r"[,;:.]", gap) and len(_WORD.findall(gap)) <= _VERB_REACH_WORDS


def _direct_object(gap: str) -> bool:
    """Whether the mention follows the verb as its object: nothing between them but a
    determiner or a possessive ("stopped the anxiety", "lowering my anxiety")."""
    words = _WORD.findall(gap)
    if re.search(r"[^\w\s]", gap) or len(words) > 1:
        return False
    return all(word.lower() in _FUNCTION_WORDS for word in words)


def _table_decision(r: ContextRules, setting: Setting) -> Decision | None:
    """A table cell read under its column header, or under the first cell of its row."""
    for header in (setting.column_header, setting.row_header):
        if not header:
            continue
        header = header.lower()
        if r["section_contra"].search(header):
            return _condition(CONTRA, "table")
        if r["section_ae"].search(header) or r["table_ae"].search(header):
            return _effect("table")
        if r["table_studied"].search(header) or r["section_studied"].search(header):
            return _condition(STUDIED, "table")
    if setting.first_cell and setting.row_gives_dose:
        return _condition(STUDIED, "table")  # "Insomnia | 600 mg in the evening": a dosing row by indication
    return None


def deciding_section(section: str | None, outer_section: str | None, r: ContextRules | None = None) -> str | None:
    """The heading whose cues label what lies under it: a subsection's own when it speaks of
    unwanted effects or cautions ("5.2 Hepatotoxicity"), else the enclosing numbered section's
    when that has a cue ("6.1 Clinical Trials Experience" and "Less Common Adverse Reactions"
    under "6 ADVERSE REACTIONS": "clinical" alone would read as a use). Under a section of
    warnings both headings count ("5.1 Hypersensitivity Reactions / 5 WARNINGS AND
    PRECAUTIONS"): the subsection names the risk, the section says that states of the patient
    named there call for caution."""
    if outer_section is None:
        return section
    r = r or default_rules()
    own = (section or "").lower()
    outer = outer_section.lower()
    if own and (r["section_ae"].search(own) or r["section_contra"].search(own) or r["section_caution"].search(own)):
        return f"{section} / {outer_section}" if r["section_caution"].search(outer) else section
    if any(r[kind].search(outer) for kind in ("section_ae", "section_contra", "section_caution", "section_studied")):
        return outer_section
    return section


def _studied_or_other(r: ContextRules, sentence: str) -> str:
    return OTHER if r["definition"].search(sentence) else STUDIED


def _terminators(r: ContextRules, sentence: str) -> list[tuple[int, int]]:
    """Spans of the terminating words of a sentence (the bounds of clauses)."""
    return [m.span() for m in r["terminate"].finditer(sentence)]


def _clause_bounds(terminators: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The clause holding ``sentence[start:end]``: from the last terminating word before it to
    the first one after it (the scope of cues)."""
    clause_start, clause_end = 0, None
    for a, b in terminators:
        if b <= start:
            clause_start = b
        elif a >= end:
            clause_end = a
            break
    return clause_start, clause_end if clause_end is not None else _NO_END


#: "to the end of the sentence" (slices accept any larger index)
_NO_END = 1 << 30


def _clause_tail(left: str, r: ContextRules | None = None) -> str:
    """The part of the left context after the last terminating word (scope of cues)."""
    r = r or default_rules()
    last = -1
    for match in r["terminate"].finditer(left):
        last = match.end()
    return left[last:] if last >= 0 else left


def is_negated(sentence: str, start: int, end: int, r: ContextRules | None = None) -> bool:
    """ConText negation of the mention at ``sentence[start:end]`` (lower-cased sentence)."""
    r = r or default_rules()
    if r["neg_post"].search(sentence[end:]):
        return True
    left = sentence[:start]
    pseudo: list[tuple[int, int]] | None = None  # found on the first trigger: most mentions have none
    for trigger in r["neg_pre"].finditer(left):
        if pseudo is None:
            pseudo = [m.span() for m in r["pseudo"].finditer(sentence)]
        if any(a <= trigger.start() < b for a, b in pseudo):
            continue
        between = left[trigger.end() :]
        if r["terminate"].search(between):
            continue
        if len(_WORD.findall(between)) <= NEGATION_WINDOW_WORDS:
            return True
    return False


def is_uncertain(sentence: str, start: int, r: ContextRules | None = None, clause_start: int | None = None) -> bool:
    """A hedge ("may", "possible", "suggests") earlier in the mention's clause."""
    r = r or default_rules()
    if clause_start is None:
        return r["hedge"].search(_clause_tail(sentence[:start], r)) is not None
    return r["hedge"].search(sentence, clause_start, start) is not None


_FIRST_PERSON_SHARE = 0.01


class _Voice:
    """Where a text is written in the first person: the offsets of its words and of its
    first-person words, found once, so any stretch of it can be asked cheaply."""

    def __init__(self, text: str, first_person: re.Pattern[str]) -> None:
        self.words = [m.start() for m in _WORD.finditer(text)]
        self.first = [m.start() for m in first_person.finditer(text)]

    def first_person(self, start: int, end: int, share: float) -> bool:
        """First-person words make up at least ``share`` of the words in ``text[start:end]``."""
        words = bisect.bisect_left(self.words, end) - bisect.bisect_left(self.words, start)
        first = bisect.bisect_left(self.first, end) - bisect.bisect_left(self.first, start)
        return words > 0 and first / words >= share


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
    pain."), or a line that names its complaints and nothing else ("Dizzy.", "Severe muscle
    pain."). Only used for documents without section structure (posts, notes)."""
    starts = [s.start for s in segments]
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for mention in mentions:
        if mention.label != "DOSE":
            spans[_segment_index(starts, mention.start)].append((mention.start, mention.end))
    result = set()
    for index, named in spans.items():
        segment = segments[index]
        letters = len(text[segment.start : segment.end].replace(" ", ""))
        chars = sum(len(text[a:b].replace(" ", "")) for a, b in named)
        if (len(named) >= 2 and letters and chars / letters >= _LIST_SEGMENT_SHARE) or _only_complaints(text, segment, named):
            result.add(index)
    return result


def _only_complaints(text: str, segment: Segment, spans: list[tuple[int, int]]) -> bool:
    """Whether a line says nothing but the complaints it names, graded ("Dizzy.", "Severe
    muscle pain.", "Peripheral neuropathy."): no word outside them but function and grading
    words."""
    rest, position = [], segment.start
    for a, b in sorted(spans):
        rest.append(text[position:a])
        position = max(position, b)
    rest.append(text[position : segment.end])
    return all(
        word in _FUNCTION_WORDS or word in _GRADING_WORDS or word.isdigit()
        for word in _WORD.findall(" ".join(rest).lower())
    )


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




def _is_list_item(text: str, segment: Segment) -> bool:
    return bool(LIST_MARK.match(text[segment.start : segment.end]))



def _table_setting(text: str, segments: list[Segment], index: int, offset: int, dose_offsets: list[int]) -> dict:
    """Column header, row header and dose presence for a mention inside a table row (a line
    of cells separated by ``|``); empty for prose."""
    segment = segments[index]
    line = text[segment.start : segment.end]
    if line.count("|") < 1:
        return {}
    cell = text[segment.start : offset].count("|")
    if line.lstrip().startswith("|"):
        cell -= 1
    header_index = index
    while header_index > 0:
        previous = segments[header_index - 1]
        if previous.is_heading or "|" not in text[previous.start : previous.end]:
            break
        header_index -= 1
    rows = [
        i for i in range(header_index, index + 1)
        if not re.fullmatch(r"[\s|:-]*", text[segments[i].start : segments[i].end])
    ]
    cells = _cells(line)
    setting: dict = {"first_cell": cell == 0}
    if rows and rows[0] != index:
        header_cells = _cells(text[segments[rows[0]].start : segments[rows[0]].end])
        if 0 <= cell < len(header_cells):
            setting["column_header"] = header_cells[cell]
    if cell > 0 and cells:
        setting["row_header"] = cells[0]
    setting["row_gives_dose"] = any(segment.start <= d < segment.end for d in dose_offsets)
    return setting


def _cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return [c.strip() for c in stripped.split("|")]


def apply_context(
    doc_text: str,
    segments: list[Segment],
    mentions: list[Mention],
    r: ContextRules | None = None,
    furniture: list[tuple[int, int]] | None = None,
) -> None:
    """Set label, role, negated and uncertain on the condition mentions, in place.

    Items of one list ("diarrhea, constipation, nausea and tremor") share the decision of the
    first item: the cue that governs a list is before its first item, or after its last when
    nothing before it spoke ("X, Y and Z were the most commonly reported side effects"). Weak
    decisions then take the label that strong ones give the same concept in the document. Consumer words ("gas",
    and the wordings learnt from patients' reviews) are removed outside personal reports, complaint
    lists and first-person sentences, adjectives that describe no person
    (method ``...:personal``) outside texts written in the first person.
    """
    r = r or default_rules()
    starts = [s.start for s in segments]
    voice = _Voice(doc_text, r["first_person"])
    symptom_report = is_symptom_report(doc_text, mentions)
    first_person = voice.first_person(0, len(doc_text), _FIRST_PERSON_SHARE)
    personal_document = first_person or symptom_report
    unstructured = sum(s.is_heading for s in segments) <= 1
    list_segments = _complaint_list_segments(doc_text, segments, mentions) if unstructured else set()
    mentions[:] = [
        m
        for m in mentions
        if (first_person or PERSONAL_SUFFIX not in m.method)  # "...:personal", "...:personal+model"
        and (m.method not in CONSUMER_METHODS or personal_document or _consumer_context(segments, starts, m, list_segments, voice))
    ]
    # a post or review without structure is one personal report, and so is a dense list of
    # complaints; on a page with sections only the blocks written in the first person are
    report = (personal_document and unstructured) or symptom_report
    layout = _Layout(doc_text, segments, mentions, r, report, list_segments, voice, furniture or [], first_person and unstructured)
    by_segment: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.label != "DOSE":
            by_segment[_segment_index(starts, m.start)].append(m)
    decisions: dict[int, Decision] = {}
    list_members: dict[int, list[Mention]] = {}
    sentences: dict[int, tuple[str, list[tuple[int, int]]]] = {}
    previous: Mention | None = None
    for mention in mentions:
        if mention.label == "DOSE":
            continue
        index = _segment_index(starts, mention.start)
        segment = segments[index]
        cached = sentences.get(index)
        if cached is None:
            sentence = doc_text[segment.start : segment.end].lower()
            cached = sentences[index] = (sentence, _terminators(r, sentence))
        sentence, terminators = cached
        start, end = mention.start - segment.start, mention.end - segment.start
        clause = _clause_bounds(terminators, start, end)
        if previous is not None and _continues_list(doc_text, previous, mention, r):
            decision = decisions[id(previous)]
            if previous.list_start is None:
                previous.list_start = previous.start
                list_members[previous.start] = [previous]
            mention.list_start = previous.list_start
            list_members[mention.list_start].append(mention)
            if not decision.strong:  # what is said after a list is said of all of it ("X, Y and Z were reported")
                after = _right_cue(r, sentence[:start], sentence[end:], layout.preceding(index))
                if after is not None:
                    decision = after
                    for member in list_members[mention.list_start]:
                        decisions[id(member)] = after
        else:
            others = tuple(
                (m.start - segment.start, m.end - segment.start)
                for m in by_segment[index]
                if m is not mention and m.end <= segment.end
            )
            decision = classify(sentence, start, end, layout.setting(index, mention.start, others), r, clause)
        decisions[id(mention)] = decision
        mention.negated = is_negated(sentence, start, end, r)
        mention.uncertain = is_uncertain(sentence, start, r, clause[0])
        previous = mention
    _consequences(starts, mentions, decisions)
    _populations_of_a_use(doc_text, starts, mentions, decisions, r)
    _one_sense_per_discourse(doc_text, mentions, decisions)
    _states_are_cautions(doc_text, mentions, decisions, r)
    for mention in mentions:
        decision = decisions.get(id(mention))
        if decision is not None:
            mention.label = decision.label
            mention.role = decision.role if decision.label == CONDITION else None
            mention.evidence = decision.evidence


def _consumer_context(segments: list[Segment], starts: list[int], mention: Mention, list_segments: set[int], voice: "_Voice") -> bool:
    """Whether a consumer word stands where a patient speaks in a text that is not a personal
    report as a whole: in a list of complaints, or in a sentence written in the first person
    (a reader's comment under an article: "she had nightmares 3 nights straight" after "tried
    the gummies on my 7 yo")."""
    index = _segment_index(starts, mention.start)
    segment = segments[index]
    return index in list_segments or voice.first_person(segment.start, segment.end, _BLOCK_FIRST_PERSON_SHARE)


def _continues_list(text: str, previous: Mention, mention: Mention, r: ContextRules) -> bool:
    """Whether ``mention`` is the next item of the list (or the apposition) ``previous`` is in.

    A semicolon separates list items only when the item is bare ("headache; nausea; rash"),
    not when a clause follows it ("...to lecanemab; angioedema has been reported")."""
    gap = text[previous.end : mention.start]
    if r["apposition"].match(gap):
        return True
    if not r["list_gap"].match(gap):
        return False
    if ";" in gap:
        tail = re.match(r"[^;.\n]*", text[mention.end :]).group()
        return len(_WORD.findall(tail)) <= 2
    return True


class _Layout:
    """Per-segment facts of one document that the settings of its mentions are made of: the
    blocks of text between headings written as personal reports, the headings that define a
    condition, navigation lines and table cells."""

    def __init__(
        self,
        text: str,
        segments: list[Segment],
        mentions: list[Mention],
        r: ContextRules,
        personal_document: bool,
        list_segments: set[int],
        voice: _Voice,
        furniture: list[tuple[int, int]],
        written_by_patient: bool = False,
    ) -> None:
        self.text, self.segments, self.r = text, segments, r
        self._by_segment: dict[int, tuple[Setting, str | None, int]] = {}
        self.dose_offsets = [m.start for m in mentions if m.label == "DOSE"]
        self.list_segments = list_segments
        self.personal_document = personal_document
        self.written_by_patient = written_by_patient
        self.voice = voice
        self.furniture = furniture
        self.personal_blocks = self._personal_blocks()
        starts = [s.start for s in segments]
        named = {_segment_index(starts, m.start) for m in mentions if m.label != "DOSE"}
        self.defining_headings = {
            s.section
            for i, s in enumerate(segments)
            if s.is_heading and i in named and r["section_background"].search((s.section or "").lower())
        }

    def _personal_blocks(self) -> set[int]:
        """Indices of the segments in a block of personal report: the text between two headings
        when first-person words make up 1.5% of its words, or when a heading before it announces
        comments, reviews or testimonials (post headers such as "Reply · 3" keep it going)."""
        personal: set[int] = set()
        block: list[int] = []
        in_comments = False

        def close() -> None:
            if not block:
                return
            if not in_comments and not self.voice.first_person(
                self.segments[block[0]].start, self.segments[block[-1]].end, _BLOCK_FIRST_PERSON_SHARE
            ):
                return
            personal.update(block)

        for i, segment in enumerate(self.segments):
            if segment.is_heading or self.r["section_personal"].search(self.text[segment.start : segment.end].lower()):
                close()
                block = []
                heading = self.text[segment.start : segment.end].lower()
                if self.r["section_personal"].search(heading):
                    in_comments = True
                elif not self.r["post_header"].search(heading):
                    in_comments = False
                continue
            block.append(i)
        close()
        return personal

    def setting(self, index: int, offset: int, other_spans: tuple[tuple[int, int], ...] = ()) -> Setting:
        """The setting of a mention at ``offset`` in segment ``index``: the segment's own
        (computed once per segment), with the field label in force after it, the table cell
        and the other mentions of the sentence."""
        cached = self._by_segment.get(index)
        if cached is None:
            cached = self._by_segment[index] = self._segment_setting(index)
        base, field, field_end = cached
        segment = self.segments[index]
        changes: dict = {"other_spans": other_spans}
        if field is not None and offset >= field_end:
            changes["section"] = field
            changes["field_end"] = max(0, field_end - segment.start)
        if "|" in self.text[segment.start : segment.end]:
            changes.update(_table_setting(self.text, self.segments, index, offset, self.dose_offsets))
        return replace(base, **changes)

    def _segment_setting(self, index: int) -> tuple[Setting, str | None, int]:
        """(setting of the segment, the field label opening its line when it carries a cue, the
        offset where the label ends)."""
        text, segments, r = self.text, self.segments, self.r
        segment = segments[index]
        line = text[segment.start : segment.end]
        field, field_end = None, 0
        if segment.is_heading:  # a heading is read in the context of the section before it
            before = segments[index - 1] if index > 0 else None
            section = deciding_section(_deciding(before.section), before.outer_section, r) if before else None
            lead_in = None
        else:
            match = _field_label(text, segment)
            if match is not None and r.section_kinds(match.group(1).lower()):
                field, field_end = match.group(1), match.end()  # "Rare but serious: rash" has no cue: no field
            section = deciding_section(_deciding(segment.section), segment.outer_section, r)
            lead_in = lead_in_of(segments, index, text)
        setting = Setting(
            section=section,
            lead_in=lead_in,
            is_heading=segment.is_heading,
            personal=self.personal_document or index in self.list_segments or index in self.personal_blocks,
            patient_voice=self.written_by_patient or index in self.personal_blocks,
            navigation=inside(self.furniture, segment.start),
            defining_section=segment.section in self.defining_headings,
            first_person=bool(r["first_person"].search(line)),
            preceding=self.preceding(index),
        )
        return setting, field, field_end

    def preceding(self, index: int) -> str:
        """The sentence before segment ``index``, lower-cased, when it is prose of the same section."""
        if index == 0:
            return ""
        segment, before = self.segments[index], self.segments[index - 1]
        if segment.is_heading or before.is_heading or before.section != segment.section:
            return ""
        return self.text[before.start : before.end].lower()


_BLOCK_FIRST_PERSON_SHARE = 0.015
#: a title or teaser ("Magnesium Supplements: Which Form, How Much, and Who Should Skip Them")
#: lists the topics of a whole page: it is not the section of the sentences under it
_TITLE_MIN_WORDS = 7


#: a labelled field opening a line of prose: "Side effects: I could not sleep. ..."
_FIELD_LABEL = re.compile(r"[ \t]*([A-Z][\w'’&/ -]{0,40}?):[ \t]+(?=\S)")
_FIELD_MAX_WORDS = 4


def _field_label(text: str, segment: Segment) -> re.Match | None:
    """The field label ("Side effects:", "Comments:", "Pros:") opening the line that holds the
    segment, if any: it is the section of the rest of the line (review sites and forms write
    fields this way)."""
    line_start = text.rfind("\n", 0, segment.start) + 1
    match = _FIELD_LABEL.match(text, line_start)
    if match is None or len(match.group(1).split()) > _FIELD_MAX_WORDS:
        return None
    return match


def _deciding(heading: str | None) -> str | None:
    """The heading that decides, or None for a page title (long, with a colon or a comma)."""
    if heading and len(heading.split()) >= _TITLE_MIN_WORDS and re.search(r"[:,]", heading):
        return None
    return heading


def _consequences(starts: list[int], mentions: list[Mention], decisions: dict[int, Decision]) -> None:
    """A consequence of a condition ("injuries often lead to cognitive deficits") is background;
    a consequence of an adverse effect ("infections leading to death") is an effect too."""
    for previous, mention in zip(mentions, mentions[1:]):
        decision = decisions.get(id(mention))
        if decision is None or decision.evidence != "consequence":
            continue
        cause = decisions.get(id(previous))
        if cause is not None and cause.label == ADVERSE_EFFECT and (
            _segment_index(starts, previous.start) == _segment_index(starts, mention.start)
        ):
            decisions[id(mention)] = _effect("consequence")


def _populations_of_a_use(
    text: str, starts: list[int], mentions: list[Mention], decisions: dict[int, Decision], r: ContextRules
) -> None:
    """"Insomnia in children with ADHD", "fatigue in multiple sclerosis": a condition named as
    the population another condition occurs or is studied in is background (role ``other``),
    and so are the items of the list it opens ("in children with ADHD or autism (ASD)")."""
    population = _condition(OTHER, "population")
    for previous, mention in zip(mentions, mentions[1:]):
        decision, before = decisions.get(id(mention)), decisions.get(id(previous))
        if (
            decision is not None
            and before is not None
            and decision.label == before.label == CONDITION
            and _segment_index(starts, previous.start) == _segment_index(starts, mention.start)
            and r["in_population"].fullmatch(text[previous.end : mention.start])
        ):
            decisions[id(mention)] = population
            if mention.list_start == mention.start:
                for item in mentions:
                    if item.start > mention.start and item.list_start == mention.start:
                        decisions[id(item)] = population


def _states_are_cautions(text: str, mentions: list[Mention], decisions: dict[int, Decision], r: ContextRules) -> None:
    """Pregnancy and lactation are conditions, usually contraindications (ANNOTATION.md): never
    an effect, and a contraindication unless a cue named them a use or background."""
    for mention in mentions:
        decision = decisions.get(id(mention))
        if decision is None or not r["state_name"].search(text[mention.start : mention.end].lower()):
            continue
        if decision.label == ADVERSE_EFFECT or (decision.role == STUDIED and decision.evidence != "cue"):
            decisions[id(mention)] = _condition(CONTRA, "state")


def _concept_key(text: str, mention: Mention) -> str:
    return mention.concept_id or text[mention.start : mention.end].lower()


def _one_sense_per_discourse(text: str, mentions: list[Mention], decisions: dict[int, Decision]) -> None:
    """Weak decisions take the label most often given to the same concept by strong decisions
    in the document (ties: the first in text order). A weak CONDITION that stays a CONDITION
    keeps its own role; one that becomes a CONDITION takes the strong decisions' usual role."""
    strong: dict[str, Counter] = defaultdict(Counter)
    roles: dict[str, Counter] = defaultdict(Counter)
    for mention in mentions:
        decision = decisions.get(id(mention))
        if decision is not None and decision.strong and decision.evidence != "navigation":
            key = _concept_key(text, mention)
            strong[key][decision.label] += 1
            if decision.label == CONDITION:
                roles[key][decision.role] += 1
    for mention in mentions:
        decision = decisions.get(id(mention))
        if decision is None or decision.strong:
            continue
        key = _concept_key(text, mention)
        votes = strong.get(key)
        if not votes:
            continue
        label = votes.most_common(1)[0][0]
        if label == decision.label:
            continue
        role = roles[key].most_common(1)[0][0] if label == CONDITION else None
        decisions[id(mention)] = Decision(label, role, "discourse", False)
