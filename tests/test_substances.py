"""Tests for SUBSTANCE mentions and the subject (pipeline.extract.substances, substance_finder).

The texts are small pages written for the tests; the vocabulary is the real one (DrugBank,
MeSH and MedlinePlus names from the installed drug dictionary).
"""

from __future__ import annotations

import re

import pytest

from pipeline.extract.substances import (
    SubjectSettings,
    is_inn_like,
    load_lexicon,
    local_id,
    name_before,
    source_words,
)
from pipeline.nlp import make_doc


@pytest.fixture(scope="module")
def nlp(rules_nlp):
    return rules_nlp  # no NER model: the rules alone (conftest.py)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def subject_of(nlp, text: str, source: str | None = None, title: str | None = None) -> tuple[str, str] | None:
    doc = nlp(make_doc(nlp, text, title, source))
    subject = doc._.subject
    return (subject.concept_id, subject.name) if subject else None


def substances_of(nlp, text: str, source: str | None = None) -> list[tuple[str, str | None]]:
    doc = nlp(make_doc(nlp, text, None, source))
    return [(text[m.start : m.end], m.concept_name) for m in doc._.mentions if m.label == "SUBSTANCE"]


# --- the lexicon ---------------------------------------------------------------------------


def test_brands_resolve_to_the_ingredient(lexicon) -> None:
    assert lexicon.lookup("Zoloft") == lexicon.lookup("sertraline")
    assert lexicon.lookup("Zoloft").name == "Sertraline"
    assert lexicon.lookup("Botox").name == "OnabotulinumtoxinA"  # a MedlinePlus-only drug
    assert lexicon.lookup("Aimovig").name == "Erenumab"  # via the FDA-suffixed erenumab-aooe


def test_general_words_and_short_names(lexicon) -> None:
    assert lexicon.lookup("water") is None  # data/not_substances.tsv
    assert lexicon.lookup("gold") is None
    assert lexicon.lookup("thyroid gland") is None  # the organ, though MedlinePlus names a drug so
    assert [f.substance.name for f in lexicon.find("Gly-Pro-Val and VAL")] == ["Valsartan"]  # capitals only


def test_counter_ions_come_from_salt_names(lexicon) -> None:
    assert {"citrate", "chloride", "sulfate"} <= lexicon.counter_ions
    assert not {"sertraline", "metformin", "magnesium", "acetazolamide"} & lexicon.counter_ions


def test_lexicon_bytes_round_trip(lexicon) -> None:
    from pipeline.extract.substances import SubstanceLexicon

    again = SubstanceLexicon.from_bytes(lexicon.to_bytes())
    assert again.entries == lexicon.entries and again.capitals == lexicon.capitals
    assert again.counter_ions == lexicon.counter_ions


# --- names no vocabulary knows ------------------------------------------------------------


@pytest.mark.parametrize(
    "text,name",
    [
        ("a community stack is TB-500 2 mg twice weekly", "TB-500"),
        ("In the evening I added Selank 250 mcg", "Selank"),
        ("Armodafinil (Waklert) 150 mg", "Armodafinil"),  # over the parenthetical
        ("stacked it with phenylpiracetam 100 mg", "phenylpiracetam"),
        ("Tried 120mg twice a day", None),
        ("Some combine it with ashwagandha 300 mg", "ashwagandha"),  # a word English hardly knows
        ("then intranasally 5 mg", None),  # an adverb
        ("she was dosed 5 mg", None),
        ("Some stack it with T3 (25 mcg a day)", "T3"),  # a short code, the dose in parentheses
        ("Insomnia 600 mg", None),  # a condition name
    ],
)
def test_unknown_names_before_a_dose(text: str, name: str | None) -> None:
    position = re.search(r"(?<![\w.-])\d[\d.,]*\s?(?:mg|mcg|ml|g)\b", text).start()
    span = name_before(text, position)
    assert (text[span[0] : span[1]] if span else None) == name


def test_inn_stems() -> None:
    assert is_inn_like("phenylpiracetam") and is_inn_like("zuranolone") is False
    assert not is_inn_like("kebab")


def test_source_words_and_local_ids() -> None:
    assert source_words("psytar/EffexorXR_13.txt") == "Effexor XR"
    assert source_words("bpc157_vendor.html") == "bpc 157 vendor"
    assert source_words("000_0abf5aafb2a03cb7.txt") == ""
    assert local_id("BPC 157") == local_id("BPC-157") == "LOCAL:bpc-157"


# --- the subject ---------------------------------------------------------------------------

SHOP = """Home › Nootropics › Semax
Semax 0.1% Nasal Drops 3 ml
In stock

Semax is a synthetic peptide. Take 2 drops in each nostril twice daily. Semax is sold for research.

Frequently bought together: Noopept 10 mg · Cerebrolysin 5 ml · Melatonin 3 mg
"""

NOTHING = """Wellness Weekly
Ten habits for better sleep this winter

Most adults need seven to nine hours of sleep, yet a third of us get less than that every night.
Watch the caffeine: coffee has about 95 mg per cup. Some people try melatonin.

Related: Magnesium for sleep · Melatonin for kids · Melatonin 3 mg gummies reviewed
"""


def test_a_brand_in_the_title_names_its_ingredient(nlp) -> None:
    text = "Zoloft 50 mg tablets\n\nZoloft is taken once a day. Ask your pharmacist about Zoloft and alcohol.\n"
    assert subject_of(nlp, text) == ("DRUGBANK:DB01104", "Sertraline")


def test_a_substance_no_vocabulary_knows_gets_a_local_subject(nlp) -> None:
    assert subject_of(nlp, SHOP) == ("LOCAL:semax", "Semax")
    assert ("Semax", "Semax") in substances_of(nlp, SHOP)


def test_a_page_about_nothing_in_particular_has_no_subject(nlp) -> None:
    # melatonin is named three times, twice in a sidebar of links: no subject, not a guess
    assert subject_of(nlp, NOTHING) is None


def test_the_file_name_is_evidence(nlp) -> None:
    review = "Side effects: tired all the time, dry mouth.\nComments: it helped my mood after two weeks.\n"
    assert subject_of(nlp, review, source="reviews/zoloft_12.txt") == ("DRUGBANK:DB01104", "Sertraline")
    assert subject_of(nlp, review, source="reviews/review_12.txt") is None
    # a product the vocabulary does not know, named only by the file
    assert subject_of(nlp, review, source="ZIPSOR.7.txt") == ("LOCAL:zipsor", "Zipsor")


def test_the_file_name_can_be_switched_off() -> None:
    import spacy

    from pipeline.nlp import build_nlp

    nlp = build_nlp(use_model=False)
    nlp.replace_pipe("substance_finder", "substance_finder", config={"use_source_name": False})
    review = "Side effects: tired all the time.\nComments: fine.\n"
    assert subject_of(nlp, review, source="zoloft_12.txt") is None
    assert isinstance(nlp, spacy.language.Language)


def test_an_unknown_name_tied_to_a_known_one_is_an_alias(nlp) -> None:
    text = (
        "FDA approves Leqembi for early Alzheimer's disease\n\n"
        "Regulators approved lecanemab, the antibody sold as Leqembi, on Thursday. Leqembi is given "
        "every two weeks. Leqembi costs $26,500 a year, and Leqembi needs MRI scans.\n"
    )
    assert subject_of(nlp, text) == ("DRUGBANK:DB14580", "Lecanemab")
    assert ("Leqembi", "Lecanemab") in substances_of(nlp, text)


def test_labelled_fields_name_the_product(nlp) -> None:
    text = "Product Name |\nCerebrolysin |\nStrength |\n60mg/vial |\nGlucose and amino acids feed the brain, glucose too.\n"
    assert subject_of(nlp, text)[1] == "Cerebrolysin"


def test_a_comparison_page_is_about_its_first_drug(nlp) -> None:
    text = (
        "Home › Compare › Lexapro vs. Zoloft\n"
        "Lexapro vs. Zoloft: Which SSRI Is Right for You?\n\n"
        "Lexapro (escitalopram) and Zoloft (sertraline) are two of the most prescribed antidepressants "
        "in the country today. Sertraline causes diarrhea more often.\n"
    )
    assert subject_of(nlp, text) == ("DRUGBANK:DB01175", "Escitalopram")


def test_drug_classes_are_mentions_but_never_the_subject(nlp) -> None:
    text = "Antidepressants and sleep\n\nAntidepressants can disturb sleep. Many antidepressants do, and SSRIs too.\n"
    assert subject_of(nlp, text) is None
    assert ("Antidepressants", "Antidepressive Agents") in substances_of(nlp, text)


def test_settings_come_from_the_config(nlp) -> None:
    finder = nlp.get_pipe("substance_finder")
    assert finder.settings == SubjectSettings()
    assert nlp.get_pipe_meta("substance_finder").default_config["title_weight"] == SubjectSettings().title_weight


def test_the_component_stores_its_lexicon(nlp, tmp_path) -> None:
    from pipeline.components import SubstanceFinder

    finder = nlp.get_pipe("substance_finder")
    finder.to_disk(tmp_path / "finder")
    again = SubstanceFinder().from_disk(tmp_path / "finder")
    assert again.lexicon.entries == finder.lexicon.entries


def test_titles_without_a_file_name(nlp) -> None:
    # a forum title split in two sentences is one line of the title zone
    forum = (
        "DiabetesTalk Community\n"
        "Metformin diarrhea - does it ever settle down? (ER vs IR, B12, kidneys)\n"
        "Thread starter Tom · 47 replies\n\n"
        "Doc started me on metformin 500mg twice a day. B12 dropped, so now B12 1000 mcg daily, "
        "and my B12 is fine. Is the metformin diarrhea normal?\n"
    )
    assert subject_of(nlp, forum, source="a1b2c3d4e5f60718.txt")[1] == "Metformin"
    # an eponym in the headline is a disease, not a product; a brand tied to its ingredient
    news = (
        "Health › Aging › Alzheimer’s\n\n"
        "FDA grants full approval to Alzheimer’s drug Leqembi, but costs worry doctors\n\n"
        "Regulators approved lecanemab, the antibody sold as Leqembi, for early Alzheimer’s disease on "
        "Thursday. Leqembi slows decline in Alzheimer’s disease modestly. Leqembi is infused.\n"
    )
    assert subject_of(nlp, news)[1] == "Lecanemab"


def test_a_labelled_field_is_not_a_title(nlp) -> None:
    review = "Side effects: dry mouth, insomnia\nComments: it works, but i still take buspar for anxiety\n"
    assert subject_of(nlp, review, source="cymbalta_133.txt")[1] == "Duloxetine"


def test_excipients_are_neither_the_subject_nor_doses(nlp) -> None:
    text = (
        "Noopept 10 mg capsules\n\n"
        "Composition: each capsule contains Noopept 10 mg.\n"
        "Excipients: glycine – 12 mg, lactose monohydrate 90 mg, magnesium stearate 1 mg.\n"
        "Take 1 capsule 2-3 times a day after meals for 1.5-3 months.\n"
    )
    doc = nlp(make_doc(nlp, text))
    assert doc._.subject.concept_id == "LOCAL:noopept"
    doses = {text[m.start : m.end]: m.substance_name for m in doc._.mentions if m.label == "DOSE"}
    assert doses == {
        "10 mg capsules": "Noopept",
        "10 mg": "Noopept",
        "1 capsule 2-3 times a day after meals for 1.5-3 months": "Noopept",
    }


def test_a_short_page_naming_a_drug_twice_in_passing_has_no_subject(nlp) -> None:
    text = (
        "Ten habits for better sleep this winter\n\n"
        "Most adults need seven to nine hours of sleep, yet a third of us get less than that.\n"
        "Watch the caffeine. Coffee has about 95 mg of caffeine per cup; stop by early afternoon.\n"
        "Some people try melatonin; a low dose is usually enough.\n"
    )
    assert subject_of(nlp, text) is None
