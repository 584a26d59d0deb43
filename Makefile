# Kỹ năng số — two commands for a new user: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 1
export NO_MKDOCS_2_WARNING := 1

.PHONY: install site serve test test-fast check lint bench clean

# The virtual environment is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

site: install
	$(BIN)/mkdocs build --strict

# Builds the site, upgrades the SQLite database under var/, loads the province profile, serves.
serve: site
	$(BIN)/kynangso serve --port $(PORT) --workers $(WORKERS)

# The whole suite. PostgreSQL runs too when KYNANGSO_TEST_DATABASE_URL is set;
# browser tests run when Chromium and Playwright are installed.
test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

check: install
	$(BIN)/kynangso banks check

clean:
	rm -rf site .pytest_cache .hypothesis
