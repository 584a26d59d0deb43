# Kỹ năng số — two commands for a new user: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 1
export NO_MKDOCS_2_WARNING := 1

.PHONY: install site serve test test-fast check lint bench bench-smoke bench-burst clean

# The virtual environment is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The build's hooks (overrides/hooks/) also write per-language search indexes and .br/.gz copies of
# every text file; canonical and hreflang links are absolute, from KYNANGSO_PUBLIC_URL.
site: install
	KYNANGSO_PUBLIC_URL="$${KYNANGSO_PUBLIC_URL:-http://127.0.0.1:$(PORT)/}" $(BIN)/mkdocs build --strict

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

# Ruff with the rules configured in pyproject.toml ([tool.ruff]: ruff's default set).
lint: install
	$(BIN)/ruff check quiz_api tests bench tools

# Submission benchmark (needs wrk): submit throughput vs GET /api/v1/health/live on the same server.
# BENCH_ARGS="--rounds 3" or "--database postgresql+psycopg://postgres@127.0.0.1:5432/kns_bench".
bench: install
	$(BIN)/python bench/submit_bench.py $(BENCH_ARGS)

# CI: the same benchmark with a tiny load; checks it runs and stores every submission once (no timing goal).
bench-smoke: install
	$(BIN)/python bench/submit_bench.py --smoke $(BENCH_ARGS)

# Burst: 2,000 learners start an attempt within ten seconds (open-loop arrivals); p99 <= 2 s, no error.
bench-burst: install
	$(BIN)/python bench/burst_bench.py $(BENCH_ARGS)

clean:
	rm -rf site .pytest_cache .hypothesis
