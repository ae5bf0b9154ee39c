"""Members of an enumeration of conditions that no vocabulary or model found.

A list whose members are mostly conditions is a list of conditions: in "fever, chills, body
aches, vomiting and swings in blood pressure" or a bulleted "– morning grogginess – headaches –
dizziness – bedwetting", the vocabulary and the model find most members, and the others
("swings in blood pressure", "bedwetting": lay words, new coinages) are conditions of the same
kind. This is coordination as evidence of semantic class (Riloff and Shepherd 1997; Roark and
Charniak 1998: members of one conjunction share a category), used here only to complete a list
the other components already recognise as one of conditions.

An enumeration is the items of a bulleted or numbered run of lines (each item up to its first
punctuation), or a comma-separated series within a clause closed by its "and"/"or" conjunct
("A, B, C and D"). It is completed when it has at least ``min_items`` items, at least
``min_known`` of them (and a share of ``min_known_share``) hold a mention, and a missing item is
a short noun phrase: at most ``max_words`` words of letters (function words aside), not opening
or ending on a function word, not a person ("children", "the elderly"), no capital inside a
running sentence (a name). The new mentions have no concept (``method`` "enumeration");
``mention_context`` labels them as any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from pipeline.extract.mention import PERSONAL_SUFFIX, Mention
from pipeline.extract.pattern_tables import read_patterns
from pipeline.extract.word_lists import word_list
from pipeline.segment import LIST_MARK

METHOD = "enumeration"

#: where a bulleted item's name ends: "drooping eyelid (ptosis), about 4%"
_ITEM_END = re.compile(r"\s*(?:[(\[,:;.!?]|\s[-–—]\s)")
#: what closes a clause: an enumeration does not run across these
_CLAUSE_END = re.compile(r"[.;:!?()\[\]]|\s[-–—]\s|—|–")
_COMMA = re.compile(r",\s*")
#: the conjunctions of a list (``data/enumeration_rules.tsv``)
ENUMERATION_RULES = Path(__file__).parent / "data" / "enumeration_rules.tsv"
_CONJUNCTIONS = read_patterns(ENUMERATION_RULES)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_LINE = re.compile(r"[^\n]*")
#: words that cannot open or close a member, and of those the ones it may hold inside
_CLOSED_WORDS = word_list("function_words") | word_list("pronouns") | word_list("intensifiers")
_INNER_WORDS = word_list("member_inner_words")
_TRAILING_WORDS = word_list("trailing_words")
_NOT_MEMBERS = word_list("not_list_members")
_PERSON_NOUNS = word_list("person_nouns")


@dataclass(frozen=True)
class EnumerationSettings:
    """How much of a list must be known, and how long an unknown member may be."""

    min_items: int = 3
    min_known: int = 2
    min_known_share: float = 0.4
    max_words: int = 4


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    #: a member that may be added (not the first item of a series: it carries its lead-in)
    addable: bool = True
    #: inside a running sentence (a capital there is a name, not the start of an item)
    inline: bool = False
    #: the items split from one item at "and"/"or" share a group: in a bulleted item the group
    #: is one member ("alcohol or drug abuse"); in a series a lone word beside a known name is
    #: the rest of it ("loss of appetite and weight")
    group: int = -1


def complete_enumerations(
    text: str, mentions: list[Mention], settings: EnumerationSettings = EnumerationSettings()
) -> list[Mention]:
    """``mentions`` with the missing members of every enumeration of conditions added."""
    # an adjective kept only in first-person texts (method "...:personal") is neither known nor
    # in the way: a member found here replaces it
    conditions = sorted((m.start, m.end) for m in mentions if m.label == "CONDITION" and PERSONAL_SUFFIX not in m.method)
    if len(conditions) < settings.min_known:
        return mentions
    taken = [(m.start, m.end) for m in mentions if PERSONAL_SUFFIX not in m.method]
    added: list[Mention] = []
    for items in _enumerations(text):
        if len(items) < settings.min_items:
            continue
        known = [any(s < item.end and item.start < e for s, e in conditions) for item in items]
        if sum(known) < settings.min_known or sum(known) < settings.min_known_share * len(items):
            continue
        items, known = _shared_heads(text, items, known)
        for item, is_known in zip(items, known):
            if is_known or not item.addable or any(s < item.end and item.start < e for s, e in taken):
                continue
            if _completes_a_known_name(text, item, items, known):
                continue
            if _is_short_noun_phrase(text[item.start : item.end], item.inline, settings.max_words):
                added.append(Mention(item.start, item.end, "CONDITION", METHOD))
                taken.append((item.start, item.end))
    if not added:
        return mentions
    kept = [
        m
        for m in mentions
        if PERSONAL_SUFFIX not in m.method or not any(a.start < m.end and m.start < a.end for a in added)
    ]
    return sorted(kept + added, key=lambda m: (m.start, m.end, m.label))


def _shared_heads(text: str, items: list[_Item], known: list[bool]) -> tuple[list[_Item], list[bool]]:
    """Unknown pieces of one group that share the last piece's head are one member: "tendon and
    ligament injuries", "elevated or lowered blood pressure" (the pieces before the last are
    single singular words: "nightmares or vivid dreams" are two)."""
    merged: list[_Item] = []
    merged_known: list[bool] = []
    i = 0
    while i < len(items):
        j = i
        while j + 1 < len(items) and items[i].group >= 0 and items[j + 1].group == items[i].group:
            j += 1
        group = items[i : j + 1]
        modifiers = [text[item.start : item.end] for item in group[:-1]]
        if (
            len(group) > 1
            and not any(known[i : j + 1])
            and all(len(m.split()) == 1 and not m.lower().endswith("s") for m in modifiers)
            and len(text[group[-1].start : group[-1].end].split()) > 1
        ):
            merged.append(replace(group[-1], start=group[0].start))
            merged_known.append(False)
        else:
            merged += group
            merged_known += known[i : j + 1]
        i = j + 1
    return merged, merged_known


def _completes_a_known_name(text: str, item: _Item, items: list[_Item], known: list[bool]) -> bool:
    """Whether ``item`` is part of a coordinated name whose other part is known: any part of
    a bulleted item, or a lone word beside a name of several words in a series."""
    if item.group < 0:
        return False
    partners = [other for other, is_known in zip(items, known) if is_known and other.group == item.group]
    if not partners:
        return False
    if not item.inline:  # a bulleted item
        return True
    return len(text[item.start : item.end].split()) == 1 and any(
        len(text[other.start : other.end].split()) > 1 for other in partners
    )


def _enumerations(text: str) -> Iterator[list[_Item]]:
    yield from _bulleted_runs(text)
    for line in _LINE.finditer(text):
        if line.group().strip() and not LIST_MARK.match(line.group()):
            yield from _series_in_line(text, line.start(), line.end())


def _bulleted_runs(text: str) -> Iterator[list[_Item]]:
    """The items of each run of consecutive list lines, each up to its first punctuation; an
    item "A or B" is two members."""
    run: list[_Item] = []
    for line in _LINE.finditer(text):
        mark = LIST_MARK.match(line.group())
        if not mark:
            if line.group().strip():
                if run:
                    yield run
                run = []
            continue
        start = line.start() + mark.end()
        while start < line.end() and text[start].isspace():
            start += 1
        end_match = _ITEM_END.search(text, start, line.end())
        end = end_match.start() if end_match else line.end()
        run.extend(_split_conjoined(text, start, end, inline=False))
    if run:
        yield run


def _series_in_line(text: str, start: int, end: int) -> Iterator[list[_Item]]:
    """Each comma series "A, B, C and D" in the clauses of one line."""
    clause_start = start
    for boundary in [*_CLAUSE_END.finditer(text, start, end), None]:
        clause_end = boundary.start() if boundary else end
        parts = _parts(text, clause_start, clause_end)
        if len(parts) >= 3 or (len(parts) == 2 and _CONJUNCTIONS["inner_conjunction"].search(text, *parts[-1])):
            items = _series(text, parts)
            if items:
                yield items
        clause_start = boundary.end() if boundary else end


def _parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    parts, at = [], start
    for comma in [*_COMMA.finditer(text, start, end), None]:
        part_end = comma.start() if comma else end
        parts.append(_stripped(text, at, part_end))
        at = comma.end() if comma else end
    return [part for part in parts if part[0] < part[1]]


def _series(text: str, parts: list[tuple[int, int]]) -> list[_Item]:
    """The items of a comma series, up to and including its "and"/"or" conjunct; the first
    part is an item but may hold its lead-in ("symptoms include low blood pressure")."""
    items = [_Item(*parts[0], addable=False, inline=True)]
    for i, (start, end) in enumerate(parts[1:], 1):
        conjunct = _CONJUNCTIONS["conjunct"].match(text, start, end)
        if conjunct:
            items.append(_Item(conjunct.end(), end, inline=True))
            return items
        inner = _CONJUNCTIONS["inner_conjunction"].search(text, start, end)
        if inner:
            return [*items, *_split_conjoined(text, start, end, inline=True)]
        items.append(_Item(start, end, inline=True))
    return items


def _split_conjoined(text: str, start: int, end: int, inline: bool) -> list[_Item]:
    """The pieces of ``text[start:end]`` at "and"/"or", one group (named by its start)."""
    items, at = [], start
    for inner in [*_CONJUNCTIONS["inner_conjunction"].finditer(text, start, end), None]:
        piece = _stripped(text, at, inner.start() if inner else end)
        if piece[0] < piece[1]:
            items.append(_Item(*piece, inline=inline, group=start))
        at = inner.end() if inner else end
    return items


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _is_short_noun_phrase(phrase: str, inline: bool, max_words: int) -> bool:
    words = _WORD.findall(phrase)
    if not words or " ".join(words) != " ".join(phrase.split()):
        return False
    lowered = [word.lower() for word in words]
    if sum(word not in _CLOSED_WORDS for word in lowered) > max_words:
        return False
    if lowered[0] in _CLOSED_WORDS or lowered[-1] in _CLOSED_WORDS or lowered[-1] in _TRAILING_WORDS:
        return False
    if any(word in _NOT_MEMBERS for word in lowered):
        return False
    if any(word in _CLOSED_WORDS and word not in _INNER_WORDS for word in lowered[1:-1]):
        return False
    if any(word in _PERSON_NOUNS or word.rstrip("s") in _PERSON_NOUNS for word in lowered):
        return False
    capitals = words if inline else words[1:]
    return not any(any(ch.isupper() for ch in word) for word in capitals)
