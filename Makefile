# Fiscal Cockpit — `make run` sets everything up and serves; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB := data/cockpit.duckdb
STATE := data/state.sqlite

.PHONY: run dev migrate test lint demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

STORE_SOURCES := $(wildcard dashboard/store/*.py dashboard/demo/*.py)

$(DB): $(STORE_SOURCES) | $(STAMP)  ## rebuilt when the schema, marts or generator change (an old store lacks tables)
	$(PY) -m dashboard demo --db-url duckdb:///$(DB)

demo: $(STAMP)  ## rebuild the demo store (the running app switches to it on its next request)
	$(PY) -m dashboard demo --db-url duckdb:///$(DB)

$(STATE): | $(DB)  ## the demo users (demo only, README) when no state store exists yet
	$(PY) -m dashboard users demo

run: $(STAMP) $(DB) $(STATE)  ## serve http://127.0.0.1:8050 with gunicorn (COCKPIT_WEB_WORKERS × COCKPIT_WEB_THREADS)
	$(PY) -m dashboard migrate
	$(PY) -m gunicorn -c python:dashboard.web.gunicorn_conf app:server

dev: $(STAMP) $(DB) $(STATE)  ## the Flask development server with debug and reload (never in production)
	$(PY) -m dashboard migrate
	COCKPIT_DEBUG=true $(PY) app.py

migrate: $(STAMP)  ## bring the state store (users, audit trail, tickets) to this version's schema (Alembic)
	$(PY) -m dashboard migrate

test: lint  ## lint, types, layers, then the whole test suite
	$(PY) -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder  ## one worker per core; a test file stays on one worker, the longest files first (tests/conftest.py)

lint: $(STAMP)  ## ruff (lint and format), the import contracts of the layers (ARCHITECTURE.md), mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: $(STAMP) $(DB)  ## every benchmark on the demo store (minutes; not part of the tests)
	$(PY) bench/bench_build.py
	$(PY) bench/bench_import.py
	$(PY) bench/bench_drill.py
	$(PY) bench/bench_topics.py
	$(PY) bench/bench_scale.py  ## --store 10=duckdb:////tmp/x10.duckdb --store 1=postgresql+psycopg://… for more
	$(PY) bench/bench_rules.py
	$(PY) bench/bench_session.py
	$(PY) bench/bench_screen.py
	$(PY) bench/bench_report.py
	$(PY) bench/bench_export.py --synthetic 200000
	$(PY) bench/bench_load.py
	$(PY) bench/bench_lighthouse.py  ## installs Lighthouse into tools/lighthouse on first use (npm)

clean:
	rm -rf $(VENV) data
