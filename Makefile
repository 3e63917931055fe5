# Every target is listed by `make help`. The two that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
# Developer commands run with DEBUG=1 unless told otherwise (the built-in development key, the console mail
# backend); without it the web server, worker and beat refuse to serve without SECRET_KEY. `make run` is the
# exception: runall starts them with DEBUG off on a development key of its own (ops/management/commands/runall.py).
# The lint checks the production settings with a throw-away key.
DEV := DEBUG=$${DEBUG:-1}
LINT_KEY := SECRET_KEY=$${SECRET_KEY:-lint-only-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=')}

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast schemathesis lint format migrate seed bench prod-smoke cluster-smoke messages check-deploy clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DEVSTAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(DEVSTAMP)

install: $(DEVSTAMP) ## Create .venv and install the pinned requirements (runtime, tests, lint)

migrate: $(STAMP) ## Apply database migrations
	$(DEV) $(PY) manage.py migrate --noinput

seed: migrate ## Load the demo city (idempotent)
	$(DEV) $(PY) manage.py seed_demo

# The three processes run with DEBUG off (users see the platform's error pages) on a development key kept in
# var/dev-secret-key; `DEBUG=1 make run` shows Django's debug pages instead.
run: seed ## Web server + Celery worker + beat with the demo city on 127.0.0.1:8000 (Ctrl-C or SIGTERM stops all)
	$(PY) manage.py runall

test: $(DEVSTAMP) ## The whole test suite (PostgreSQL/Redis/Chromium where configured)
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(DEVSTAMP) ## Unit tests only (no processes, no browser, no schemathesis)
	$(BIN)/pytest -m "not integration and not browser and not schemathesis" $(PYTEST_ARGS)

schemathesis: $(DEVSTAMP) ## Schemathesis over the whole API schema as the city office and an enterprise (PostgreSQL)
	$(BIN)/pytest tests/contract -m schemathesis $(PYTEST_ARGS)

lint: $(DEVSTAMP) ## ruff format check + lint, import layers (import-linter), Django checks, migrations up to date
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	PYTHONPATH=. $(BIN)/lint-imports --no-cache
	$(LINT_KEY) $(PY) manage.py check --fail-level WARNING
	$(LINT_KEY) $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy

format: $(DEVSTAMP) ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: $(STAMP) ## manage.py check --deploy with production settings
	DEBUG=0 SECURE=1 SECRET_KEY=check-deploy-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
	  ALLOWED_HOSTS=safety.example.gov.cn $(PY) manage.py check --deploy --fail-level WARNING

messages: $(STAMP) ## Re-extract and compile translations (needs GNU gettext)
	$(DEV) $(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --no-obsolete
	$(DEV) $(PY) manage.py compilemessages --ignore=.venv

bench: $(DEVSTAMP) ## Benchmarks on PostgreSQL with generated data; writes bench/results.json
	$(PY) bench/run.py $(BENCH_ARGS)

# Not part of `make test`: about 8 minutes of the whole machine. `LOADTEST_ARGS=--quick` for a smoke run.
.PHONY: loadtest
loadtest: $(DEVSTAMP) ## Load test: gunicorn + worker + beat on the bench database under locust; bench/results.json
	$(PY) bench/loadtest/run.py $(LOADTEST_ARGS)

prod-smoke: $(DEVSTAMP) ## gunicorn + worker + beat on PostgreSQL and Redis: a page, the API, a task round trip
	REQUIRE_SERVICES=1 $(BIN)/pytest tests/integration/test_prod_smoke.py $(PYTEST_ARGS)

cluster-smoke: $(DEVSTAMP) ## Two gunicorns and two workers on one PostgreSQL, Redis and media folder (docs/topology.md)
	REQUIRE_SERVICES=1 $(BIN)/pytest tests/integration/test_cluster.py $(PYTEST_ARGS)

clean: ## Remove the venv and local state (var/)
	rm -rf $(VENV) var .pytest_cache .ruff_cache
