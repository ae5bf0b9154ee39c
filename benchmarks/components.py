"""Where the time of extraction goes: wall time of each pipeline component on a corpus folder.

    python benchmarks/components.py [--corpus benchmarks/work/speed/corpus] [--batch-size 16]

Reads the corpus's sources as ``pipeline run`` does, builds the Language once, then runs the
tokenizer and each component over all documents in turn (components with ``pipe`` in batches),
timing each stage separately. No profiler is attached, so the shares are those of a real run;
row building and Parquet writing are not included (``speed.py --profile`` covers the whole
command). The default corpus is the 1M-word one that ``benchmarks/speed.py`` writes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline.ingest import find_sources, load
from pipeline.nlp import get_nlp


def component_times(texts: list[str], batch_size: int) -> dict[str, float]:
    """Seconds per stage (tokenizer first, then every pipeline component in order)."""
    nlp = get_nlp()
    start = time.perf_counter()
    docs = [nlp.make_doc(text) for text in texts]
    times = {"tokenizer": time.perf_counter() - start}
    for name, component in nlp.pipeline:
        start = time.perf_counter()
        if hasattr(component, "pipe"):
            docs = list(component.pipe(docs, batch_size=batch_size))
        else:
            docs = [component(doc) for doc in docs]
        times[name] = time.perf_counter() - start
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("benchmarks/work/speed/corpus"))
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: run benchmarks/speed.py first (it writes it)", file=sys.stderr)
        return 2
    documents = [load(source) for source in find_sources(args.corpus)]
    texts = [d.text for d in documents if d.status == "ok"]
    words = sum(len(text.split()) for text in texts)
    get_nlp()  # build (and load caches) outside the timings
    times = component_times(texts, args.batch_size)
    total = sum(times.values())
    print(f"{len(texts)} documents, {words:,} words, {args.corpus}")
    print(f"{'stage':18s} {'seconds':>8s} {'share':>6s} {'words/s':>10s}")
    for name, seconds in times.items():
        print(f"{name:18s} {seconds:8.2f} {seconds / total:6.1%} {words / seconds:10,.0f}")
    print(f"{'all stages':18s} {total:8.2f} {1:6.0%} {words / total:10,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
