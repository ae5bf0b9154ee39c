"""DOSE mentions for a document: doses per sentence, linked to the conditions they are for.

:func:`pipeline.extract.doses.find_doses` structures each dose; when
:func:`pipeline.extract.doses.stated_for` finds the part of the sentence that says what the
dose is for ("Stroke/TBI: 20-50 mL/day"), the condition mentions inside that part give the
dose's ``condition_concept_ids``.
"""

from __future__ import annotations

from pipeline.extract.doses import find_doses, stated_for
from pipeline.extract.mention import Mention
from pipeline.segment import Segment


def dose_mentions(text: str, segments: list[Segment], conditions: list[Mention]) -> list[Mention]:
    """DOSE mentions of every segment, with the concepts of the conditions they are stated for."""
    found: list[Mention] = []
    for segment in segments:
        sentence = text[segment.start : segment.end]
        for dose in find_doses(sentence, segment.start):
            scope = stated_for(sentence, dose, segment.start)
            concept_ids: list[str] = []
            if scope is not None:
                for condition in conditions:
                    if scope[0] <= condition.start and condition.end <= scope[1] and condition.concept_id:
                        if condition.concept_id not in concept_ids:
                            concept_ids.append(condition.concept_id)
            found.append(
                Mention(
                    start=dose.start,
                    end=dose.end,
                    label="DOSE",
                    method="rule:dose",
                    dose=dose,
                    condition_concept_ids=concept_ids,
                )
            )
    return found
