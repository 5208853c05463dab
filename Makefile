# logstorm's entry points. Every target installs what it needs first (tools/bootstrap,
# idempotent and fast once .cache/ and .venv/ exist).
SHELL := /bin/bash
VENV := .venv/bin
export LEIN_ROOT := 1

.PHONY: setup run wordcount test lint clean

setup:
	@tools/bootstrap

## The main job: the word-count topology on a Storm LocalCluster until Ctrl-C.
run: wordcount

wordcount: setup
	$(VENV)/sparse run -n wordcount

## The whole test suite: lint, unit tests, and the real-Storm integration tests.
test: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/python -m pytest

lint: setup
	$(VENV)/ruff check --fix .
	$(VENV)/ruff format .

clean:
	rm -rf _build _resources run
