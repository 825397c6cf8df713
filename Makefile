# Care Atlas: two commands do all set-up on a fresh machine.
#   make run    create .venv if needed, install, start the app on the bundled sample
#   make test   install dev requirements (+ Debian chromium if missing), lint, run all tests

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
CHROMIUM ?= /usr/bin/chromium
SUDO   := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test lint format unit app e2e bench chromium postgis clean help atlas catalog

help:
	@echo "make run    start Care Atlas on http://localhost:$(PORT) (bundled sample data)"
	@echo "make test   lint + unit + AppTest + browser tests"
	@echo "make catalog  rewrite locale/care_atlas.pot from the code and check the catalogs"
	@echo "make bench  benchmarks (ratios against the peers named in the issues)"
	@echo "make atlas SOURCE=DIR [OUT=var/atlas/bogota]  import Bogotá's official layers"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Care Atlas needs Python 3.11 ($(PYTHON) not found): install it or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/streamlit run app.py --server.port $(PORT) \
	  --server.maxUploadSize $$($(BIN)/python -m geo.settings upload-mb)

# Debian's chromium drives the browser tests (never a browser downloaded by a test tool).
chromium:
	@[ -x $(CHROMIUM) ] || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }
	@command -v pdftoppm >/dev/null || { echo "Installing Debian's poppler-utils (the story test renders PDF pages)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq poppler-utils >/dev/null; }

# Debian's PostgreSQL + PostGIS: the store tests start a throwaway server from them
# (tests/pg_throwaway.py). The metapackages follow the release's default version
# (Debian 12: postgresql-15, postgresql-15-postgis-3).
postgis:
	@{ ls /usr/lib/postgresql/*/bin/initdb && ls /usr/share/postgresql/*/extension/postgis.control; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's PostgreSQL + PostGIS for the store tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql postgresql-postgis >/dev/null; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Translations: the template from the code, and the check make test runs (tests/ui/test_catalogs.py)
catalog: $(VENV)/.installed
	$(BIN)/python -m tools.catalog

unit: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/geo tests/ui

app: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/app

e2e: $(VENV)/.installed-dev chromium
	CARE_ATLAS_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests/e2e

test: $(VENV)/.installed-dev chromium postgis lint
	CARE_ATLAS_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest

# Bogotá's official open layers -> an atlas folder (CARE_ATLAS_DATA_DIR=$(OUT) make run).
OUT ?= var/atlas/bogota
atlas: $(VENV)/.installed
	@[ -n "$(SOURCE)" ] || { echo "make atlas SOURCE=DIR: the folder where you saved Bogotá's official layers (see README 'Real data for Bogotá')"; exit 2; }
	$(BIN)/python -m geo atlas --source "$(SOURCE)" --out "$(OUT)"

bench: $(VENV)/.installed-dev
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache artifacts
