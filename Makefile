# casegraph: `make demo` and `make test` work on a fresh machine; both set up .venv.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-data
DEMO_SIZE ?= 50000

.PHONY: install test lint typecheck pytest demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check casegraph tests benchmarks
	$(BIN)/ruff format --check casegraph tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

demo: $(STAMP)
	$(BIN)/casegraph --data-dir $(DEMO_DIR)/store init
	$(BIN)/casegraph demo generate --out $(DEMO_DIR) --size $(DEMO_SIZE) --casegraph "$(BIN)/casegraph --data-dir $(DEMO_DIR)/store"
	sh $(DEMO_DIR)/ingest.sh --quiet
	$(BIN)/casegraph --data-dir $(DEMO_DIR)/store stats
	@echo
	@echo "The demo investigation is loaded. Explore it:"
	@echo "  export CASEGRAPH_DATA_DIR=$(DEMO_DIR)/store"
	@echo "  $(BIN)/casegraph datasets list"
	@echo "  $(BIN)/casegraph datasets show company_registry"
	@echo "  $(BIN)/casegraph export --format ftm --schema Person | head"
	@echo "  $(BIN)/casegraph entity show ENTITY_ID    # an id from the export or $(DEMO_DIR)/ground_truth.json"

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .ruff_cache .pytest_cache
