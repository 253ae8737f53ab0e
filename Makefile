# The two commands: `make dev` (run the product locally with demo data) and `make test` (every test).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
SCALE ?= full

# Debian packages the stack and the tests need (installed only when missing, and only as root).
DEBIAN_PACKAGES := postgresql-15 postgresql-contrib postgresql-15-pgtap \
	libtap-parser-sourcehandler-pgtap-perl postgresql-15-plpgsql-check nginx \
	chromium fonts-dejavu-core

.PHONY: help setup system-packages dev down test lint bench

help:
	@echo "make dev    run the stack locally with demo data (Postgres, PostgREST, Auth/Realtime/Storage stand-ins, nginx, purge, BFF)"
	@echo "make test   run every test: ruff, mypy, pytest (with pgTAP and the advisors)"
	@echo "make bench  run the benchmark (SCALE=small for the quick one)"
	@echo "make down   stop the local stack"

setup: system-packages $(BIN)/.installed node_modules/.installed web/node_modules/.installed

system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian packages:" $$missing; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "missing Debian packages (install them as root):" $$missing >&2; exit 1; \
		fi; \
	fi

# The product (`bff`, with its test tools) and, separately, the developer tooling (`tools/`: the
# local stack, its stand-ins and the `bff` command), which a deployment never installs.
$(BIN)/.installed: pyproject.toml tools/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' -e ./tools
	touch $@

# `npm install` (not `npm ci`): the lockfile lists only this platform's optional binaries, which
# `npm ci` would refuse as out of sync; with the lockfile present it installs exactly those versions.
node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# The web app's browser packages (preact, htm, supabase-js), pinned by web/package-lock.json and
# served by the app's own host: nothing is fetched from a CDN at run time.
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

dev: setup
	@$(BIN)/bff stack up
	@$(BIN)/bff stack info

down:
	@if [ -x $(BIN)/bff ]; then $(BIN)/bff stack down; else echo "nothing to stop"; fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The benchmark's small scale runs too, as a smoke check that it still works (no timing asserted);
# pytest runs last so its summary closes the output.
test: lint
	$(BIN)/python -m bench --scale small
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench --scale $(SCALE)
