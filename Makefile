# WeCare Assistant. `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1

.PHONY: help setup run test train eval validate test-stories bench bench-catalog bench-e2e bench-profile bench-analytics bench-scale soak \
        format lint hooks types lock clean geo-data

help:  ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

setup:  ## Create both locked Python 3.10 environments (.venv-rasa, .venv); idempotent
	@bash scripts/setup.sh

run: setup  ## Start the whole assistant on embedded defaults (SQLite under var/)
	@$(VENV)/bin/wecare run

test: setup  ## Run every test (NLU, stories, pytest; PostgreSQL/Chromium parts when available)
	@bash scripts/test.sh

train: setup  ## Train the Rasa model into models/ (skipped when nothing changed)
	@bash scripts/train.sh

eval: setup  ## Evaluate the NLU on the held-out split; writes docs/nlu_report.md
	@$(VENV)/bin/wecare eval

validate: setup  ## rasa data validate
	@bash scripts/rasa.sh data validate --config config.yml --domain bot/domain --data nlu/data bot/data --fail-on-warnings

test-stories: setup train  ## Rasa test stories (rules, forms) with --fail-on-prediction-errors
	@bash scripts/test_stories.sh

bench: bench-catalog bench-profile bench-e2e bench-analytics  ## All benchmarks (results in docs/benchmarks.md)

bench-catalog: setup  ## Catalog search p50/p95 on 100 000 synthetic services
	@$(PY) scripts/bench_catalog.py

bench-e2e: setup  ## Full reply latency and msg/s, ours and a bare Rasa in the same run
	@$(PY) scripts/bench_e2e.py

bench-profile: setup  ## Where a reply's CPU goes in Rasa (span by span), ours and a bare Rasa
	@$(PY) scripts/bench_profile.py

bench-analytics: setup  ## Needs dashboard report on 1 000 000 synthetic citizen messages
	@$(PY) scripts/bench_analytics.py
bench-scale: setup  ## msg/s and p95 with 1 and 2 Rasa instances (needs TEST_POSTGRES_URL, TEST_REDIS_URL)
	@$(PY) scripts/bench_scale.py --postgres-url "$$TEST_POSTGRES_URL" --redis-url "$$TEST_REDIS_URL"

soak: setup  ## 10 min at 20 conversations, each component killed and restarted: lost/duplicated/memory
	@$(PY) scripts/soak.py

geo-data:  ## Regenerate comuni coordinates/CAP/boundaries from the ISTAT packages (.venv-geo)
	@bash scripts/build_comuni_geo.sh

format:  ## ruff format + fix
	@$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

lint:  ## ruff check + ruff format --check
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

hooks:  ## install the git pre-commit hooks (ruff format/check, mypy: .pre-commit-config.yaml)
	@$(VENV)/bin/pre-commit install

types:  ## mypy (nlu/components included)
	@$(VENV)/bin/mypy wecare catalog actions bot nlu/components

clean:  ## Remove generated data (var/, models/, results/)
	rm -rf var models results
