"""Tests for pipeline.extract.doses: dose spans, their structure, and what they are stated for."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.extract.dose_purpose import stated_for
from pipeline.extract.doses import Dose, find_doses

SHARED = Path(__file__).resolve().parents[2] / "shared"  # ../shared beside the repository
GOLD = SHARED / "gold" / "seeds.jsonl"
CORPUS = SHARED / "corpus"
ADE_DOSES = SHARED / "benchmarks" / "ade_corpus_v2" / "DRUG-DOSE.rel"

STRUCTURE = (
    "low",
    "high",
    "unit",
    "per",
    "times_per_day",
    "route",
    "duration_days_low",
    "duration_days_high",
)


def only_dose(text: str) -> Dose:
    doses = find_doses(text)
    assert len(doses) == 1, [d.text for d in doses]
    return doses[0]


def structure(dose: Dose) -> dict:
    return {name: getattr(dose, name) for name in STRUCTURE}


def expected(low, high, unit, **fields) -> dict:
    result = dict.fromkeys(STRUCTURE)
    result.update(low=low, high=high, unit=unit, **fields)
    return result


def check(text: str, span: str, want: dict) -> None:
    dose = only_dose(text)
    assert dose.text == span
    assert text[dose.start : dose.end] == span
    got = structure(dose)
    if got["times_per_day"] is not None and want["times_per_day"] is not None:
        assert got["times_per_day"] == pytest.approx(want["times_per_day"])
        got["times_per_day"] = want["times_per_day"]
    assert got == want


AMOUNTS = [
    ("took 1,200 mg of it", "1,200 mg", expected(1200, 1200, "mg")),
    ("a dose of 0.25 mg", "0.25 mg", expected(0.25, 0.25, "mg")),
    ("a dose of 2,5 mg", "2,5 mg", expected(2.5, 2.5, "mg")),
    ("range 20-50 mg", "20-50 mg", expected(20, 50, "mg")),
    ("range 20–50 mg", "20–50 mg", expected(20, 50, "mg")),
    ("range 20 - 50 mg", "20 - 50 mg", expected(20, 50, "mg")),
    ("from 10 to 50 mg", "10 to 50 mg", expected(10, 50, "mg")),
    ("between 5 and 10 mg", "between 5 and 10 mg", expected(5, 10, "mg")),
    ("either 5 or 10 mg", "5 or 10 mg", expected(5, 10, "mg")),
    ("5 mg-10 mg", "5 mg-10 mg", expected(5, 10, "mg")),
    ("between 5 mg and 10 mg", "between 5 mg and 10 mg", expected(5, 10, "mg")),
    ("take up to 20 mg", "up to 20 mg", expected(None, 20, "mg")),
    ("High doses (≥80 mL/day)", "≥80 mL/day", expected(80, None, "mL", per="day")),
    ("keep it < 2 g", "< 2 g", expected(None, 2, "g")),
    ("≤ 4 g/day", "≤ 4 g/day", expected(None, 4, "g", per="day")),
    ("at least 5 mg", "at least 5 mg", expected(5, None, "mg")),
    ("more than 35 g of caffeine", "more than 35 g", expected(35, None, "g")),
    (
        "a maximum of 40 mg per day",
        "a maximum of 40 mg per day",
        expected(None, 40, "mg", per="day"),
    ),
    ("no more than 4 g/day", "no more than 4 g/day", expected(None, 4, "g", per="day")),
    ("instil two drops", "two drops", expected(2, 2, "drop")),
    ("take one tablet", "one tablet", expected(1, 1, "tablet")),
    ("a mean of 150 ± 50 mg", "150 ± 50 mg", expected(150, 150, "mg")),
    ("a 450-mg bolus", "450-mg", expected(450, 450, "mg")),
]


@pytest.mark.parametrize("text,span,want", AMOUNTS)
def test_amounts(text: str, span: str, want: dict) -> None:
    check(text, span, want)


def test_bare_numbers_listed_before_a_dose_share_its_unit() -> None:
    doses = find_doses("after the ingestion of 30.6 and 114 g metronidazole respectively")
    assert [(d.text, d.low, d.unit) for d in doses] == [("30.6", 30.6, "g"), ("114 g", 114, "g")]


def test_comma_list_gives_one_dose_per_number() -> None:
    doses = find_doses("The doses were 3,000, 6,000, or 12,000 U/day.")
    assert [(d.text, d.low, d.unit, d.per) for d in doses] == [
        ("3,000", 3000, "IU", "day"),
        ("6,000", 6000, "IU", "day"),
        ("12,000 U/day", 12000, "IU", "day"),
    ]


def test_a_change_from_one_dose_to_another_gives_two_doses() -> None:
    doses = find_doses("the dose was reduced from 40 mg to 20 mg i.v. q6h")
    assert [(d.text, d.low, d.high) for d in doses] == [
        ("40 mg", 40, 40),
        ("20 mg i.v. q6h", 20, 20),
    ]


UNITS = [
    ("10 mg", "mg"),
    ("10 MG", "mg"),
    ("10 milligrams", "mg"),
    ("2 g", "g"),
    ("8 gm", "g"),
    ("2 grams", "g"),
    ("5 mcg", "mcg"),
    ("5 µg", "mcg"),
    ("5 μg", "mcg"),
    ("5 ug", "mcg"),
    ("5 microg", "mcg"),
    ("5 micrograms", "mcg"),
    ("100 ng", "ng"),
    ("5 ml", "mL"),
    ("5 mL", "mL"),
    ("0.5 cc", "mL"),
    ("2.5 L", "L"),
    ("100 IU", "IU"),
    ("40 units", "IU"),
    ("100 U", "IU"),
    ("25 UI", "IU"),
    ("20 mmol", "mmol"),
    ("600 mEq", "mEq"),
    ("3 drops", "drop"),
    ("2 tablets", "tablet"),
    ("2 tabs", "tablet"),
    ("2 capsules", "capsule"),
    ("2 caps", "capsule"),
    ("2 puffs", "puff"),
    ("2 ampoules", "ampoule"),
    ("2 ampuls", "ampoule"),
    ("2 vials", "vial"),
    ("10 mg/kg", "mg/kg"),
    ("5.0 microg/kg", "mcg/kg"),
    ("30 mg kg-1", "mg/kg"),
    ("45 ml/kg body weight", "mL/kg"),
    ("60 mg/m2", "mg/m2"),
    ("60 mg/m²", "mg/m2"),
    ("10 mg/m(2)", "mg/m2"),
    ("8 gm/m2", "g/m2"),
]


@pytest.mark.parametrize("text,unit", UNITS)
def test_units(text: str, unit: str) -> None:
    dose = only_dose(f"He received {text} of it.")
    assert (dose.text, dose.unit) == (text, unit)


BASE_AMOUNTS = [
    ("1.5 g", 1500, 1500, "mg"),
    ("250 mcg", 0.25, 0.25, "mg"),
    ("100 ng", 0.0001, 0.0001, "mg"),
    ("10-20 mg", 10, 20, "mg"),
    ("up to 2 g", None, 2000, "mg"),
    ("0.5 L", 500, 500, "mL"),
    ("5 mL", 5, 5, "mL"),
    ("10 IU", None, None, None),
    ("5 mg/kg", None, None, None),
    ("60 mg/m2", None, None, None),
    ("2 tablets", None, None, None),
    ("20 mEq", None, None, None),
]


@pytest.mark.parametrize("text,low,high,base", BASE_AMOUNTS)
def test_amounts_in_base_units(text: str, low, high, base) -> None:
    dose = only_dose(f"She took {text} once.")
    assert (dose.amount_base_low, dose.amount_base_high, dose.base_unit) == (low, high, base)


PERS = [
    ("20 mg/day", "day"),
    ("20 mg per day", "day"),
    ("20 mg a day", "day"),
    ("20 mg/d", "day"),
    ("20 mg/24 h", "day"),
    ("15 mg/week", "week"),
    ("30 mg/month", "month"),
    ("60 mg/vial", "vial"),
    ("10 mg/dose", "dose"),
    ("20 mg/ml", "mL"),
    ("215.2 mg per ml", "mL"),
    ("5 mg per tablet", "tablet"),
    ("250 mg/ampoule", "ampoule"),
]


@pytest.mark.parametrize("text,per", PERS)
def test_per(text: str, per: str) -> None:
    dose = only_dose(f"It was {text}.")
    assert (dose.text, dose.per, dose.times_per_day) == (text, per, None)


def test_per_body_weight_and_day() -> None:
    check("isotretinoin (1 mg/kg/day)", "1 mg/kg/day", expected(1, 1, "mg/kg", per="day"))
    check("acyclovir (30 mg/kg per day)", "30 mg/kg per day", expected(30, 30, "mg/kg", per="day"))
    check("at 100 mg/m2/d", "100 mg/m2/d", expected(100, 100, "mg/m2", per="day"))


@pytest.mark.parametrize(
    "context,per",
    [
        ("Each ml contains 215.2 mg of it.", "mL"),
        ("Each tablet contains 215.2 mg of it.", "tablet"),
    ],
)
def test_per_from_what_contains_the_amount(context: str, per: str) -> None:
    dose = only_dose(context)
    assert (dose.text, dose.low, dose.per) == ("215.2 mg", 215.2, per)


FREQUENCIES = [
    ("10 mg once daily", 1, "day"),
    ("10 mg twice a day", 2, None),
    ("10 mg twice daily", 2, None),
    ("4 mg twice/day", 2, None),
    ("10 mg three times a day", 3, None),
    ("10 mg 4 times per day", 4, None),
    ("10 mg b.i.d.", 2, None),
    ("10 mg bid", 2, None),
    ("10 mg BID", 2, None),
    ("10 mg t.i.d.", 3, None),
    ("10 mg tid", 3, None),
    ("10 mg q.i.d.", 4, None),
    ("10 mg every 8 hours", 3, None),
    ("10 mg every 12 h", 2, None),
    ("10 mg every 4-6 hours", 6, None),
    ("10 mg once-daily", 1, "day"),
    ("10 mg q8h", 3, None),
    ("10 mg q 6 h", 4, None),
    ("10 mg every other day", 0.5, None),
    ("10 mg every 3 weeks", 1 / 21, None),
    ("10 mg in 3 divided doses", 3, None),
    ("10 mg at bedtime", 1, None),
    ("10 mg daily", 1, "day"),
    ("10 mg weekly", 1 / 7, "week"),
    ("10 mg monthly", 1 / 30, "month"),
]


@pytest.mark.parametrize("text,times_per_day,per", FREQUENCIES)
def test_frequency(text: str, times_per_day: float, per: str | None) -> None:
    dose = only_dose(f"Give {text}.")
    assert dose.text == text
    assert dose.times_per_day == pytest.approx(times_per_day)
    assert dose.per == per


ROUTES = [
    ("20 mL IV", "IV"),
    ("1 g i.v.", "IV"),
    ("2 mg/kg intravenously", "IV"),
    ("10 mg intravenous", "IV"),
    ("5 mL IM", "IM"),
    ("10 mg intramuscularly", "IM"),
    ("50 mg/m2 given intramuscularly", "IM"),
    ("5000 units SC", "SC"),
    ("5000 units s.c.", "SC"),
    ("5000 units subcutaneously", "SC"),
    ("200 mcg intranasal", "intranasal"),
    ("200 mcg nasally", "intranasal"),
    ("100 mg orally", "oral"),
    ("100 mg p.o.", "oral"),
    ("250 mg by mouth", "oral"),
    ("500 mg by intravenous infusion", "IV"),
    ("8 gm/m2 by 6 h continuous infusion", "IV"),
    ("12 mg intrathecal", "intrathecal"),
    ("0.4 mg sublingual", "sublingual"),
    ("5 g topically", "topical"),
    ("2 puffs inhaled", "inhaled"),
    ("10 mg rectally", "rectal"),
    ("1 drop in each eye", "ophthalmic"),
]


@pytest.mark.parametrize("text,route", ROUTES)
def test_route(text: str, route: str) -> None:
    dose = only_dose(f"She was given {text} at once.")
    assert (dose.text, dose.route) == (text, route)


def test_injection_alone_is_no_route_and_outside_the_span() -> None:
    dose = only_dose("She was given 5 mg injection daily.")
    assert (dose.text, dose.route) == ("5 mg", None)


DURATIONS = [
    ("20 mg for 7-21 days", 7, 21),
    ("20 mg for 4 weeks", 28, 28),
    ("20 mg for 1 month", 30, 30),
    ("20 mg for 2 years", 730, 730),
    ("20 mg for two weeks", 14, 14),
    ("20 mg over 2 weeks", 14, 14),
    ("20 mg for 5 consecutive days", 5, 5),
    ("20 mg for up to 4 weeks", None, 28),
    ("20 mg for at least 6 weeks", 42, None),
    ("20 mg/day for a 10-day course", 10, 10),
    ("1,500 mg over two days", 2, 2),
]


@pytest.mark.parametrize("text,low,high", DURATIONS)
def test_duration(text: str, low, high) -> None:
    dose = only_dose(f"Treated with {text}.")
    assert (dose.text, dose.duration_days_low, dose.duration_days_high) == (text, low, high)


def test_course_written_before_the_amount() -> None:
    dose = only_dose("A 10-day course of 20 mg/day was given.")
    assert (dose.text, dose.low, dose.per) == ("10-day course of 20 mg/day", 20, "day")
    assert (dose.duration_days_low, dose.duration_days_high) == (10, 10)


def test_an_infusion_time_is_not_a_duration() -> None:
    dose = only_dose("iron sucrose (16 mg/kg) over 3 hours")
    assert (dose.text, dose.duration_days_low) == ("16 mg/kg", None)


SPANS = [
    (
        "Nootropic Use: 5-10 mL/day IM for 10-20 days, with cycles repeated as needed.",
        "5-10 mL/day IM for 10-20 days",
        expected(5, 10, "mL", per="day", route="IM", duration_days_low=10, duration_days_high=20),
    ),
    (
        "AD/Vascular Dementia: 10-30 mL/day IV for 4 weeks, repeated 2-4 times annually.",
        "10-30 mL/day IV for 4 weeks",
        expected(10, 30, "mL", per="day", route="IV", duration_days_low=28, duration_days_high=28),
    ),
    ("60mg/vial*6vials |", "60mg/vial", expected(60, 60, "mg", per="vial")),
    ("Cerebrolysin 60 mg/vial ×6 vials", "60 mg/vial", expected(60, 60, "mg", per="vial")),
    (  # a comma ends the span (ANNOTATION.md v2, Convention 2)
        "propylthiouracil (100 mg orally, three times a day).",
        "100 mg orally",
        expected(100, 100, "mg", route="oral"),
    ),
    (
        "ARA-C (2 g/m2 intravenously every 12 hours), she developed",
        "2 g/m2 intravenously every 12 hours",
        expected(2, 2, "g/m2", times_per_day=2, route="IV"),
    ),
    (
        "Doses can range from 10 to 50 ml per day, depending on the condition.",
        "10 to 50 ml per day",
        expected(10, 50, "mL", per="day"),
    ),
]


@pytest.mark.parametrize("text,span,want", SPANS)
def test_span_rules(text: str, span: str, want: dict) -> None:
    check(text, span, want)


NOT_DOSES = [
    "A trial of 208 patients examined the effects.",
    "It was given for 21 days after the stroke.",
    "High Purity (≥98%)",
    "a mixture of low molecular weight peptides (25%) and free amino acids (75%)",
    "Store at room temperature (15-25°C).",
    "refrigerate at 2-8°C for up to 24 hours",
    "Keep below 25 °C.",
    "A 65 years old woman.",
    "a 6.9-year-old autistic male",
    "creatinine clearance 30 mL/min",
    "not recommended when CrCl < 30 mL/min",
    "eGFR 45 mL/min/1.73 m2",
    "fasting glucose 5.5 mmol/L",
    "total cholesterol 140 mg/dL",
    "a mean decrease in serum Na+ of 8.25 +/- 3.2 mEq/L",
    "TCA concentrations were > 3 micrograms/l",
    "serum phenytoin levels were 43.5 mcg/mL, 46.5 mcg/mL and 38.3 mcg/mL.",
    "trough level 12 ng/mL",
    "creatinine 1.2 mg at baseline",
    "It costs $45.",
    "It costs €30.",
    "€30 per 10 mL",
    "SKU 10-50ML",
    "Cat. No. 5 mg",
    "Published 2019-05-10.",
    "Article last updated in May 2020.",
    "Supplied ×6 vials.",
    "Sold as a pack of 10 ampoules.",
    "box of 30 tablets",
    "Pack: 60 capsules",  # a labelled pack count
    "Quantity: 30 tablets",
    "Size: 120 capsules",
    "10 tablets per box",
    "Continue for 4 weeks.",
    "a peptide of 10 kDa",
    "a molar mass of 180 g/mol",
    "blood pressure 140/90 mmHg",
    "heart rate 80 beats/min",
    "then an infusion at 0.4 mg/h",  # an infusion rate (ANNOTATION.md v2)
    "cells were exposed to 10 µM of the drug",
    "weighing 70 kg",
    "He was transfused with 3 units of packed red blood cells.",
    "drainage of 1500 mL of frank blood",
    "Vd = 0.23 l/kg",
    "High-dose methotrexate was given.",
    "See Fig. 3g and Table 2 L.",
    "Word Count: ~2000",
    "metripranolol 0.6% eye drops",
    "1 Star2 Stars3 Stars4 Stars5 Stars",
    "urinary calcium excretion had also increased from 0.008 g/day to 0.475 g/day",
    "The neonate weighed 884 g at birth.",
    "He received a 3-unit blood transfusion.",
    "grade 3 proteinuria (8.5 g/24 h)",
    "Ninety-two patients were enrolled.",
]


@pytest.mark.parametrize("text", NOT_DOSES)
def test_not_a_dose(text: str) -> None:
    assert find_doses(text) == []


def test_offset_is_added_to_spans() -> None:
    text = "Give 10 mg daily."
    dose = find_doses(text, offset=100)[0]
    assert (dose.start, dose.end, dose.text) == (105, 116, "10 mg daily")
    assert text[dose.start - 100 : dose.end - 100] == dose.text


STATED_FOR = [
    ("Stroke/TBI: 20-50 mL/day IV for 7-21 days.", "Stroke/TBI"),
    (
        "- AD/Vascular Dementia: 10-30 mL/day IV for 4 weeks, repeated 2-4 times annually.",
        "AD/Vascular Dementia",
    ),
    (
        "Elderly/Frail Patients: Lower initial doses (e.g., 5 mL/day) to minimize adverse effects.",
        "Elderly/Frail Patients",
    ),
    ("for Alzheimer's: 10 mg twice daily", "Alzheimer's"),
    ("Adults: 500 mg every 12 hours. Epilepsy: 10 mg/kg twice daily.", "Epilepsy"),
    ("In patients with epilepsy, 10 mg/kg twice daily is recommended.", "epilepsy"),
    ("For the treatment of chronic migraine, 155 units IM every 12 weeks.", "chronic migraine"),
    ("For epilepsy, 10 mg/kg is given.", "epilepsy"),
    ("Condition | Adult dose\nFever | 200-400 mg every 4 to 6 hours |", "Fever"),  # a dosing table by indication
    ("| Rheumatoid arthritis | 400-800 mg three or four times daily |", "Rheumatoid arthritis"),
    ("isotretinoin (1 mg/kg/day) for cystic acne complained of glare", "cystic acne"),
    ("clonazepam 2 mg/day (0.02 mg/kg/day) to treat aggression, self-injury", "aggression"),
    (
        "quinacrine at a dosage of 100 mg twice daily for the treatment of discoid lupus.",
        "discoid lupus",
    ),
    (
        "propafenone 900 mg/d for >10 years for paroxysmal atrial fibrillation without effects",
        "paroxysmal atrial fibrillation",
    ),
]


@pytest.mark.parametrize("text,purpose", STATED_FOR)
def test_stated_for(text: str, purpose: str) -> None:
    dose = find_doses(text)[-1]
    found = stated_for(text, dose)
    assert found is not None
    assert text[found[0] : found[1]] == purpose


NOT_STATED_FOR = [
    "Doses of Cerebrolysin can range from 10 to 50 ml per day, depending on the condition.",
    "Side Effects: Generally well-tolerated; mild headache. High doses (≥80 mL/day) may harm.",
    "Dosing: 10 mg daily",
    "CASE REPORT: Soon after initiation of amiodarone HCl (200 mg/day), a man came to us.",
    "For 2 weeks, 10 mg daily was given.",
    "She took 10 mg daily for 5 days.",
    "He received 20 mg for several days.",
    "factor VIII:C concentrates (mean 60,000 U/year) since 1975",
]


@pytest.mark.parametrize("text", NOT_STATED_FOR)
def test_not_stated_for(text: str) -> None:
    dose = find_doses(text)[0]
    assert stated_for(text, dose) is None


def test_stated_for_applies_the_offset() -> None:
    text = "Stroke/TBI: 20-50 mL/day IV"
    dose = find_doses(text, offset=1000)[0]
    assert stated_for(text, dose, offset=1000) == (1000, 1010)


# --- gold seeds and benchmarks from ../shared (skipped when it is not there) --------------


def _gold_doses() -> list[dict]:
    if not GOLD.exists():
        return []
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [row for row in rows if row.get("label") == "DOSE"]


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence-sized context: from the previous line or sentence end to the next."""
    boundaries = [m.end() for m in re.finditer(r"\n|[.!?]\s", text[:start])]
    left = boundaries[-1] if boundaries else 0
    following = re.search(r"\n|[.!?](?:\s|$)", text[end:])
    right = end + following.start() if following else len(text)
    return left, right


GOLD_ROWS = _gold_doses()


@pytest.mark.skipif(not GOLD_ROWS, reason="gold seeds not available")
@pytest.mark.parametrize("row", GOLD_ROWS, ids=[f"{r['doc']}:{r['text']}" for r in GOLD_ROWS])
def test_gold_dose_in_its_sentence(row: dict) -> None:
    text = (CORPUS / f"{row['doc']}.txt").read_text(encoding="utf-8")
    left, right = _sentence_around(text, row["start"], row["end"])
    doses = [
        d
        for d in find_doses(text[left:right], offset=left)
        if d.start < row["end"] and row["start"] < d.end
    ]
    assert len(doses) == 1
    dose = doses[0]
    assert (dose.start, dose.end, dose.text) == (row["start"], row["end"], row["text"])
    gold = row["dose"]
    for key in STRUCTURE:
        assert getattr(dose, key) == gold.get(key), key


@pytest.mark.skipif(not GOLD_ROWS, reason="gold seeds not available")
def test_seed_corpus_has_no_other_doses() -> None:
    gold = {(r["doc"], r["start"], r["end"]) for r in GOLD_ROWS}
    found = set()
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found |= {(path.stem, d.start, d.end) for d in find_doses(text)}
    assert found == gold


@pytest.mark.skipif(not GOLD_ROWS, reason="gold seeds not available")
def test_gold_stated_for() -> None:
    text = (CORPUS / "002_8b6e0ff55daab5de.txt").read_text(encoding="utf-8")
    labels = {}
    for dose in find_doses(text):
        found = stated_for(text, dose)
        labels[dose.text] = text[found[0] : found[1]] if found else None
    assert labels == {
        "60mg/vial": None,
        "20-50 mL/day IV for 7-21 days": "Stroke/TBI",
        "10-30 mL/day IV for 4 weeks": "AD/Vascular Dementia",
        "5-10 mL/day IM for 10-20 days": "Nootropic Use",
        "5 mL/day": "Elderly/Frail Patients",
        "≥80 mL/day": None,
    }


def _ade_dose_rows() -> list[tuple[str, int, int]]:
    """(sentence, dose start, dose end) for each quantitative ADE-Corpus-V2 DRUG-DOSE row.

    Offsets in the file are document-level; the dose is placed in the sentence at the
    occurrence whose distance to the drug mention matches the document offsets.
    """
    rows = []
    for line in ADE_DOSES.read_text(encoding="utf-8").splitlines():
        _, sentence, dose, dose_start, _, drug, drug_start, _ = line.split("|")
        if not re.search(r"\d", dose):
            continue  # "overdose", "high-dose": no amount, not a DOSE by the guideline
        distance = int(dose_start) - int(drug_start)
        drugs = [m.start() for m in re.finditer(re.escape(drug), sentence)]
        places = [m.start() for m in re.finditer(re.escape(dose), sentence)]
        place = next((p for p in places if any(p - d == distance for d in drugs)), places[0])
        rows.append((sentence, place, place + len(dose)))
    return rows


@pytest.mark.skipif(not ADE_DOSES.exists(), reason="ADE-Corpus-V2 not available")
def test_ade_corpus_dose_recall() -> None:
    rows = _ade_dose_rows()
    hits = sum(
        any(d.start < end and start < d.end for d in find_doses(sentence))
        for sentence, start, end in rows
    )
    assert len(rows) > 100
    assert hits / len(rows) >= 0.85


# --- guideline version 2 (ANNOTATION.md Conventions 2-4) --------------------------------------

V2_SPANS = [
    # frequency, time of day and duration that follow the amount are inside the span
    (
        "Give 10 mg twice daily (morning and afternoon) for 10 days.",
        "10 mg twice daily (morning and afternoon) for 10 days",
        expected(10, 10, "mg", times_per_day=2, duration_days_low=10, duration_days_high=10),
    ),
    ("He took 600 mg x3 yesterday.", "600 mg x3", expected(600, 600, "mg", times_per_day=3)),
    ("Load with 4800 mg on day 1, then less.", "4800 mg on day 1", expected(4800, 4800, "mg")),
    (
        "Use 1200 mg two to three times daily p.o. now.",
        "1200 mg two to three times daily p.o.",
        expected(1200, 1200, "mg", times_per_day=3, route="oral"),
    ),
    ("Try 600 mg in the evening | root", "600 mg in the evening", expected(600, 600, "mg")),
    ("Take 1mg about an hour before bed and", "1mg about an hour before bed", expected(1, 1, "mg")),
    (
        "Start 500 mg once daily with the evening meal, then more.",
        "500 mg once daily with the evening meal",
        expected(500, 500, "mg", per="day", times_per_day=1),
    ),
    (
        "It is 150–300 mg/day in 2–3 divided doses, and more.",
        "150–300 mg/day in 2–3 divided doses",
        expected(150, 300, "mg", per="day", times_per_day=3),
    ),
    (
        "It was 500 milligrams morning and evening.",
        "500 milligrams morning and evening",
        expected(500, 500, "mg"),
    ),
    (
        "Adderall IR starts at 5 mg once or twice daily; XR",
        "5 mg once or twice daily",
        expected(5, 5, "mg", times_per_day=2),
    ),
    # bound words set only one side
    ("Do not exceed 5 ml.", "not exceed 5 ml", expected(None, 5, "mL")),
    ("Take max. 24 g/day.", "max. 24 g/day", expected(None, 24, "g", per="day")),
    ("Maximum dose: 200 mg/day", "200 mg/day", expected(None, 200, "mg", per="day")),
    # strengths per volume, per dosage unit and per serving
    ("Suspension 100 mg/5 mL.", "100 mg/5 mL", expected(100, 100, "mg", per="5 mL")),
    ("one 5 mg vial; do not shake", "5 mg vial", expected(5, 5, "mg", per="vial")),
    ("held 1.3 mg to 13.1 mg per serving.", "1.3 mg to 13.1 mg per serving", expected(1.3, 13.1, "mg", per="dose")),
    ("Capsules range from 25 mg to 300 mg.", "25 mg to 300 mg", expected(25, 300, "mg")),
    # routes as written in prescriptions
    ("Give 5 mg SC now.", "5 mg SC", expected(5, 5, "mg", route="SC")),
    ("Ran 250mcg subq twice a day for 5 wks", "250mcg subq twice a day for 5 wks",
     expected(250, 250, "mcg", route="SC", times_per_day=2, duration_days_low=35, duration_days_high=35)),
    ("used 10 µg/kg i.p. once daily, or", "10 µg/kg i.p. once daily",
     expected(10, 10, "mcg/kg", route="IP", per="day", times_per_day=1)),
    # a comma ends the span
    ("3–6 g daily, simmered in milk", "3–6 g daily", expected(3, 6, "g", per="day", times_per_day=1)),
    # a titration step is the amount only
    ("titrate: add 500mg a week at a time", "500mg", expected(500, 500, "mg")),
    # "metformin" holds "min", which is no bound word here
    ("started me on metformin 500mg twice a day", "500mg twice a day", expected(500, 500, "mg", times_per_day=2)),
]


@pytest.mark.parametrize("text,span,want", V2_SPANS)
def test_guideline_v2_spans(text: str, span: str, want: dict) -> None:
    check(text, span, want)


def test_frequency_per_convention_4() -> None:
    pers = {text: only_dose(f"Take {text}.").per for text in (
        "70 mg once weekly", "20 mg every day", "500mcg every morning", "2 mg twice weekly",
        "140 mg every month", "10 mg every other day", "10 mg every 12 hours",
    )}
    assert pers == {
        "70 mg once weekly": "week",
        "20 mg every day": "day",
        "500mcg every morning": "day",
        "2 mg twice weekly": None,
        "140 mg every month": None,
        "10 mg every other day": None,
        "10 mg every 12 hours": None,
    }


def test_a_parenthetical_equivalent_is_its_own_dose() -> None:
    doses = find_doses("each site gets 5 units (0.1 mL). Vitamin D3, 25 µg per capsule (1,000 IU).")
    assert [(d.text, d.unit, d.per) for d in doses] == [
        ("5 units", "IU", None),
        ("0.1 mL", "mL", None),
        ("25 µg per capsule", "mcg", "capsule"),
        ("1,000 IU", "IU", "capsule"),  # the same capsule
    ]


def test_strengths_listed_after_a_dosage_form() -> None:
    doses = find_doses("Dosage forms: oral tablet (25 mg; 50 mg; 100 mg); oral concentrate (20 mg/mL)")
    assert [(d.text, d.per) for d in doses] == [("25 mg", "tablet"), ("50 mg", "tablet"), ("100 mg", "tablet"), ("20 mg/mL", "mL")]
    # a regimen in parentheses after a dosage form is no list of strengths
    doses = find_doses("Patients Treated with Celecoxib Capsules (100 mg to 200 mg Twice Daily or 200 mg Once Daily)")
    assert [(d.text, d.per) for d in doses] == [("100 mg to 200 mg Twice Daily", None), ("200 mg Once Daily", "day")]


V2_NOT_DOSES = [
    "Slowly add 2 mL of bacteriostatic water down the side.",  # a diluent
    "Excipients: glycine – 12 mg, lactose 90 mg, magnesium stearate 1 mg.",  # excipients
    "Reconstitution | 2 mL bacteriostatic water",
    "simmered in a cup (240 mL) of milk",  # a vehicle
    "then an infusion of 1 g per hour for 24 hours",  # an infusion rate
    "This item: Modafinil 200 mg × 30",  # "× 30" counts packs: the 200 mg is a product
]


@pytest.mark.parametrize("text", V2_NOT_DOSES[:5])
def test_guideline_v2_not_doses(text: str) -> None:
    assert find_doses(text) == []


def test_a_pack_count_after_a_strength_is_no_frequency() -> None:
    dose = only_dose(V2_NOT_DOSES[5])
    assert (dose.text, dose.times_per_day) == ("200 mg", None)


@pytest.mark.parametrize(
    ("text", "doses"),
    [
        ("Organic Turmeric Curcumin with Black Pepper - 90 capsules", []),  # what the pack holds
        ("Magnesium Glycinate 120 capsules", []),
        ("Each serving (2 capsules) provides 1000 mg turmeric extract.", ["2 capsules", "1000 mg"]),
        ("She swallowed 40 tablets of paracetamol.", ["40 tablets"]),  # taken: an amount, even a large one
        ("Take 30 tablets over 2 days.", ["30 tablets over 2 days"]),  # a schedule after it
        ("Add 30 drops in water.", ["30 drops"]),  # drops are dosed by the score
    ],
)
def test_a_large_count_of_dosage_units_that_nothing_says_is_taken_is_a_pack(text: str, doses: list[str]) -> None:
    assert [d.text for d in find_doses(text)] == doses


def test_milk_of_magnesia_is_a_product_not_a_vehicle() -> None:
    assert only_dose("or 30–60 mL of milk of magnesia at bedtime").text == "30–60 mL"


def test_an_age_range_is_not_a_listed_amount() -> None:
    doses = find_doses("65 mg for ages 1–3, 110 mg for ages 4–8 and 350 mg/day from age 9.")
    assert [d.text for d in doses] == ["65 mg", "110 mg", "350 mg/day"]


@pytest.mark.parametrize(
    "text,span,per,route",
    [
        ("Take 2 drops in each nostril twice daily.", "2 drops in each nostril twice daily", "nostril", "intranasal"),
        ("Use 300 mcg into each nostril.", "300 mcg into each nostril", "nostril", "intranasal"),
        ("It holds 50 mcg per spray.", "50 mcg per spray", "dose", None),
        ("Give 5 mg per injection.", "5 mg per injection", "dose", None),
    ],
)
def test_per_nostril_and_per_administration(text: str, span: str, per: str, route: str | None) -> None:
    dose = only_dose(text)
    assert (dose.text, dose.per, dose.route) == (span, per, route)


def _route_rows() -> list[dict[str, str]]:
    import csv

    from pipeline.extract.dose_grammar import ROUTES

    with ROUTES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize("row", _route_rows(), ids=lambda row: f"{row['route']}:{row['example']}")
def test_one_route_table_matches_and_names_each_route(row):
    """data/routes.tsv feeds both the pattern that finds a route and the name it gets: each
    row's example, after a dose, is read as that row's route."""
    (dose,) = find_doses(f"Give 10 mg {row['example']} twice daily.")
    assert dose.route == row["route"]
    assert dose.text.endswith("twice daily")  # the route is inside the span, and the frequency after it
