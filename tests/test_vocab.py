"""Tests of pipeline.vocab against the real vocabularies shipped in the installed packages."""

from __future__ import annotations

import re
import shutil
import time
from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.vocab import Concept, Term, Vocabulary, load_vocabulary, normalize_key, vocabulary_version
from pipeline.vocab import build, curated, drugs, hpo, icd10cm, mesh
from pipeline.vocab.obo import descendants, parse_obo

VERSION_RE = re.compile(
    r"^hpo=\d{4}-\d{2}-\d{2};icd10cm=[\w.]+;drugs=[\w.]+;mesh=[\w.]+;curated=[0-9a-f]{8};builder=[0-9a-f]{8}$"
)


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("vocab-cache")


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    """The merged vocabulary as the pipeline loads it (from the cache, built on first use)."""
    return load_vocabulary()


@pytest.fixture(scope="module")
def built(cache_root: Path) -> Vocabulary:
    """The merged vocabulary built from the sources into an empty cache (slow tests only)."""
    build._load.cache_clear()
    return load_vocabulary(cache_root)


@pytest.fixture(scope="module")
def hpo_document():
    return parse_obo(hpo.hpo_obo_path())


@pytest.fixture(scope="module")
def by_key(vocab: Vocabulary) -> dict[str, set[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for term in vocab.terms:
        index[normalize_key(term.text)].add(term.concept_id)
    return index


def concept_of(vocab: Vocabulary, by_key: dict[str, set[str]], text: str) -> Concept:
    ids = by_key.get(normalize_key(text), set())
    assert len(ids) == 1, f"{text!r} maps to {sorted(ids)}"
    return vocab.concepts[next(iter(ids))]


# --- known mappings -------------------------------------------------------------------------


def test_headache_is_hpo_with_umls_xref(vocab, by_key):
    concept = concept_of(vocab, by_key, "Headache")
    assert concept.concept_id == "HP:0002315"
    assert concept.vocabulary == "HPO" and concept.kind == "condition"
    assert "UMLS:C0018681" in concept.xrefs
    assert list(concept.xrefs) == sorted(concept.xrefs)


def test_alzheimer_disease_is_one_concept_carrying_the_icd_code(vocab, by_key):
    spellings = ["Alzheimer disease", "Alzheimer's disease", "alzheimer’s disease", "ALZHEIMER DISEASE"]
    ids = {concept_of(vocab, by_key, text).concept_id for text in spellings}
    assert len(ids) == 1
    concept = vocab.concepts[ids.pop()]
    codes = [concept.concept_id, *concept.xrefs]
    assert any(code.startswith("ICD10CM:G30") for code in codes), codes


@pytest.mark.parametrize(
    ("text", "concept_id"),
    [
        ("heart attack", "HP:0001658"),
        ("mini-stroke", "HP:0002326"),
        ("stroke", "HP:0001297"),
        ("itchiness", "HP:0000989"),
        ("trouble sleeping", "HP:0100785"),
        ("high blood pressure", "HP:0000822"),
        ("hypokalemia", "HP:0002900"),
        ("dementia", "HP:0000726"),
        ("dizziness", "ICD10CM:R42"),
        ("COVID-19", "ICD10CM:U07.1"),
        ("Essential hypertension", "ICD10CM:I10"),
    ],
)
def test_mappings(vocab, by_key, text, concept_id):
    assert concept_of(vocab, by_key, text).concept_id == concept_id


def test_icd_code_named_like_hpo_term_is_folded_into_hpo(vocab):
    # E87.6 "Hypokalemia" has the same name as HP:0002900: one concept, the code as xref
    assert "ICD10CM:E87.6" not in vocab.concepts
    assert "ICD10CM:E87.6" in vocab.concepts["HP:0002900"].xrefs
    icd_xrefs = {x for c in vocab.concepts.values() for x in c.xrefs if x.startswith("ICD10CM:")}
    assert not icd_xrefs & set(vocab.concepts), "an ICD code is both a concept and an xref"


def test_drugs(vocab, by_key):
    for name in ("aspirin", "ibuprofen", "metformin", "lecanemab"):
        concept = concept_of(vocab, by_key, name)
        assert concept.kind == "drug"
        assert re.match(r"^(MESHTREE:D[\d.]+|DRUGBANK:DB\d+)$", concept.concept_id)
    assert "drug" in {t.source for t in vocab.terms_of_kind("drug")}
    assert {vocab.concepts[t.concept_id].kind for t in vocab.terms_of_kind("condition")} == {"condition"}
    with pytest.raises(ValueError):
        vocab.terms_of_kind("disease")


# --- invariants -----------------------------------------------------------------------------


def test_every_concept_comes_from_an_allowed_place(vocab, hpo_document):
    import simple_icd_10_cm as icd

    subtree = descendants(hpo_document.terms, hpo.PHENOTYPIC_ABNORMALITY)
    curated_ids = {row.concept_id for row in curated.load_curated_terms()}
    for concept_id, concept in vocab.concepts.items():
        assert concept.concept_id == concept_id
        if concept.vocabulary == "HPO":
            assert concept_id in subtree, concept_id
        elif concept.vocabulary == "ICD10CM":
            code = concept_id.removeprefix("ICD10CM:")
            assert icd.is_valid_item(code) and not icd.is_extended_subcategory(code), concept_id
            assert code[0] not in "VWXY", concept_id
        elif concept.vocabulary == "DRUGBANK":
            assert concept.kind == "drug" and concept_id.startswith("DRUGBANK:DB")
        elif concept.vocabulary == "MEDLINEPLUS":
            assert concept.kind == "drug" and re.fullmatch(r"MEDLINEPLUS:a\d{6}", concept_id), concept_id
        elif concept.vocabulary == "MESH":
            tree = concept_id.removeprefix("MESHTREE:")
            assert tree[0] == "D" if concept.kind == "drug" else mesh.is_disease_tree(tree), concept_id
        else:
            assert concept.vocabulary == "CURATED" and concept_id in curated_ids
        assert concept.kind in ("condition", "drug")
        assert list(concept.xrefs) == sorted(set(concept.xrefs))
        for xref in concept.xrefs:
            assert xref.split(":")[0] in {"UMLS", "SNOMEDCT_US", "MEDDRA", "ICD10CM", "MESHTREE"}, xref


def test_obsolete_hpo_terms_are_absent(vocab, hpo_document):
    obsolete = [t for t in hpo_document.terms.values() if t.is_obsolete]
    assert len(obsolete) > 100
    assert not {t.id for t in obsolete} & set(vocab.concepts)
    assert "HP:0000118" in vocab.concepts or "HP:0000118" not in {t.concept_id for t in vocab.terms}


def test_no_coding_jargon_in_term_texts(vocab):
    for term in vocab.terms:
        assert not re.search(r"\bunspecified\b", term.text, re.I), term
        assert not re.search(r"\bNOS\b|\(NOS\)", term.text), term
        if term.source.startswith("icd10cm"):
            assert not re.search(r"^other\b|encounter|classified elsewhere|, (right|left)\b", term.text, re.I), term


def test_each_surface_form_maps_to_one_concept(vocab, by_key):
    ambiguous = {key: ids for key, ids in by_key.items() if len(ids) > 1}
    assert not ambiguous
    casefolded: dict[str, str] = {}
    for term in vocab.terms:
        assert casefolded.setdefault(term.text.casefold(), term.concept_id) == term.concept_id
    assert {t.concept_id for t in vocab.terms} == set(vocab.concepts), "concepts without terms"


def test_terms_are_clean_and_typed(vocab):
    sources = {"hpo:name", "hpo:synonym", "hpo:related", "icd10cm:description", "icd10cm:inclusion", "mesh:heading",
               "mesh:entry", "drug", "curated"}
    for term in vocab.terms:
        assert isinstance(term, Term)
        assert term.source in sources
        assert term.text == " ".join(term.text.split()) and term.text
    assert len({(t.text, t.concept_id) for t in vocab.terms}) == len(vocab.terms)


def test_related_synonym_shared_by_two_terms_is_skipped():
    from pipeline.vocab.obo import OboSynonym, OboTerm

    shared = OboSynonym("Spells", "RELATED")
    one = OboTerm("HP:1", "One", synonyms=[shared, OboSynonym("Own", "RELATED")])
    two = OboTerm("HP:2", "Two", synonyms=[OboSynonym("spells", "RELATED")])
    assert hpo._related_to_several([one, two]) == {"spells"}
    assert [text for text, _ in hpo._term_texts(one, {"spells"})] == ["One", "Own"]


def test_related_synonyms_never_beat_a_name_or_attract_codes(vocab, by_key):
    # "Epilepsy" is a RELATED synonym of HPO Seizure and the name of ICD-10-CM G40.9
    assert by_key[normalize_key("Epilepsy")] == {"ICD10CM:G40.9"}
    assert not any(x.startswith("ICD10CM:G40") for x in vocab.concepts["HP:0001250"].xrefs)
    # "Hypoxia" has no better owner: the nearest HPO concept keeps it
    assert by_key[normalize_key("Hypoxia")] == {"HP:0012418"}


def test_curated_rows_have_reasons_and_win(vocab, by_key):
    rows = curated.load_curated_terms()
    assert rows
    for row in rows:
        assert row.reason.strip()
        assert row.concept_id in vocab.concepts, row
        if row.concept_id.startswith("CURATED:"):
            assert vocab.concepts[row.concept_id].vocabulary == "CURATED"
        assert concept_of(vocab, by_key, row.term).concept_id == row.concept_id


def test_excluded_terms_have_reasons_and_are_absent(vocab, by_key):
    excluded = curated.load_excluded_terms()
    assert excluded
    curated_keys = {normalize_key(row.term) for row in curated.load_curated_terms()}
    for row in excluded:
        assert row.reason.strip()
        key = normalize_key(row.term)
        assert key not in by_key, row.term
        assert key not in curated_keys, row.term


# --- sources --------------------------------------------------------------------------------


def test_hpo_synonym_scopes():
    table = hpo.load_hpo()
    texts = {(t.text, t.concept_id) for t in table.terms}
    sources = {(t.text, t.concept_id): t.source for t in table.terms}
    assert ("Itchy skin", "HP:0000989") in texts  # EXACT layperson
    assert sources[("Hypoxia", "HP:0012418")] == hpo.SOURCE_RELATED  # RELATED: lowest rank
    assert sources[("High blood pressure", "HP:0000822")] == hpo.SOURCE_RELATED
    assert ("GERD", "HP:0002020") in texts  # acronym of three or more letters
    assert ("MI", "HP:0001658") not in texts  # two-letter acronym
    assert hpo.normalize_xref("MedDRA:10019211") == "MEDDRA:10019211"
    assert hpo.normalize_xref("SNOMED_CT:123") == "SNOMEDCT_US:123"
    assert hpo.normalize_xref("ORPHA:1") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Migraine, unspecified, not intractable, without status migrainosus", "Migraine"),
        ("Essential (primary) hypertension", "Essential hypertension"),
        ("Unspecified asthma, uncomplicated", "Asthma"),
        ("Pneumonia, unspecified organism", "Pneumonia"),
        ("Dementia in other diseases classified elsewhere", "Dementia"),
        ("Myocardial infarction (acute) NOS", "Myocardial infarction"),
        ("Left bundle-branch block, unspecified", "Left bundle-branch block"),
        ("Gastro-esophageal reflux disease without esophagitis", "Gastro-esophageal reflux disease"),
        ("Other fatigue", None),
        ("Fracture of unspecified part of neck of right femur", None),
        ("Age-related cataract, morgagnian type", None),
        ("Traction detachment of retina, right eye", "Traction detachment of retina"),
        ("Encounter for full-term uncomplicated delivery", None),
        ("Other specified injuries of external genitals", None),
    ],
)
def test_icd_cleaning(raw, expected):
    cleaned = icd10cm.clean_icd_text(raw)
    assert (cleaned.text if cleaned else None) == expected


def test_icd_one_code_per_text():
    table = icd10cm.load_icd10cm()
    keys = [normalize_key(t.text) for t in table.terms]
    assert len(keys) == len(set(keys))
    assert all(not t.concept_id.removeprefix("ICD10CM:").startswith(("V", "W", "X", "Y")) for t in table.terms)
    by_code = {t.concept_id: t for t in table.terms if normalize_key(t.text) == "asthma"}
    assert list(by_code) == ["ICD10CM:J45"]  # the category, not J45.909 "Asthma NOS"


def test_drug_ids_and_non_drug_mesh_branches():
    table = drugs.load_drugs()
    for concept in table.concepts.values():
        assert concept.kind == "drug"
        assert concept.concept_id.startswith(("DRUGBANK:DB", "MESHTREE:D", "MEDLINEPLUS:a"))
    texts = {t.text.lower() for t in table.terms}
    assert "janus kinase 2" not in texts  # MeSH D08 enzyme, not a drug
    assert "aspirin" in texts


def test_drugs_without_drugbank_or_mesh_ids():
    table = drugs.load_drugs()
    concept_of = {t.text.lower(): t.concept_id for t in table.terms}
    # known only by its MedlinePlus monograph; the brand resolves to the ingredient
    assert concept_of["botox"] == concept_of["onabotulinumtoxina"]
    assert concept_of["botox"].startswith("MEDLINEPLUS:a")
    assert table.concepts[concept_of["botox"]].name == "OnabotulinumtoxinA"
    # an FDA-suffixed biologic is its core name's concept (and so is its brand)
    assert concept_of["erenumab-aooe"] == concept_of["erenumab"] == concept_of["aimovig"]
    assert concept_of["erenumab"].startswith("DRUGBANK:DB")


def test_a_combination_is_the_concept_of_its_ingredients():
    table = drugs.load_drugs()
    concept_of = {t.text.lower(): t.concept_id for t in table.terms}
    # a fixed-dose combination with no id of its own: its ingredients' ids, in the order named,
    # for its name and its brand alike
    arthrotec = concept_of["arthrotec"]
    assert arthrotec == concept_of["diclofenac/misoprostol"]
    assert drugs.ingredients(arthrotec) == (concept_of["diclofenac"], concept_of["misoprostol"])
    assert table.concepts[arthrotec].name == "Diclofenac/misoprostol"
    assert drugs.ingredients(concept_of["suboxone"]) == (concept_of["buprenorphine"], concept_of["naloxone"])
    assert drugs.ingredients(concept_of["diclofenac"]) == (concept_of["diclofenac"],)
    # every part of every combination is a drug with an id; a name of no listed ingredients
    # ("co-codamol") makes none
    for concept_id in table.concepts:
        assert all(part.startswith(("DRUGBANK:DB", "MESHTREE:D", "MEDLINEPLUS:a")) for part in drugs.ingredients(concept_id))
    assert "co-codamol" not in concept_of


def test_obo_parser(tmp_path):
    path = tmp_path / "mini.obo"
    path.write_text(
        "format-version: 1.2\n"
        "data-version: hp/releases/2024-02-03\n\n"
        "[Term]\nid: HP:1\nname: Root\n\n"
        "[Term]\nid: HP:2\nname: Child ! comment\n"
        'synonym: "Say \\"hi\\"" EXACT layperson [ORCID:1]\n'
        'synonym: "Broad one" BROAD []\n'
        'xref: UMLS:C1 {source="x"}\n'
        "is_a: HP:1 ! Root\n\n"
        "[Term]\nid: HP:3\nname: Gone\nis_obsolete: true\nis_a: HP:2\n\n"
        "[Typedef]\nid: part_of\nname: part of\n",
        encoding="utf-8",
    )
    document = parse_obo(path)
    assert document.data_version == "hp/releases/2024-02-03"
    assert set(document.terms) == {"HP:1", "HP:2", "HP:3"}
    child = document.terms["HP:2"]
    assert child.name == "Child"
    assert [(s.text, s.scope, s.type) for s in child.synonyms] == [('Say "hi"', "EXACT", "layperson"), ("Broad one", "BROAD", None)]
    assert child.xrefs == ["UMLS:C1"] and child.is_a == ["HP:1"]
    assert descendants(document.terms, "HP:1") == {"HP:1", "HP:2"}
    assert hpo.hpo_release(path) == "2024-02-03"


# --- version and cache ----------------------------------------------------------------------


def test_version_is_stable_and_cheap(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("vocabulary_version() must not build")

    for module, name in [(build, "build_vocabulary"), (hpo, "load_hpo"), (icd10cm, "load_icd10cm"), (drugs, "load_drugs")]:
        monkeypatch.setattr(module, name, fail)
    monkeypatch.setattr(build.hpo, "parse_obo", fail)
    start = time.perf_counter()
    first = vocabulary_version()
    assert time.perf_counter() - start < 0.5
    assert first == vocabulary_version()
    assert VERSION_RE.match(first), first
    assert f"builder={curated.data_fingerprint(build.BUILDER_FILES)}" in first
    assert Path(drugs.__file__) in build.BUILDER_FILES  # an edit of the drug loader is a new vocabulary


def test_version_tracks_curated_data(tmp_path):
    copy = tmp_path / "curated_terms.tsv"
    shutil.copy(curated.CURATED_TERMS, copy)
    before = curated.data_fingerprint((copy, curated.EXCLUDED_TERMS))
    with open(copy, "a", encoding="utf-8") as handle:
        handle.write("tummy bug\tICD10CM:A08.4\ttest row\n")
    assert curated.data_fingerprint((copy, curated.EXCLUDED_TERMS)) != before


@pytest.mark.slow
def test_cache_round_trip_is_identical_and_fast(built, cache_root):
    vocab = built
    assert vocab.version == vocabulary_version()
    files = list((cache_root / build.CACHE_SUBDIR).iterdir())
    assert [f.name for f in files] == [build.cache_path(cache_root, vocab.version).name], "leftover temp files"

    build._load.cache_clear()
    start = time.perf_counter()
    again = load_vocabulary(cache_root)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"cached load took {elapsed:.2f}s"
    assert again is not vocab
    assert again.version == vocab.version
    assert again.concepts == vocab.concepts
    assert again.terms == vocab.terms

    start = time.perf_counter()
    assert load_vocabulary(cache_root) is again  # in-process memo
    assert time.perf_counter() - start < 0.05


@pytest.mark.slow
def test_cache_dir_from_environment(built, cache_root, tmp_path, monkeypatch):
    vocab = built
    source = build.cache_path(cache_root, vocab.version)
    target = build.cache_path(tmp_path, vocab.version)
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    monkeypatch.setenv(build.CACHE_ENV, str(tmp_path))
    assert build.default_cache_root() == tmp_path
    loaded = load_vocabulary()
    assert loaded.terms == vocab.terms


def test_unreadable_or_stale_cache_is_ignored(tmp_path, vocab):
    path = tmp_path / "broken.pkl"
    path.write_bytes(b"not a pickle")
    assert build.read_cache(path, vocab.version) is None
    build.write_cache(vocab, path)
    assert build.read_cache(path, "other-version") is None
    assert build.read_cache(path, vocab.version).terms == vocab.terms


@pytest.mark.slow
def test_build_is_deterministic(built, vocab):
    rebuilt = build.build_vocabulary(built.version)
    assert rebuilt.terms == built.terms
    assert list(rebuilt.concepts.items()) == list(built.concepts.items())
    # and the cache the pipeline reads holds what the sources give today
    assert vocab.terms == built.terms


def test_icd_acronyms_that_abbreviate_the_whole_name_are_terms(by_key):
    from pipeline.vocab.icd10cm import final_acronyms

    assert final_acronyms("acquired immune deficiency syndrome [AIDS]") == ["AIDS"]
    assert final_acronyms("Atrioventricular re-entrant (nodal) tachycardia [AVNRT] [AVRT]") == ["AVNRT", "AVRT"]
    assert final_acronyms("Human immunodeficiency virus [HIV] disease") == []  # names a part
    assert final_acronyms("Abnormal electroencephalogram [EEG]") == []  # names the test
    assert final_acronyms("Acute lymphoblastic leukemia [ALL]") == []  # spells a common word
    assert "ICD10CM:B20" in by_key[normalize_key("AIDS")]


def test_distinct_drugs_are_distinct_concepts(vocab, by_key):
    # the package's mesh_id is a pharmacological action shared by many drugs (aspirin and
    # acetaminophen both carry D058633): keyed on it, ibuprofen had been named "Aldesleukin"
    names = {text: concept_of(vocab, by_key, text) for text in ("aspirin", "acetaminophen", "ibuprofen", "heparin")}
    assert len({concept.concept_id for concept in names.values()}) == 4
    assert names["ibuprofen"].concept_id == "DRUGBANK:DB01050" and names["ibuprofen"].name == "Ibuprofen"
    assert concept_of(vocab, by_key, "paracetamol").concept_id == names["acetaminophen"].concept_id


# --- MeSH, the fallback vocabulary -------------------------------------------------------------


@pytest.fixture(scope="module")
def mesh_table():
    return mesh.load_mesh()


def test_mesh_descriptors_are_named_by_tree_number(mesh_table, vocab, by_key):
    water = concept_of(vocab, by_key, "water intoxication")
    assert water.concept_id == "MESHTREE:C18.452.950.932" and water.vocabulary == "MESH"
    assert {t.concept_id for t in mesh_table.terms if t.text.lower() == "hyperhydration"} == {water.concept_id}
    for concept in mesh_table.concepts.values():
        assert concept.kind == "condition" and mesh.is_disease_tree(concept.concept_id.removeprefix("MESHTREE:"))


def test_mesh_heading_that_is_an_hpo_name_joins_the_hpo_concept(vocab, by_key):
    headache = concept_of(vocab, by_key, "cephalalgia")  # a MeSH entry term of Headache
    assert headache.concept_id == "HP:0002315"
    assert "MESHTREE:C23.888.592.612.441" in headache.xrefs


def test_mesh_terms_are_fallback_terms_that_never_take_a_surface_form(vocab, by_key):
    fallback = [t for t in vocab.terms if build.is_fallback(t)]
    assert fallback and {t.source for t in fallback} == {mesh.SOURCE_HEADING, mesh.SOURCE_ENTRY}
    others = {normalize_key(t.text): t.concept_id for t in vocab.terms if not build.is_fallback(t)}
    shared = [t for t in fallback if normalize_key(t.text) in others]
    assert all(others[normalize_key(t.text)] == t.concept_id for t in shared)


@pytest.mark.parametrize(
    "text",
    [
        "hemolysis",  # Pathologic Processes (C23.550)
        "recurrence",
        "carcinogenesis",  # Neoplastic Processes (C04.697)
        "body weight",  # filed under Diagnosis (E01): a measurement
        "abdomen, acute",  # permuted form
        "strain",  # one-word general English
        "ruptures",  # plural of a common word
        "spastic",  # adjective
        "heart diseases",  # a broad class
    ],
)
def test_mesh_terms_left_out(mesh_table, text):
    assert text not in {t.text.lower() for t in mesh_table.terms}


def test_broad_classes_count_descriptors_below():
    trees = {"top": ["C01"], **{f"leaf{i}": [f"C01.{i:03d}"] for i in range(10)}, "other": ["C02"]}
    assert mesh.broad_classes(trees) == {"top"}
    assert mesh.broad_classes(trees, size=11) == set()
