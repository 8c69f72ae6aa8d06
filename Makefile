# Gatehouse: `make run` starts the service, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-rules lint eval bench docs dev clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

dev: $(STAMP)

run: $(STAMP)
	$(BIN)/gatehouse serve

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check reviewer checks tests bench
	$(BIN)/mypy

test-rules: $(STAMP)
	$(BIN)/python -m pytest tests/test_rule_pack.py

eval: $(STAMP)
	$(BIN)/gatehouse eval ../shared/corpus

bench: $(STAMP)
	$(BIN)/python bench/scan_bench.py ../shared/corpus

docs: $(STAMP)
	$(BIN)/gatehouse rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) build dist *.egg-info
