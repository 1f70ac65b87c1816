# The README's two commands: `make run` and `make test`. `make install` makes .venv alone.
# PYTHON makes .venv (make run, make install, the linters); PYTHONS are the versions pytest
# runs on in `make test`, each in its own venv (scripts/pytest-on). CI runs all three; on a
# machine that lacks one, e.g. `make test PYTHONS="3.11"`. PYTEST_ARGS go to every pytest.
PYTHON ?= python3.11
PYTHONS ?= 3.11 3.12 3.13
PYTEST_ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
DEMO_CONFIG := examples/demo/arbridge.yaml

.PHONY: install install-dev run test test-deps lint typecheck imports unit golden screenshots clean stateful-long stateful-long-http

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/arbridge --config $(DEMO_CONFIG) run

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Strict on 3.11 (pyproject) and once more against 3.13's standard library stubs.
typecheck: install-dev
	$(BIN)/mypy
	$(BIN)/mypy --python-version 3.13

imports: install-dev
	$(BIN)/lint-imports

test-deps:
	scripts/test-deps

# pytest on every version of PYTHONS, one after the other; all must be there (see above).
unit: install-dev test-deps
	MAIN_VENV=$(VENV) PYTEST_ARGS="$(PYTEST_ARGS)" scripts/pytest-on $(PYTHONS)

test: lint typecheck imports unit

# The money state machine's long profile: 2,000 examples per ERP (in-memory, then csv).
stateful-long: install-dev
	ARBRIDGE_STATEFUL=long ARBRIDGE_STATEFUL_ERP=memory $(BIN)/pytest tests/stateful -q -p no:cacheprovider --hypothesis-show-statistics
	ARBRIDGE_STATEFUL=long ARBRIDGE_STATEFUL_ERP=csv $(BIN)/pytest tests/stateful -q -p no:cacheprovider --hypothesis-show-statistics

# The same for the HTTP ERPs through their fakes (bench/erp_fakes on respx), faults on the wire.
# STEPS: steps per example (12 by default; the figures in the README were run with it).
STEPS ?= 12
stateful-long-http: install-dev
	for erp in business_central quickbooks acumatica; do \
	  ARBRIDGE_STATEFUL=long ARBRIDGE_STATEFUL_ERP=$$erp ARBRIDGE_STATEFUL_STEPS=$(STEPS) \
	    $(BIN)/pytest tests/stateful -q -p no:cacheprovider --hypothesis-show-statistics || exit 1; \
	done

# Rewrite tests/data/bank/**/*.expected.json from what the readers return now; review the diff.
golden: install-dev
	$(BIN)/python -m tests.connectors.bank.golden

screenshots: install-dev test-deps
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .venvs .mypy_cache .pytest_cache .ruff_cache
