# mail2task: `make run` (local stack), `make test` (every tier), `make bench` (benchmarks table).
# Each target bootstraps .venv with pinned dependencies on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
CHECKOV_VERSION := 3.3.30

.PHONY: run test bench lint typecheck unit emulator-tests browser-tests infra-tests prereqs clean \
	need-stack need-test

$(STAMP): pyproject.toml functions/requirements.txt constraints.txt
	@PYTHON=$(PYTHON) scripts/check-prereqs python
	@flock .venv.lock sh -c '\
	  [ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV); \
	  $(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]" && touch $(STAMP)'

$(CHECKOV_STAMP):
	@flock .venv.lock sh -c '\
	  [ -x $(CHECKOV_VENV)/bin/python ] || $(PYTHON) -m venv $(CHECKOV_VENV); \
	  $(CHECKOV_VENV)/bin/python -m pip install -q --disable-pip-version-check checkov==$(CHECKOV_VERSION) && touch $(CHECKOV_STAMP)'

prereqs:
	@scripts/check-prereqs python emulator terraform

# Prerequisites are checked before the (long) virtualenv install, so a missing tool is named at once.
need-stack:
	@PYTHON=$(PYTHON) scripts/check-prereqs python emulator

need-test:
	@PYTHON=$(PYTHON) scripts/check-prereqs python emulator terraform
	@scripts/ensure-chromium

run: need-stack $(STAMP)
	$(BIN)/python -m mail2task.local.stack

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

emulator-tests: $(STAMP)
	@scripts/check-prereqs emulator
	$(BIN)/pytest tests/emulator

browser-tests: $(STAMP)
	@scripts/check-prereqs emulator
	@scripts/ensure-chromium
	$(BIN)/pytest tests/browser

infra-tests: $(STAMP) $(CHECKOV_STAMP)
	@scripts/check-prereqs terraform
	terraform fmt -check -recursive infra
	$(BIN)/pytest tests/infra

test: need-test $(STAMP) $(CHECKOV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	terraform fmt -check -recursive infra
	$(BIN)/pytest tests/unit tests/emulator tests/browser tests/infra

bench: need-stack $(STAMP)
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .venv.lock .mypy_cache .pytest_cache .ruff_cache
