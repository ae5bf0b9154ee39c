"""SPL drug labels (HL7 v3 XML) as sources: what the reader keeps, what it refuses, and the
mentions of a label's sections against the same sections run as text (issue 22)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, shared_path
from pipeline.ingest import Source, doc_id_for, load
from pipeline.readers.spl import read_xml
from pipeline.run import run
from pipeline.segment import heading_text, segment

LONG_TITLE = "Risks From Concomitant Use With Benzodiazepines Or Other Central Nervous System Depressants In Elderly Patients"

LABEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet href="https://www.accessdata.fda.gov/spl/stylesheet/spl.xsl" type="text/xsl"?>
<document xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <id root="0000"/>
  <code code="34391-3" displayName="HUMAN PRESCRIPTION DRUG LABEL" codeSystem="2.16.840.1.113883.6.1"/>
  <title>EXAMPLOL (ibuprofen) tablets, for oral use<br/>Initial U.S. Approval: 1974</title>
  <author><assignedEntity><representedOrganization><name>Example Pharma</name></representedOrganization></assignedEntity></author>
  <component>
    <structuredBody>
      <component>
        <section>
          <code code="48780-1" displayName="SPL LISTING DATA ELEMENTS SECTION" codeSystem="2.16.840.1.113883.6.1"/>
          <subject><manufacturedProduct><manufacturedProduct>
            <name>Examplol</name>
            <asEntityWithGeneric><genericMedicine><name>ibuprofen</name></genericMedicine></asEntityWithGeneric>
            <ingredient classCode="ACTIB"><quantity><numerator unit="mg" value="400"/></quantity>
              <ingredientSubstance><name>IBUPROFEN</name></ingredientSubstance></ingredient>
            <ingredient classCode="IACT"><ingredientSubstance><name>LACTOSE MONOHYDRATE</name></ingredientSubstance></ingredient>
          </manufacturedProduct></manufacturedProduct></subject>
        </section>
      </component>
      <component>
        <section>
          <code code="34067-9" displayName="INDICATIONS AND USAGE SECTION" codeSystem="2.16.840.1.113883.6.1"/>
          <title>1 INDICATIONS AND USAGE</title>
          <text>
            <paragraph>EXAMPLOL is indicated for:</paragraph>
            <list listType="unordered" styleCode="Disk">
              <item>relief of the signs and symptoms of
                 <content styleCode="bold">rheumatoid arthritis</content> and osteoarthritis</item>
              <item>relief of mild to moderate pain</item>
            </list>
          </text>
        </section>
      </component>
      <component>
        <section>
          <code code="34068-7" displayName="DOSAGE AND ADMINISTRATION SECTION" codeSystem="2.16.840.1.113883.6.1"/>
          <title>2 DOSAGE AND ADMINISTRATION</title>
          <text><paragraph>Take 400 mg every 4 to 6 hours as needed (<linkHtml href="#s1">1</linkHtml>).</paragraph>
            <list listType="ordered" styleCode="LittleAlpha"><item>Take with food.</item><item>Do not exceed 3200 mg per day.</item></list>
          </text>
        </section>
      </component>
      <component>
        <section>
          <code code="34084-4" displayName="ADVERSE REACTIONS SECTION" codeSystem="2.16.840.1.113883.6.1"/>
          <title>6 ADVERSE REACTIONS</title>
          <text><paragraph>The most common adverse reactions are nausea and headache.</paragraph></text>
          <excerpt><highlight><text><paragraph>Most common adverse reactions (incidence &gt; 3%) are dyspepsia and dizziness (<linkHtml href="#s61">6.1</linkHtml>)</paragraph></text></highlight></excerpt>
          <component>
            <section>
              <code code="42229-5" displayName="SPL UNCLASSIFIED SECTION" codeSystem="2.16.840.1.113883.6.1"/>
              <title>6.1 Clinical Trials Experience</title>
              <text>
                <table>
                  <caption>Table 1: Adverse reactions in 1% or more of patients</caption>
                  <thead><tr><th>Adverse reaction</th><th>EXAMPLOL N=100</th><th>Placebo N=98</th></tr></thead>
                  <tfoot><tr><td colspan="3">Reactions at least as frequent as on placebo.</td></tr></tfoot>
                  <tbody>
                    <tr><td>Headache<footnote>Includes migraine.</footnote></td><td>12%</td><td>4%</td></tr>
                    <tr><td>Nausea</td><td>8%</td><td>3%</td></tr>
                    <tr><td/><td>Rash | hives</td><td/></tr>
                  </tbody>
                </table>
                <paragraph>Edema occurred in 2% of patients.<br/>Tinnitus was rare.</paragraph>
              </text>
            </section>
          </component>
          <component>
            <section>
              <code code="42229-5" codeSystem="2.16.840.1.113883.6.1"/>
              <title>{LONG_TITLE}</title>
              <text><paragraph>profound sedation and respiratory depression may occur.</paragraph></text>
            </section>
          </component>
        </section>
      </component>
    </structuredBody>
  </component>
</document>
"""


def _load(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return load(Source(path, name, doc_id_for(name)))


def test_the_label_text_keeps_sections_titles_lists_tables_and_fields(tmp_path):
    doc = _load(tmp_path, "examplol.xml", LABEL.encode())
    assert doc.status == "ok" and doc.media_type == "application/xml+spl"
    assert doc.title == "EXAMPLOL (ibuprofen) tablets, for oral use Initial U.S. Approval: 1974"
    lines = doc.text.splitlines()
    # the title's <br/> breaks its line; the listing data gives fields, without inactive ingredients
    assert lines[:2] == ["EXAMPLOL (ibuprofen) tablets, for oral use", "Initial U.S. Approval: 1974"]
    assert ["Product | Examplol", "Generic name | ibuprofen", "Active ingredient | IBUPROFEN"] == lines[3:6]
    assert "LACTOSE" not in doc.text and "Example Pharma" not in doc.text and "400\"" not in doc.text
    # list items on lines of their own, with their markers; inline content joins its line
    assert "• relief of the signs and symptoms of rheumatoid arthritis and osteoarthritis" in lines
    assert ["a. Take with food.", "b. Do not exceed 3200 mg per day."] == lines[lines.index("a. Take with food.") :][:2]
    assert "Take 400 mg every 4 to 6 hours as needed (1)." in lines
    # the section's text, then its highlights, then its subsections, in document order
    order = [
        "6 ADVERSE REACTIONS",
        "The most common adverse reactions are nausea and headache.",
        "Most common adverse reactions (incidence > 3%) are dyspepsia and dizziness (6.1)",
        "6.1 Clinical Trials Experience",
        "Table 1: Adverse reactions in 1% or more of patients",
        "| Adverse reaction | EXAMPLOL N=100 | Placebo N=98 |",
        "| Headache | 12% | 4% |",
        "| Nausea | 8% | 3% |",
        "|  | Rash / hives |  |",
        "| Reactions at least as frequent as on placebo. |",
        "Includes migraine.",
        "Edema occurred in 2% of patients.",
        "Tinnitus was rare.",
    ]
    start = lines.index(order[0])
    assert lines[start : start + len(order) + 1] == order[:3] + [""] + order[3:]  # a blank line before a title


def test_every_section_title_is_a_heading_and_the_places_are_right():
    label = read_xml(LABEL.encode())
    segments = segment(label.text)
    headings = {(s.start, s.end): s for s in segments if s.is_heading}
    titled = [s for s in label.sections if s.title]
    assert [s.title for s in titled] == [
        "1 INDICATIONS AND USAGE", "2 DOSAGE AND ADMINISTRATION", "6 ADVERSE REACTIONS",
        "6.1 Clinical Trials Experience", LONG_TITLE,
    ]
    for place in titled:
        heading = headings[(place.start, place.title_end)]
        assert heading.section == heading_text(place.title)
    # a title the line rules would not read as a heading (too long) is a Markdown heading;
    # the numbered ones stay plain lines and make an outline
    long = titled[-1]
    assert label.text[long.start : long.title_end] == "## " + LONG_TITLE
    assert label.text[titled[2].start : titled[2].title_end] == "6 ADVERSE REACTIONS"
    under = [s for s in segments if titled[3].title_end < s.start < titled[3].end]
    assert under and all(s.outer_section == "6 ADVERSE REACTIONS" for s in under)
    # a section runs to the end of its subsections
    adverse = titled[2]
    assert label.text[adverse.start : adverse.end].endswith("respiratory depression may occur.")
    assert [s.code for s in titled] == ["34067-9", "34068-7", "34084-4", "42229-5", "42229-5"]


def test_an_spl_label_is_recognised_by_its_content_whatever_its_name(tmp_path):
    as_xml = _load(tmp_path, "a.xml", LABEL.encode())
    as_txt = _load(tmp_path, "b.txt", LABEL.encode())
    assert as_txt.media_type == "application/xml+spl" and as_txt.text == as_xml.text
    utf16 = _load(tmp_path, "c.xml", LABEL.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert utf16.status == "ok" and utf16.text == as_xml.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
         "an XML document whose root element is <rss> (no namespace), not an HL7 SPL drug label"),
        (b'<document xmlns="urn:example"><title>x</title></document>',
         "an XML document whose root element is <document> in namespace urn:example, not an HL7 SPL drug label"),
        (b'<?xml version="1.0"?>\n<document xmlns="urn:hl7-org:v3">\n<title>x</title>\n<broken></document>',
         "the XML is not well-formed (line 4, column"),
        (b"not xml at all, just a note", "the XML is not well-formed (line 1, column 1)"),
    ],
)
def test_other_and_broken_xml_is_refused_with_a_plain_message(tmp_path, data, message):
    doc = _load(tmp_path, "file.xml", data)
    assert doc.status == "error" and doc.error.startswith(message), doc.error
    assert doc.text == "" and len(doc.sha256) == 64
    assert doc.media_type in ("application/xml", "application/xml+spl")


def test_entities_are_refused_never_expanded_nor_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:not for the tables\n", encoding="utf-8")
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE document [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><document xmlns="urn:hl7-org:v3"><title>&c;</title></document>'
    )
    external = (
        f'<?xml version="1.0"?><!DOCTYPE document [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<document xmlns="urn:hl7-org:v3"><title>&x;</title></document>'
    )
    for name, data in (("laughs.xml", laughs), ("external.xml", external)):
        doc = _load(tmp_path, name, data.encode())
        assert doc.status == "error" and doc.error.startswith("the XML declares entities: refused"), doc.error
        assert "not for the tables" not in doc.text and doc.media_type == "application/xml+spl"


def test_a_label_nested_too_deeply_is_an_error_not_a_crash(tmp_path):
    deep = "<content>" * 5000 + "x" + "</content>" * 5000
    data = f'<document xmlns="urn:hl7-org:v3"><component><structuredBody><component><section><text>{deep}</text></section></component></structuredBody></component></document>'
    doc = _load(tmp_path, "deep.xml", data.encode())
    assert doc.status == "error" and doc.error == "the XML is nested too deeply to be read as a drug label"


def test_a_label_without_text_is_empty(tmp_path):
    data = b'<document xmlns="urn:hl7-org:v3"><title/><component><structuredBody/></component></document>'
    doc = _load(tmp_path, "blank.xml", data)
    assert doc.status == "empty" and doc.error == "an SPL drug label without any text in its sections"


def test_a_run_reads_labels_and_their_sections_like_text(tmp_path):
    """The mentions of a label's adverse reactions section equal those of the same section
    text run as a .txt file but for one section-boundary effect (the brand EXAMPLOL is a name
    of ibuprofen only where the title ties them), the subject is the ingredient, and a broken
    XML file is an error row while the batch goes on."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "examplol.xml").write_text(LABEL, encoding="utf-8")
    (corpus / "broken.xml").write_bytes(b"<document xmlns='urn:hl7-org:v3'><title>")
    label = read_xml(LABEL.encode())
    adverse = next(s for s in label.sections if s.code == "34084-4")
    (corpus / "section.txt").write_text(label.text[adverse.start : adverse.end] + "\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = run(corpus, out)
    assert (summary.n_processed, summary.n_failed) == (3, 1)
    documents = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert documents.loc["broken"].status == "error" and "not well-formed" in documents.loc["broken"].error
    row = documents.loc["examplol"]
    assert row.status == "ok" and row.media_type == "application/xml+spl" and row.text == label.text
    assert row.title.startswith("EXAMPLOL (ibuprofen)")
    assert (row.subject_id, row.subject_name) == ("DRUGBANK:DB01050", "Ibuprofen")
    mentions = pd.read_parquet(out / "mentions.parquet")
    columns = ["start", "end", "text", "label", "concept_id", "negated", "uncertain", "role", "section", "method"]
    in_label = mentions[(mentions.doc_id == "examplol") & mentions.start.between(adverse.start, adverse.end - 1)]
    in_label = in_label[columns].assign(start=in_label.start - adverse.start, end=in_label.end - adverse.start)
    alone = mentions[mentions.doc_id == "section"][columns]
    assert len(alone) >= 8  # nausea, headache, dyspepsia, dizziness, rash, hives, edema, tinnitus, ...
    brand = (in_label.text == "EXAMPLOL") & (in_label.method == "rule:alias")
    assert brand.sum() == 1 and in_label[brand].label.item() == "SUBSTANCE"
    pd.testing.assert_frame_equal(in_label[~brand].reset_index(drop=True), alone.reset_index(drop=True))
    effects = set(alone[alone.label == "ADVERSE_EFFECT"].text.str.lower())
    assert {"nausea", "headache", "dyspepsia", "dizziness", "edema", "tinnitus"} <= effects


@pytest.fixture(scope="module")
def small_labels(tmp_path_factory):
    """benchmarks/spl_labels.py on three of the 38 shared labels."""
    data = shared_path("benchmarks", "us_drug_labels_spl")
    sys.path.insert(0, str(REPO / "benchmarks"))
    import spl_labels

    work = tmp_path_factory.mktemp("spl")
    only = {"45ae1464-52ad-4b2b-9786-f6351a9add9d", "3ae02266-5a0f-4bf2-bc68-ae1c7d2f5239", "33553019-97f2-43b5-9562-a5fc25e2ac30"}
    records = spl_labels.prepare(data, work, only)
    return spl_labels, spl_labels.measure(data, work, records)


def test_real_labels_ingest_with_headings_subjects_and_section_mentions(small_labels):
    spl_labels, results = small_labels
    assert len(results) == 3
    for result in results:
        assert result.status == "ok" and result.media_type == "application/xml+spl"
        assert result.n_titles > 10 and result.titles_as_headings == result.n_titles, result.label
        assert result.subject_ok, (result.label, result.subject_name, result.ingredients)
        for key in spl_labels.SECTIONS:
            # the same text alone or inside the label: these labels have no boundary effect
            assert result.comparisons["labels_vs_own"][key].equal, (result.label, key)
            against = result.comparisons["labels_vs_sections"][key]
            assert against.left > 0 and against.agreement >= 95.0, (result.label, key, against.as_dict())
    # what differs from the export's text is one table cell it cuts differently ("Total
    # Bleeding" with a footnote mark in the cell, "Bleeding" there)
    kinds = sum((spl_labels.classify(c.only_left, c.only_right) for r in results
                 for c in r.comparisons["labels_vs_sections"].values()), start=__import__("collections").Counter())
    assert sum(kinds.values()) <= 2 and set(kinds) <= {"span"}, kinds


def test_an_unnumbered_label_writes_its_titles_as_markdown_levels(tmp_path):
    """Older labels number no section: their titles become "## ADVERSE REACTIONS", "###
    Gastrointestinal", so that the subsection is read under its section."""
    label = re.sub(r"<title>(\d+(?:\.\d+)?) ", "<title>", LABEL)
    assert label != LABEL
    doc = _load(tmp_path, "old.xml", label.encode())
    lines = doc.text.splitlines()
    assert "## ADVERSE REACTIONS" in lines and "### Clinical Trials Experience" in lines
    from pipeline.segment import segment

    found = {doc.text[s.start : s.end]: s for s in segment(doc.text)}
    assert found["### Clinical Trials Experience"].outer_section == "ADVERSE REACTIONS"
    assert found["Edema occurred in 2% of patients."].outer_section == "ADVERSE REACTIONS"
