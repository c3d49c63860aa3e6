# Two commands for a fresh machine (see README): `make run` and `make test`.
# Each sets up what it needs in .venv first; nothing is installed outside the project except, when
# run as root, Debian packages the tests drive (chromium, a CJK font, PostgreSQL, nginx, wrk for `make bench`).
PYTHON ?= python3
VENV := .venv
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Versions come from requirements.lock (regenerate with `make lock`); pyproject.toml keeps ranges.
INSTALL := $(PIP) install --quiet --constraint requirements.lock

NODE_STAMP := tests/js/node_modules/.installed

.PHONY: run test lint bench conformance browser-deps postgres-deps nginx-deps wheel-check lock clean messages

# The admin's translations (Flask-Babel, gettext): Chinese msgids in the sources, English in
# translations/en. `make messages` re-extracts messages.pot and merges it into every .po; the .mo
# files are compiled here (never committed) before anything runs the admin or builds the wheel.
TRANSLATIONS := configurator/web/translations
MO := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(INSTALL) -e '.[test,lint]'
	touch $(STAMP)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

messages: $(STAMP)
	$(VENV)/bin/pybabel --quiet extract -F babel.cfg -k lazy_gettext -k lazy_pgettext:1c,2 -k N_ --add-location=file --sort-output \
	  --no-wrap --project configurator --copyright-holder "configurator authors" -o $(TRANSLATIONS)/messages.pot configurator
	$(VENV)/bin/pybabel --quiet update --no-wrap --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	@echo "now translate the new or fuzzy entries in $(TRANSLATIONS)/*/LC_MESSAGES/messages.po (tests/test_translations.py lists them)"

# ajv, json-logic-js and the other JavaScript tools that play a portal (versions pinned by the lock file).
$(NODE_STAMP): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The main job: the web admin on the shipped bundles (SQLite, a workspace in instance/).
# It prints the address and, on the first run, the admin's password. `make run PORT=8080 HOST=0.0.0.0`
# serves elsewhere (the defaults are serve's own).
HOST ?= 127.0.0.1
PORT ?= 5000
run: $(STAMP) $(MO)
	$(VENV)/bin/configurator check
	$(VENV)/bin/configurator serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's chromium; a CJK font makes Chinese render. Installed when
# missing and possible (root with apt-get); otherwise those tests are skipped outside CI.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "note: chromium or a CJK font is missing; browser tests will be skipped"; fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check configurator tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache >/dev/null
	$(VENV)/bin/vulture

# The concurrency test of change requests runs on a real PostgreSQL too: the Debian server,
# installed when missing and possible (root with apt-get); otherwise that test is skipped with a note.
postgres-deps:
	@if ! command -v pg_config >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "note: PostgreSQL is missing; its concurrency test will be skipped"; fi; \
	fi

# nginx serving `configurator export-api` as docs/operations.md deploys it (tests/test_nginx_export.py,
# bench/static_load.py): Debian's nginx and its headers-more module, installed when missing and possible
# (root with apt-get); otherwise that test is skipped outside CI with a note.
nginx-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || [ ! -e /usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-headers-more-filter >/dev/null; \
	  else echo "note: nginx or its headers-more module is missing; the nginx export test will be skipped"; fi; \
	fi

# Line and branch coverage of the package, with the floor in pyproject.toml ([tool.coverage.report]).
# On TEST_WORKERS processes (pytest-xdist), each taking whole test files: a file's module-scoped
# browser and server fixtures stay in one process. TEST_WORKERS=0 runs everything in this process.
TEST_WORKERS ?= 2
test: $(STAMP) $(MO) $(NODE_STAMP) browser-deps postgres-deps nginx-deps lint
	$(VENV)/bin/python -m pytest --cov --cov-report=term -n $(TEST_WORKERS) --dist loadfile

# The wheel, installed into a fresh venv with no source tree around it: init, check, build, serve.
wheel-check: $(STAMP) $(MO)
	$(VENV)/bin/python tests/wheel_check.py

# The benchmarks; bench/report.py runs them all and writes docs/performance.md from their output.
# wrk is a Debian package: installed when root, otherwise the HTTP load benchmark is skipped with a note.
# Every case of every bundle (and region) through every consumer of the artifacts: explain, the
# pre-check over HTTP, form.schema.json (jsonschema, ajv), form.ui.json and routing.json (two JsonLogic
# implementations), metrics.json, SpiffWorkflow, Camunda 8 FEEL (feelin). Exit 1 on any disagreement;
# ARGS passes options, e.g. `make conformance ARGS="--sample 20 --report report.json"`.
conformance: $(STAMP) $(MO) $(NODE_STAMP)
	$(VENV)/bin/python bench/conformance.py --regions $(ARGS)

bench: $(STAMP) $(MO) nginx-deps
	$(INSTALL) -e '.[bench]'
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "note: wrk is not installed; bench/api_load.py will be skipped"; fi; \
	fi
	$(VENV)/bin/python bench/report.py

lock: $(STAMP)
	$(INSTALL) -e '.[lock]'
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	  --extra test --extra lint --extra bench --extra lock -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tests/js/node_modules build dist *.egg-info
