SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1

.PHONY: help install run migrate test lint format bench evaluate clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv with the project (editable) and its development tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP) ## Apply database migrations to DATABASE_URL (default: ./data/anomaly.db)
	$(BIN)/anomaly migrate

run: migrate ## Start the service on http://$(HOST):$(PORT) (embedded SQLite unless DATABASE_URL is set)
	$(BIN)/anomaly serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: $(STAMP) ## ruff, mypy --strict and the import-linter contracts
	$(BIN)/ruff check src tests migrations bench evaluate
	$(BIN)/ruff format --check src tests migrations bench evaluate
	$(BIN)/mypy --strict src tests bench evaluate
	$(BIN)/lint-imports

format: $(STAMP) ## Format and autofix the code
	$(BIN)/ruff format src tests migrations bench evaluate
	$(BIN)/ruff check --fix src tests migrations bench evaluate

test: lint ## Lint, then run every test (PostgreSQL at ANOMALY_TEST_DATABASE_URL or 127.0.0.1:5432)
	$(BIN)/pytest

bench: $(STAMP) ## Measure the service against a bare-stack reference (installs wrk when missing); BENCH_SECONDS=15
	command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py

evaluate: $(STAMP) ## Score the service on NAB (NAB_DIR, default ../shared/nab) through its HTTP API; ONLY=offline,... runs a part
	$(BIN)/python -m evaluate.run $(if $(ONLY),--only $(ONLY))

clean: ## Remove the virtual environment and caches (never ./data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
