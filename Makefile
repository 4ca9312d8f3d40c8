# jiesu — one command to run, one to test. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export JIESU_SHARED_DATA_DIR ?= $(abspath ../shared/data)

.PHONY: install run init test test-sqlite test-postgres lint typecheck bench clean browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

init: install
	$(BIN)/jiesu triage ensure-model
	$(BIN)/jiesu init --demo

run: init
	$(BIN)/jiesu serve

lint: install
	$(BIN)/ruff check jiesu tests bench migrations
	$(BIN)/mypy jiesu

typecheck: lint

test-sqlite: install
	$(BIN)/pytest -n 2 --dist loadfile

test-postgres: install
	@if $(BIN)/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL answers on 127.0.0.1:5432: running the suite again on it =="; \
		JIESU_TEST_POSTGRES_URL=$(PG_URL) $(BIN)/pytest -n 2 --dist loadfile; \
	else \
		echo "== PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run =="; \
	fi

# Browser tests drive Debian's chromium (never a downloaded browser); CJK fonts for the pages.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; \
	fi

test: lint browser test-sqlite test-postgres

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var *.egg-info
