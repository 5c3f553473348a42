# casegraph: `make demo` and `make test` work on a fresh machine; both set up .venv.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-data
DEMO_SIZE ?= 50000
# The demo store's owner account (admin and analyst), made by `init` without a prompt.
DEMO_USER ?= demo
DEMO_PASSWORD ?= demo-password-2026
DEMO_PURPOSE ?= case:DEMO-1

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

# The demo commands act as the demo owner: `init` creates that account with the password
# from CASEGRAPH_PASSWORD, and every later command logs in with it, without a prompt.
demo: export CASEGRAPH_USER = $(DEMO_USER)
demo: export CASEGRAPH_PASSWORD = $(DEMO_PASSWORD)
demo: $(STAMP)
	$(BIN)/casegraph --data-dir $(DEMO_DIR)/store init --owner $(DEMO_USER)
	$(BIN)/casegraph demo generate --out $(DEMO_DIR) --size $(DEMO_SIZE) --casegraph "$(BIN)/casegraph --data-dir $(DEMO_DIR)/store"
	sh $(DEMO_DIR)/ingest.sh --quiet
	$(BIN)/casegraph --data-dir $(DEMO_DIR)/store stats
	$(BIN)/casegraph --data-dir $(DEMO_DIR)/store --purpose "$(DEMO_PURPOSE)" datasets list
	$(BIN)/casegraph --data-dir $(DEMO_DIR)/store datasets show leak_people
	@echo
	@echo "Search across scripts and spellings (each search is audited with the entities it returned):"
	$(BIN)/casegraph --data-dir $(DEMO_DIR)/store --purpose "$(DEMO_PURPOSE)" demo searches --truth $(DEMO_DIR)/ground_truth.json
	@echo
	@echo "Entity resolution: link the records of one person or company across the sources (the purpose lets it read the restricted ones), then score the links against the planted duplicates:"
	$(BIN)/casegraph --data-dir $(DEMO_DIR)/store --purpose "$(DEMO_PURPOSE)" resolve
	$(BIN)/casegraph --data-dir $(DEMO_DIR)/store --purpose "$(DEMO_PURPOSE)" demo resolution --truth $(DEMO_DIR)/ground_truth.json
	@echo
	@echo "Oversight: an auditor (no access to content) exports a signed checkpoint, verifies the log, and sees that its own reads are logged too"
	-@$(BIN)/casegraph --data-dir $(DEMO_DIR)/store user add dpo --role auditor --no-password 2>/dev/null
	@token=$$($(BIN)/casegraph --data-dir $(DEMO_DIR)/store token create --user dpo --label demo --expires-days 1 2>/dev/null) && \
	  env -u CASEGRAPH_USER CASEGRAPH_TOKEN=$$token $(BIN)/casegraph --data-dir $(DEMO_DIR)/store audit checkpoint --export $(DEMO_DIR)/witness.checkpoint && \
	  env -u CASEGRAPH_USER CASEGRAPH_TOKEN=$$token $(BIN)/casegraph --data-dir $(DEMO_DIR)/store audit verify --against $(DEMO_DIR)/witness.checkpoint && \
	  env -u CASEGRAPH_USER CASEGRAPH_TOKEN=$$token $(BIN)/casegraph --data-dir $(DEMO_DIR)/store audit activity dpo
	@echo
	@echo "The demo investigation is loaded. Explore it as its owner $(DEMO_USER) (admin, analyst):"
	@echo "  export CASEGRAPH_DATA_DIR=$(DEMO_DIR)/store CASEGRAPH_USER=$(DEMO_USER) CASEGRAPH_PASSWORD=$(DEMO_PASSWORD)"
	@echo "  $(BIN)/casegraph datasets list"
	@echo "  $(BIN)/casegraph datasets show company_registry"
	@echo "  $(BIN)/casegraph --purpose $(DEMO_PURPOSE) export --format ftm --schema Person | head"
	@echo "  $(BIN)/casegraph --purpose $(DEMO_PURPOSE) entity show ENTITY_ID    # an id from the export or $(DEMO_DIR)/ground_truth.json"
	@echo "  $(BIN)/casegraph --purpose $(DEMO_PURPOSE) resolve show ENTITY_ID   # the canonical entity it belongs to"
	@echo "  $(BIN)/casegraph --purpose $(DEMO_PURPOSE) review                   # decide the pairs resolution was unsure about"
	@echo "INTERNAL and RESTRICTED content (customs, payments, the leak) and every export need --purpose."

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/search.py
	$(BIN)/python benchmarks/search_quality.py
	$(BIN)/python benchmarks/resolve.py --write

clean:
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .ruff_cache .pytest_cache
