# Guanxi — the two set-up commands are `make run` and `make test` (see README.md).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# TEST_SCOPE=db: only the tests that use the database, no browser (the second pass of CI, on PostgreSQL).
TEST_SCOPE ?= all
# pytest-xdist workers: one per core here (each gets its own test database).
TEST_WORKERS ?= 2
SNAPSHOT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
export DJANGO_SETTINGS_MODULE ?= config.settings.local
# Python caches compiled modules in __pycache__ (the machine's environment turns that off): without the
# cache every process — each test worker, server worker and subprocess — compiles every module it imports
# from source again, about 3.5 s of CPU for Django, pandas and the project alone.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test install assets messages static browser fonts lint bench demo clean schema-snapshots

UV_VERSION := 0.13.8
# uv (from PyPI, pinned) installs the pinned dependencies in parallel, several times faster than pip;
# if uv cannot be installed or fails, pip does it as before.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	@if $(BIN)/pip install -q uv==$(UV_VERSION) && $(BIN)/uv pip install -q --python $(BIN)/python -e '.[test]'; then \
	  echo "installed the dependencies with uv"; \
	else \
	  echo "uv failed: installing with pip"; \
	  $(BIN)/pip install -q --upgrade pip && $(BIN)/pip install -q -e '.[test]'; \
	fi
	touch $@

install: $(STAMP)

# Front-end assets come from the npm registry (exact versions in package-lock.json) and are
# served by the product itself; nothing is loaded from a CDN.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/bootstrap/dist/css/bootstrap.min.css static/vendor/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css static/vendor/
	mkdir -p static/vendor/fonts && cp node_modules/bootstrap-icons/font/fonts/* static/vendor/fonts/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/

messages: $(STAMP)
	$(BIN)/guanxi compile_catalogs

static: install assets messages
	$(BIN)/guanxi collectstatic --noinput -v0

# The demo company loads in the background while the server already answers (the sign-in page
# shows its progress; its logins are printed in this terminal when it is done).
run: static fonts
	$(BIN)/guanxi migrate --noinput -v0
	$(BIN)/guanxi demo --if-empty --background
	$(BIN)/guanxi serve --bind $(HOST):$(PORT)

# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "chromium missing: apt-get install chromium fonts-wqy-microhei" >&2; exit 1; fi; }

# The PDF reports embed WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, a TrueType CJK font;
# PDF_FONT_PATH in the settings), installed like the browser: apt-get as root, else a clear error.
PDF_FONT ?= /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
fonts:
	@test -f $(PDF_FONT) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	  else echo "PDF font missing ($(PDF_FONT)): apt-get install fonts-wqy-microhei" >&2; exit 1; fi; }
	@test -f $(PDF_FONT) || { echo "PDF font still missing: $(PDF_FONT)" >&2; exit 1; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c pyproject.toml -r guanxi config
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/guanxi schema_snapshot
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=$(SNAPSHOT_DATABASE_URL) $(BIN)/guanxi schema_snapshot

test: install assets messages browser fonts
ifeq ($(TEST_SCOPE),db)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -q -n $(TEST_WORKERS) -m "not browser" --db-only
else
	$(MAKE) lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -q -n $(TEST_WORKERS)
endif

# The test databases' starting point (guanxi/core/schema_snapshots): write it again after changing a migration.
schema-snapshots: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/guanxi schema_snapshot --write
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=$(SNAPSHOT_DATABASE_URL) $(BIN)/guanxi schema_snapshot --write

BENCH_CUSTOMERS ?= 1000000
bench: static
	$(BIN)/guanxi bench all --customers $(BENCH_CUSTOMERS) --requests 2000 --concurrency 4 --json var/bench/report.json

clean:
	rm -rf $(VENV) node_modules static/vendor var
