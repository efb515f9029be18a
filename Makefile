# Two commands on a fresh machine: `make local` runs Aduan locally, `make test` runs every test.
# The first interpreter that really runs and is 3.11+ (a pyenv shim may exist without its version).
PYTHON ?= $(shell for p in python3.12 python3.11 python3.13 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: local local-fresh test unit lint typecheck bench layer openapi clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required (python3.11 or newer on PATH)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Data is kept in .local-state/ across restarts (docs/local-mode.md); local-fresh moves it aside and starts empty.
local: $(STAMP)
	$(PY) -m infra.local

local-fresh: $(STAMP)
	$(PY) -m infra.local --fresh

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q -n 2 --dist loadfile

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

lint: $(STAMP)
	$(PY) -m ruff check .

typecheck: $(STAMP)
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) -m infra.bench

layer: $(STAMP)
	$(PY) -m infra.layer_requirements --write

openapi: $(STAMP)
	$(PY) -m infra.openapi --write

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .aws-sam
