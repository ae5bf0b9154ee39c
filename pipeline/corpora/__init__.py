"""Readers of annotated corpora, shared by training (:mod:`pipeline.train`) and the benchmarks
(``benchmarks/corpora.py``)."""
