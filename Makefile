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

# The unit and browser suites run side by side (the browser suite mostly waits on Chromium
# and its servers), each with its own test database and Redis database; the browser suite's
# output is shown when both have finished. SEQUENTIAL_TESTS=1 runs them one after the other.
test: install lint
	$(PY) manage.py makemigrations --check --dry-run
	@mkdir -p var; \
	if [ -x "$$(command -v chromium)" ] || [ -n "$$REQUIRE_SERVICES" ]; then browser_ok=0; \
	else echo "Browser tests skipped: install Debian's chromium to run them (apt-get install -y chromium)."; \
		browser_ok=5; fi; \
	browser_redis=""; case "$$REDIS_URL" in \
		*://*/[0-9]*) browser_redis="$${REDIS_URL%/*}/$$(( $${REDIS_URL##*/} + 1 ))";; \
		?*) browser_redis="$${REDIS_URL%/}/1";; esac; \
	run_browser() { env TEST_DATABASE_SUFFIX=_browser $${browser_redis:+REDIS_URL=$$browser_redis} \
		DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest tests/browser -q; }; \
	if [ -n "$$SEQUENTIAL_TESTS" ]; then \
		$(PY) -m pytest tests --ignore=tests/browser -q; unit=$$?; \
		run_browser; browser=$$?; \
	else \
		run_browser > var/browser-tests.log 2>&1 & browser_pid=$$!; \
		$(PY) -m pytest tests --ignore=tests/browser -q; unit=$$?; \
		wait $$browser_pid; browser=$$?; \
		echo; echo "== Browser suite (run beside the unit suite) =="; cat var/browser-tests.log; \
	fi; \
	if [ $$browser -eq 5 ] && [ $$browser_ok -eq 5 ]; then browser=0; fi; \
	echo "unit suite exit $$unit, browser suite exit $$browser"; \
	[ $$unit -eq 0 ] && [ $$browser -eq 0 ]

bench: install
	$(PY) bench/pages.py
