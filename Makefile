# `make run` and `make test` work on a fresh clone: both create .venv and install the package.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install run test test-slow evaluate bench-accuracy bench-speed bench-kills model learned-terms indications clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/pipeline run --corpus corpus --out outputs
	$(BIN)/pipeline report --out outputs

# every test, the slow ones too (plain `pytest` leaves out those marked slow)
test: $(STAMP)
	$(BIN)/python -m pytest -m ""

# only the tests marked slow (end-to-end runs, a Dask cluster started with the README's commands)
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

evaluate: run
	$(BIN)/pipeline evaluate --gold $(SHARED)/gold/seeds.jsonl --out outputs

bench-accuracy: $(STAMP)
	$(BIN)/python benchmarks/accuracy.py --shared $(SHARED)

bench-speed: $(STAMP)
	$(BIN)/python benchmarks/speed.py --shared $(SHARED)

bench-kills: $(STAMP)
	$(BIN)/python benchmarks/kills.py --kills 100

model: $(STAMP)
	$(BIN)/python -m pipeline.train --bc5cdr $(SHARED)/benchmarks/bc5cdr --ncbi $(SHARED)/benchmarks/ncbi_disease --out pipeline/models/disease_ner

learned-terms: $(STAMP)
	$(BIN)/python -m pipeline.train_terms --reviews $(SHARED)/benchmarks/psytar --out pipeline/models/learned_terms

# learnt from what the pipeline finds, the learnt terms included: build those first
indications: $(STAMP)
	$(BIN)/python -m pipeline.train_indications --labels $(SHARED)/benchmarks/us_drug_labels_spl/xml --reviews $(SHARED)/benchmarks/psytar --out pipeline/models/indications

clean:
	rm -rf outputs benchmarks/work
