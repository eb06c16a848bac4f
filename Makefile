# Family Hubs Network: `make run` serves the demo, `make test` runs everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python 3.12+. Try the usual names, then pyenv's installs; a shim that
# cannot run is skipped, so the first interpreter that really starts wins.
PYTHON_CANDIDATES := python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) /usr/bin/python3.13 /usr/bin/python3.12 \
	/usr/local/bin/python3.13 /usr/local/bin/python3.12
PYTHON ?= $(shell for c in $(PYTHON_CANDIDATES); do \
	if $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	command -v $$c 2>/dev/null || echo $$c; break; fi; done)

.PHONY: help run test install migrate seed lint format bench check-python

help:
	@echo "make run   - set up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test  - install and run the whole test suite"

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "ERROR: Python 3.12 or newer is needed (Django 6.1 requires it)."; \
		echo "       Looked for: python3.13, python3.12 (and pyenv installs). Install one, or run"; \
		echo "       make PYTHON=/path/to/python3.12 ..."; \
		exit 1; fi

$(VENV)/.installed: pyproject.toml | check-python
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
		rm -rf $(VENV); echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.9 || true
	@if [ -x $(VENV)/bin/uv ]; then \
		$(VENV)/bin/uv pip install --python $(PY) --quiet -r pyproject.toml --extra dev; \
	else \
		$(PY) -m pip install --quiet --disable-pip-version-check -r <($(PY) -c 'import tomllib;d=tomllib.load(open("pyproject.toml","rb"))["project"];print("\n".join(d["dependencies"]+d["optional-dependencies"]["dev"]))'); \
	fi
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo
	@echo "Family Hubs Network is starting on http://$(HOST):$(PORT)/ (the demo logins are above)"
	@echo
	@# The server and the task worker together (Procfile.dev); Ctrl+C stops both. Tasks go
	@# through the database queue, as in production; the worker polls SQLite gently.
	@# Links in emails, calendar files and feeds follow the address served, unless SITE_URL is set.
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} \
	TASKS_BACKEND=db WORKER_POLL_SECONDS=$${WORKER_POLL_SECONDS:-0.5} FHN_HOST=$(HOST) FHN_PORT=$(PORT) \
		$(VENV)/bin/honcho -f Procfile.dev start

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest tests --ignore=tests/browser -q
	@if [ -x "$$(command -v chromium)" ] || [ -n "$$REQUIRE_SERVICES" ]; then \
		DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest tests/browser -q; \
	else echo "Browser tests skipped: install Debian's chromium to run them (apt-get install -y chromium)."; \
		DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest tests/browser -q || [ $$? -eq 5 ]; fi

bench: install
	$(PY) bench/pages.py
