# Two commands on a fresh machine: `make local` runs Aduan locally, `make test` runs every test.
# The first interpreter that really runs and is 3.11+ (a pyenv shim may exist without its version).
PYTHON ?= $(shell for p in python3.12 python3.11 python3.13 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: local local-fresh test unit lint typecheck bench layer openapi fuzz faults clean policy build deploy

# checkov and the SAM CLI pin packages the project pins differently (boto3 among them): each gets its
# own virtualenv, made on first use. Both are git-ignored.
POLICY_VENV := .venv-policy
POLICY_STAMP := $(POLICY_VENV)/.installed
CHECKOV_VERSION := 3.3.30
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed
SAM_CLI_VERSION := 1.170.0
SAM := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam
# `make deploy ENV=prod` deploys the [prod] environment of samconfig.toml.
ENV ?= dev

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

# loadgroup hands tests out one by one (no long file left running alone at the end) except each module
# marked xdist_group (e2e, browser, fuzz: one local stack per module), which stays on one worker;
# --durations names the slowest tests every run, so a slow one is seen when it comes in. Bytecode is cached
# (PYTHONDONTWRITEBYTECODE cleared): otherwise each worker compiles and assert-rewrites every test module and
# pytest plugin again, ~7 s of its CPU per run (docs/testing.md).
test: $(STAMP) $(POLICY_STAMP)
	@test -x /usr/bin/chromium || echo "!!!!! BROWSER TESTS WILL BE SKIPPED: no /usr/bin/chromium (apt-get install -y chromium) !!!!!" >&2
	$(PY) -m ruff check .
	$(PY) -m mypy
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -rs -n 2 --dist loadgroup --durations=15
	$(PY) -m infra.policy_check

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

lint: $(STAMP)
	$(PY) -m ruff check .

typecheck: $(STAMP)
	$(PY) -m mypy

# A longer schemathesis pass than the one in `make test`: 200 examples per operation and role.
fuzz: $(STAMP)
	$(PY) -m infra.fuzz --examples 200

# The fault test at full size (docs/local-mode.md, "Fault injection"): 200 complaints instead of make test's few.
faults: $(STAMP)
	FAULTS_COMPLAINTS=200 FAULTS_REPORT=faults-report.json $(PY) -m pytest -q -s -p no:xdist tests/e2e/test_faults_survived.py

bench: $(STAMP)
	$(PY) -m infra.bench

# Re-resolve the layer's hash-pinned lock after changing runtime dependencies in pyproject.toml.
layer: $(STAMP)
	$(PY) -m infra.layer_requirements --write

# $(call tool_venv,DIR,REQUIREMENT): a virtualenv holding one pinned tool.
define tool_venv
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required (python3.11 or newer on PATH)"; exit 1; }
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet '$(2)'
	touch $(1)/.installed
endef

$(POLICY_STAMP):
	$(call tool_venv,$(POLICY_VENV),checkov==$(CHECKOV_VERSION))

# checkov on template.yaml and its translation (zero unexplained failures).
policy: $(STAMP) $(POLICY_STAMP)
	$(PY) -m infra.policy_check

$(SAM_STAMP):
	$(call tool_venv,$(SAM_VENV),aws-sam-cli==$(SAM_CLI_VERSION))

# Builds every function and the arm64 / Python 3.12 layer with Makefiles: no Docker, no python3.12.
build: $(STAMP) $(SAM_STAMP)
	$(PY) -m infra.layer_requirements --check
	$(SAM) build

# Deploys the samconfig.toml environment ENV (dev by default) with the caller's AWS credentials.
deploy: build
	$(SAM) deploy --config-env $(ENV)

openapi: $(STAMP)
	$(PY) -m infra.openapi --write

clean:
	rm -rf $(VENV) $(POLICY_VENV) $(SAM_VENV) .pytest_cache .mypy_cache .ruff_cache .aws-sam
