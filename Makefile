# Vigil: every day-to-day job is one target here. `make` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_CASE ?= tests
NAME ?=

.PHONY: help install build-tests test run-tests lint typecheck new-alert run bench bench-store bench-alerts bench-scheduler bench-intake bench-tests bench-replay wrk docker-check docker-run clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install Vigil with its dev extra

build-tests: $(STAMP) ## Prepare the test environment (no Docker needed)

test: $(STAMP) ## Run the whole test suite
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

run-tests: $(STAMP) ## Run one test file: make run-tests TEST_CASE=tests/alerts/test_foo.py
	@$(BIN)/pytest $(TEST_CASE); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make run-tests: no tests collected in $(TEST_CASE)" >&2; exit 1; fi; exit $$rc

lint: $(STAMP) ## Lint and format-check with ruff
	$(BIN)/ruff check alerts tests bench docker
	$(BIN)/ruff format --check alerts tests bench docker

typecheck: $(STAMP) ## Type-check the framework with mypy
	$(BIN)/mypy

new-alert: $(STAMP) ## Scaffold an alert and its test (prompts, or NAME="foo bar")
	@cd alerts && ../$(BIN)/python -m lib.scaffold $(if $(NAME),--name "$(NAME)")

run: $(STAMP) ## Run the whole pipeline on this machine (loginput, worker+beat, actions)
	$(BIN)/vigil serve

# The intake benchmark's load client is wrk (a C program, so the client is not the
# bottleneck); it comes from Debian's packages, installed here when missing.
wrk:
	@command -v wrk >/dev/null || { echo "installing wrk (Debian package) for bench-intake"; \
	  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }

bench: $(STAMP) wrk ## Run every benchmark and write bench/results.json
	$(BIN)/python -m bench

bench-store: $(STAMP) ## Benchmark the embedded event store
	$(BIN)/python -m bench store

bench-alerts: $(STAMP) ## Benchmark one alert run at volume
	$(BIN)/python -m bench alerts

bench-scheduler: $(STAMP) ## Benchmark the scheduler under load (VIGIL_BENCH_SCHEDULER_MINUTES, default 5)
	$(BIN)/python -m bench scheduler

bench-intake: $(STAMP) wrk ## Benchmark loginput intake with wrk (installed from Debian if missing)
	$(BIN)/python -m bench intake

bench-tests: $(STAMP) ## Benchmark test speed (one generated alert's tests, whole suite)
	$(BIN)/python -m bench testspeed

bench-replay: $(STAMP) ## Benchmark vigil backfill of the example alerts over auth.log
	$(BIN)/python -m bench replay

docker-check: $(STAMP) ## Validate docker files statically (compose schema, hadolint)
	$(BIN)/python -m docker.check

docker-run: ## Run the docker compose stack (needs a Docker engine)
	docker compose -f docker/compose/docker-compose.yml -p vigil up --build

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) data .pytest_cache
