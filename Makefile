# fupin — the two commands: `make demo` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FUPIN := $(BIN)/fupin
# Demo size: the real 平利县 has 23,035 registered households; pass HOUSEHOLDS=2000 for a quick one.
HOUSEHOLDS ?= 23035
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_DB := var/demo.sqlite3
# The demo registry ends in 2020: the demo runs as of the end of that year (business date), so
# what is due, overdue or in its notice period is what it was then.
DEMO_TODAY ?= 2020-12-15
DEMO_ENV := DATABASE_URL=sqlite:///$(CURDIR)/$(DEMO_DB) FUPIN_TODAY=$(DEMO_TODAY)

.PHONY: install assets demo demo-data serve test lint clean bench

$(BIN)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(BIN)/.installed assets

# Front-end files come from the npm registry at build time (pinned in package.json and
# package-lock.json) and are served by the app itself: pages load nothing from the internet.
ECHARTS := fupin/web/static/web/vendor/echarts.min.js

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(ECHARTS): node_modules/.package-lock.json
	mkdir -p $(dir $@)
	cp node_modules/echarts/dist/echarts.min.js $@

assets: $(ECHARTS)

# The demo always runs on SQLite under var/, whatever DATABASE_URL says.
demo-data: install
	mkdir -p var
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(DEMO_ENV) $(FUPIN) migrate --verbosity 0
	$(DEMO_ENV) $(FUPIN) load_regions
	$(DEMO_ENV) $(FUPIN) import_regions fupin/demo/data/610926_regions.csv
	$(DEMO_ENV) $(FUPIN) generate_demo --county 610926 --households $(HOUSEHOLDS)
	$(DEMO_ENV) $(FUPIN) refresh_stats --region 610926
	$(DEMO_ENV) $(FUPIN) collectstatic --noinput --verbosity 0

demo: demo-data
	$(DEMO_ENV) $(FUPIN) create_demo_users --county 610926
	@echo "打开 http://$(HOST):$(PORT)/ （Ctrl-C 停止）"
	$(DEMO_ENV) $(FUPIN) runserver $(HOST):$(PORT) --noreload

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

test: install
	$(BIN)/ruff check .
	$(FUPIN) makemigrations --check --dry-run --verbosity 1
	$(BIN)/pytest

# Benchmarks (bench/README.md): PostgreSQL and SQLite, each job against a reference engine on the
# same data; results in bench/results/, the latest table in README.md. BENCH_PERSONS=20000 for a quick run;
# BENCH_ARGS passes options through, e.g. BENCH_ARGS="--backends sqlite --scales 1,2".
BENCH_PERSONS ?= 100000
$(BIN)/.bench-installed: requirements-bench.txt $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

bench: install $(BIN)/.bench-installed
	$(FUPIN) bench --persons $(BENCH_PERSONS) $(BENCH_ARGS) --update-readme

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
