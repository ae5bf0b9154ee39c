"""US drug labels (DailyMed SPL XML) as sources: ingestion, headings, subjects, and the mentions
of three sections against the same sections run as text files.

    python benchmarks/spl_labels.py [--shared ../shared] [--work benchmarks/work/spl]
                                    [--only LABEL,LABEL] [--json FILE] [--show N]

Reads ``<shared>/benchmarks/us_drug_labels_spl`` (38 SPL labels in ``xml/`` and
``sections.jsonl``, which holds, per label, the text of its sections as DailyMed's openFDA
export flattens them) and runs ``pipeline run`` three times:

- **labels**: the XML files themselves (``labels/``). Checked: every label ingests (status ok,
  ``media_type`` application/xml+spl), every section title of the label is a heading (a
  sentence of its own whose ``section`` is the title), and the subject is one of the label's
  active ingredients (the ids the substance lexicon gives their names or their active moieties;
  or a substance whose name holds the moiety's, e.g. "Ketorolac Tromethamine").
- **sections**: for each label, its indications, dosage and adverse reactions text from
  ``sections.jsonl`` as a ``.txt`` file (``sections/``): the text starts with the section's
  title ("6 ADVERSE REACTIONS"), so it runs under the same heading.
- **own**: the same three sections cut from the pipeline's own rendering of the label
  (``documents.text[start:end]`` of the section: its title line, text, highlights and
  subsections) as ``.txt`` files (``own/``).

A mention is compared by (text, label, concept id, negated, uncertain, role); the mentions of a
label's section are those whose start lies inside the section (the first section with the
section's LOINC code, as ``sections.jsonl`` holds the first). Three comparisons, as multisets:

- **labels vs sections** (what the issue asks): the section read from the label against the
  section text run alone as text;
- **labels vs own** (same text, alone or inside the label): differences are section-boundary
  effects only, i.e. what the rest of the label changes: the subject and abbreviations defined
  elsewhere, a concept's label elsewhere in the document (one sense per discourse);
- **own vs sections** (both alone, two renderings of one section): differences come from how
  the text is laid out (line breaks inside sentences in the export, list items without bullets
  read as headings, tables as rows or as loose cells, highlights placed elsewhere).

Agreement is 2 x matched / (mentions on the left + mentions on the right).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from pipeline.readers.spl import ACTIVE_CLASSES, HL7, read_xml  # noqa: E402
from pipeline.segment import heading_text  # noqa: E402

#: sections.jsonl keys -> LOINC section codes of SPL
SECTIONS = {
    "indications_and_usage": "34067-9",
    "dosage_and_administration": "34068-7",
    "adverse_reactions": "34084-4",
}
KEY = ["text", "label", "concept_id", "negated", "uncertain", "role"]
_NS = "{" + HL7 + "}"


@dataclass
class Comparison:
    """Two multisets of mention keys."""

    left: int = 0
    right: int = 0
    matched: int = 0
    only_left: Counter = field(default_factory=Counter)
    only_right: Counter = field(default_factory=Counter)

    def add(self, left: Counter, right: Counter) -> None:
        both = left & right
        self.left += sum(left.values())
        self.right += sum(right.values())
        self.matched += sum(both.values())
        self.only_left.update(left - right)
        self.only_right.update(right - left)

    @property
    def agreement(self) -> float:
        total = self.left + self.right
        return 100.0 * 2 * self.matched / total if total else 100.0

    @property
    def equal(self) -> bool:
        return not self.only_left and not self.only_right

    def as_dict(self) -> dict[str, Any]:
        return {
            "left": self.left, "right": self.right, "matched": self.matched,
            "only_left": sum(self.only_left.values()), "only_right": sum(self.only_right.values()),
            "agreement": round(self.agreement, 2),
        }


@dataclass
class LabelResult:
    label: str
    status: str
    media_type: str
    n_titles: int
    titles_as_headings: int
    subject_id: str | None
    subject_name: str | None
    ingredients: list[str]
    subject_ok: bool
    how_subject: str
    comparisons: dict[str, dict[str, Comparison]]  # comparison -> section -> Comparison
    #: labels vs own, the same text: (section, decision alone, decision in the label) -> count,
    #: for mentions at the same offsets decided differently ("ADVERSE_EFFECT" -> "CONDITION/studied")
    changes: Counter = field(default_factory=Counter)


#: the method that found each compared mention (for classifying differences)
METHODS: dict[tuple, str] = {}


def _keys(mentions: pd.DataFrame) -> Counter:
    keys: Counter = Counter()
    for row in mentions[KEY + ["method"]].itertuples(index=False):
        key = tuple(None if pd.isna(v) else v for v in row[:-1])
        METHODS.setdefault(key, row[-1])
        keys[key] += 1
    return keys


def classify(only_left: Counter, only_right: Counter) -> Counter:
    """The differences of a comparison by kind (counted on both sides):

    - *other label, role or negation*: the same text on both sides, decided differently;
    - *brand or unknown name as a substance*: a SUBSTANCE mention of a name the subject evidence
      made a substance (an alias such as VIMOVO -> naproxen, a ``LOCAL:`` name);
    - *abbreviation*: an abbreviation mention (defined, or undefined, elsewhere);
    - *span*: a text holding, or held in, a text on the other side ("Urogenital: cystitis" and
      "cystitis");
    - *other*: found on one side only.
    """
    kinds: Counter = Counter()
    left, right = Counter(only_left), Counter(only_right)
    texts_left: Counter = Counter()
    texts_right: Counter = Counter()
    for key, n in left.items():
        texts_left[key[0].lower()] += n
    for key, n in right.items():
        texts_right[key[0].lower()] += n
    paired = {t: min(texts_left[t], texts_right[t]) for t in texts_left if t in texts_right}
    for side, counter in (("left", left), ("right", right)):
        budget = dict(paired)
        others = set(texts_right if side == "left" else texts_left)
        for key, n in counter.items():
            text = key[0].lower()
            for _ in range(n):
                method = METHODS.get(key, "")
                if budget.get(text, 0) > 0:
                    budget[text] -= 1
                    kinds["other label, role or negation"] += 1
                elif key[1] == "SUBSTANCE" and method in ("rule:alias", "rule:local-name"):
                    kinds["brand or unknown name as a substance"] += 1
                elif method.startswith("abbreviation"):
                    kinds["abbreviation"] += 1
                elif any(text != o and (text in o or o in text) for o in others):
                    kinds["span"] += 1
                else:
                    kinds["other"] += 1
    return kinds


def _ingredients(xml: Path) -> tuple[list[str], list[str]]:
    """Names of the label's active ingredients and of their active moieties (listing data)."""
    import defusedxml.ElementTree as SafeET

    root = SafeET.fromstring(xml.read_bytes())
    names, moieties = [], []
    for ingredient in root.iter(_NS + "ingredient"):
        if ingredient.get("classCode") not in ACTIVE_CLASSES:
            continue
        name = ingredient.findtext(f"{_NS}ingredientSubstance/{_NS}name")
        if name:
            names.append(" ".join(name.split()))
        for moiety in ingredient.iter(_NS + "activeMoiety"):
            moiety_name = moiety.findtext(_NS + "name")
            if moiety_name:
                moieties.append(" ".join(moiety_name.split()))
    return list(dict.fromkeys(names)), list(dict.fromkeys(moieties))


def _subject_check(subject_id: str | None, subject_name: str | None, names: list[str], moieties: list[str]) -> tuple[bool, str]:
    """Whether the subject is one of the active ingredients, and how that was decided."""
    from pipeline.extract.substances import load_lexicon

    if not subject_id:
        return False, "no subject"
    lexicon = load_lexicon()
    ids: set[str] = set()
    for name in names + moieties:
        ids.update(found.substance.concept_id for found in lexicon.find(name))
    if subject_id in ids:
        return True, "id of an active ingredient or moiety"
    lowered = (subject_name or "").lower()
    for name in names + moieties:
        base = name.lower().split()[0]
        if base and base in lowered:
            return True, f"name holds the ingredient's ({base})"
    return False, "not an active ingredient"


def _run(corpus: Path, out: Path) -> None:
    from pipeline.run import run

    summary = run(corpus, out, full=True)
    if summary.n_failed:
        print(f"  {summary.n_failed} sources failed in {corpus}", file=sys.stderr)


def prepare(data: Path, work: Path, only: set[str] | None = None) -> list[dict[str, Any]]:
    """Write the three corpora under ``work``; returns the labels' sections.jsonl records."""
    records = [json.loads(line) for line in (data / "sections.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [r for r in records if only is None or Path(r["file"]).stem in only]
    if work.exists():
        shutil.rmtree(work)
    for name in ("labels", "sections", "own"):
        (work / name).mkdir(parents=True)
    for record in records:
        xml = data / record["file"]
        stem = xml.stem
        shutil.copyfile(xml, work / "labels" / xml.name)
        spl = read_xml(xml.read_bytes())
        for key, code in SECTIONS.items():
            reference = record["sections"].get(key)
            place = next((s for s in spl.sections if s.code == code), None)
            if not reference or place is None:
                continue
            (work / "sections" / f"{stem}__{key}.txt").write_text(reference, encoding="utf-8")
            (work / "own" / f"{stem}__{key}.txt").write_text(spl.text[place.start : place.end] + "\n", encoding="utf-8")
    return records


def measure(data: Path, work: Path, records: list[dict[str, Any]], rerun: bool = True) -> list[LabelResult]:
    """Run the three corpora (unless ``rerun`` is false: the outputs of the last run are
    compared again) and compare (see the module doc)."""
    outs = {}
    for name in ("labels", "sections", "own"):
        outs[name] = work / f"out_{name}"
        if rerun:
            started = time.perf_counter()
            _run(work / name, outs[name])
            print(f"  ran {name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    docs = {name: pd.read_parquet(out / "documents.parquet").set_index("doc_id") for name, out in outs.items()}
    mentions = {name: pd.read_parquet(out / "mentions.parquet") for name, out in outs.items()}
    sentences = pd.read_parquet(outs["labels"] / "sentences.parquet")
    results = []
    for record in records:
        xml = data / record["file"]
        stem = xml.stem
        row = docs["labels"].loc[stem]
        spl = read_xml(xml.read_bytes())
        label_sentences = sentences[sentences.doc_id == stem]
        heads = {(s.start, s.end): s.section for s in label_sentences.itertuples()}
        titled = [s for s in spl.sections if s.title]
        as_headings = sum(1 for s in titled if heads.get((s.start, s.title_end)) == heading_text(s.title))
        names, moieties = _ingredients(xml)
        subject_id = None if pd.isna(row.subject_id) else row.subject_id
        subject_name = None if pd.isna(row.subject_name) else row.subject_name
        ok, how = _subject_check(subject_id, subject_name, names, moieties)
        comparisons: dict[str, dict[str, Comparison]] = {"labels_vs_sections": {}, "labels_vs_own": {}, "own_vs_sections": {}}
        changes: Counter = Counter()
        in_label = mentions["labels"][mentions["labels"].doc_id == stem]
        for key, code in SECTIONS.items():
            place = next((s for s in spl.sections if s.code == code), None)
            txt_id = f"{stem}__{key}"
            if place is None or txt_id not in docs["sections"].index:
                continue
            a = _keys(in_label[(in_label.start >= place.start) & (in_label.start < place.end)])
            b = _keys(mentions["own"][mentions["own"].doc_id == txt_id])
            c = _keys(mentions["sections"][mentions["sections"].doc_id == txt_id])
            for name, (left, right) in {"labels_vs_sections": (a, c), "labels_vs_own": (a, b), "own_vs_sections": (b, c)}.items():
                comparisons[name].setdefault(key, Comparison()).add(left, right)
            changes.update(_changes(key, in_label, place.start, place.end, mentions["own"][mentions["own"].doc_id == txt_id]))
        results.append(LabelResult(stem, row.status, row.media_type, len(titled), as_headings, subject_id, subject_name,
                                   names, ok, how, comparisons, changes))
    return results


def _decision(row: Any) -> str:
    return row.label + (f"/{row.role}" if isinstance(row.role, str) else "") + (" negated" if row.negated else "")


def _changes(section: str, in_label: pd.DataFrame, start: int, end: int, alone: pd.DataFrame) -> Counter:
    """Mentions at the same offsets of the same text, decided differently inside the label and
    alone: (section, decision alone, decision in the label) -> count."""
    inside = in_label[(in_label.start >= start) & (in_label.start < end)]
    here = {(r.start - start, r.end - start, r.text): _decision(r) for r in inside.itertuples()}
    changes: Counter = Counter()
    for r in alone.itertuples():
        decided = here.get((r.start, r.end, r.text))
        if decided is not None and decided != _decision(r):
            changes[(section, _decision(r), decided)] += 1
    return changes


def report(results: list[LabelResult], show: int) -> dict[str, Any]:
    """Print the tables; returns every number."""
    n = len(results)
    ok = sum(r.status == "ok" and r.media_type == "application/xml+spl" for r in results)
    titles = sum(r.n_titles for r in results)
    headings = sum(r.titles_as_headings for r in results)
    subjects = sum(r.subject_ok for r in results)
    print(f"labels: {n}; status ok as application/xml+spl: {ok}/{n}; section titles that are headings: "
          f"{headings}/{titles}; subject an active ingredient: {subjects}/{n}")
    print()
    print("| label | subject | active ingredients | how |")
    print("|---|---|---|---|")
    for r in results:
        mark = "" if r.subject_ok else " **(wrong)**"
        print(f"| {r.label[:13]} | {r.subject_name} `{r.subject_id}`{mark} | {', '.join(r.ingredients)} | {r.how_subject} |")
    totals: dict[str, dict[str, Comparison]] = {}
    for r in results:
        for name, by_section in r.comparisons.items():
            for key, comparison in by_section.items():
                total = totals.setdefault(name, {}).setdefault(key, Comparison())
                total.left += comparison.left
                total.right += comparison.right
                total.matched += comparison.matched
                total.only_left.update(comparison.only_left)
                total.only_right.update(comparison.only_right)
    print()
    print("| comparison | section | left | right | matched | only left | only right | agreement % | labels equal |")
    print("|---|---|---|---|---|---|---|---|---|")
    numbers: dict[str, Any] = {}
    for name, by_section in totals.items():
        for key in SECTIONS:
            if key not in by_section:
                continue
            c = by_section[key]
            equal = sum(1 for r in results if key in r.comparisons[name] and r.comparisons[name][key].equal)
            present = sum(1 for r in results if key in r.comparisons[name])
            numbers.setdefault(name, {})[key] = {**c.as_dict(), "labels_equal": equal, "labels": present}
            print(f"| {name} | {key} | {c.left} | {c.right} | {c.matched} | {sum(c.only_left.values())} | "
                  f"{sum(c.only_right.values())} | {c.agreement:.1f} | {equal}/{present} |")
    print()
    print("| comparison | differences | other label, role or negation | brand or unknown name as a substance | abbreviation | span | other |")
    print("|---|---|---|---|---|---|---|")
    for name, by_section in totals.items():
        kinds: Counter = Counter()
        for c in by_section.values():
            kinds.update(classify(c.only_left, c.only_right))
        numbers.setdefault("kinds", {})[name] = dict(kinds)
        columns = ["other label, role or negation", "brand or unknown name as a substance", "abbreviation", "span", "other"]
        print(f"| {name} | {sum(kinds.values())} | " + " | ".join(str(kinds[k]) for k in columns) + " |")
    changes: Counter = Counter()
    for r in results:
        changes.update(r.changes)
    numbers["changes"] = {" | ".join(k): v for k, v in changes.most_common()}
    print("\nlabels_vs_own, same offsets decided differently (section: alone -> in the label):")
    for (section, alone, inside), count in changes.most_common(8):
        print(f"  {section}: {alone} -> {inside}: {count}")
    if show:
        for name, by_section in totals.items():
            print(f"\n{name}: most frequent differences (text, label, concept, negated, uncertain, role)")
            for key, c in by_section.items():
                for side, counter in (("only left", c.only_left), ("only right", c.only_right)):
                    common = "; ".join(f"{k[0]!r} {k[1]}{' neg' if k[3] else ''}{' unc' if k[4] else ''}"
                                       f"{' ' + k[5] if k[5] else ''} x{v}" for k, v in counter.most_common(show))
                    if common:
                        print(f"  {key} {side}: {common}")
    return {
        "labels": n, "ok": ok, "titles": titles, "headings": headings, "subjects_ok": subjects,
        "subjects": {r.label: {"id": r.subject_id, "name": r.subject_name, "ok": r.subject_ok, "how": r.how_subject,
                               "ingredients": r.ingredients} for r in results},
        "comparisons": numbers,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--work", type=Path, default=HERE / "work" / "spl")
    parser.add_argument("--only", help="comma-separated label file stems")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--show", type=int, default=8, help="most frequent differences to list per section")
    parser.add_argument("--compare-only", action="store_true", help="compare the outputs of the last run again")
    args = parser.parse_args(argv)
    data = args.shared / "benchmarks" / "us_drug_labels_spl"
    if not (data / "sections.jsonl").exists():
        print(f"{data} is not available: nothing to measure", file=sys.stderr)
        return 0
    only = set(args.only.split(",")) if args.only else None
    if args.compare_only:
        records = [json.loads(line) for line in (data / "sections.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        records = [r for r in records if (args.work / "labels" / Path(r["file"]).name).exists()]
    else:
        records = prepare(data, args.work, only)
    results = measure(data, args.work, records, rerun=not args.compare_only)
    numbers = report(results, args.show)
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
