# Two entry points: `make run` (quick start on SQLite with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve lint test test-fast browser-deps system-deps bench clean lock

# Dependencies come from the lock file, pinned; the project itself is installed without them.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed

# Refresh requirements.lock from pyproject.toml (run after changing a dependency; commit both).
lock:
	test -x $(VENV)/bin/pip-compile || (test -x $(PY) || $(PYTHON) -m venv $(VENV); $(PY) -m pip install --quiet pip-tools)
	$(VENV)/bin/pip-compile --quiet --extra test --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

# Debian's chromium for the browser tests; never a downloaded browser.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; \
	fi

# Debian's Pango for WeasyPrint (the PDF reports), installed the way chromium is.
system-deps: browser-deps
	@if ! ldconfig -p | grep -q libpangoft2-1.0; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; fi; \
	fi

# The web server and a worker for background jobs (imports, purges), each in its own process
# group: when either stops, or on Ctrl-C, both are stopped.
run: SHELL := /bin/bash
run: install system-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_framework
	$(PY) manage.py load_demo_data
	@echo "Serving on http://$(HOST):$(PORT)/ - sign in with a demo user above."
	@set -m; \
	$(PY) manage.py runserver $(HOST):$(PORT) & web=$$!; \
	$(PY) manage.py run_jobs --reload & worker=$$!; \
	trap 'kill -TERM -- -$$web -$$worker 2>/dev/null; wait' EXIT INT TERM; \
	wait -n $$web $$worker

# ruff (lint and format), the import contracts in pyproject.toml, and the size limits
# (modules <= 600 lines, functions <= 60) in .ci/code_size.py.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) .ci/code_size.py

test: install system-deps lint
	$(PY) manage.py collectstatic --noinput --settings=audit.config.settings.test -v0
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# The benchmarks' own extra (pandas, for the export-and-pivot they compare against).
bench: install
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules staticfiles var/*.sqlite3

# Production-style run: gunicorn with production settings (needs DJANGO_SECRET_KEY,
# DJANGO_ALLOWED_HOSTS and DATABASE_URL; see docs/operations.md).
serve: install
	DJANGO_SETTINGS_MODULE=audit.config.settings.production $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=audit.config.settings.production $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=audit.config.settings.production $(VENV)/bin/gunicorn -c audit/config/gunicorn_conf.py audit.config.wsgi
