# Two commands for a fresh machine (see README): `make run` and `make test`.
# Each sets up what it needs in .venv first; nothing is installed outside the project.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

NODE_STAMP := tests/js/node_modules/.installed

.PHONY: run test bench browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

# ajv and json-logic-js, for the tests that play a JavaScript portal (versions pinned by the lock file).
$(NODE_STAMP): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The main job: the web admin on the shipped bundles (SQLite, a workspace in instance/).
# It prints the address and, on the first run, the admin's password.
run: $(STAMP)
	$(VENV)/bin/configurator check
	$(VENV)/bin/configurator serve

# The browser tests drive Debian's chromium; a CJK font makes Chinese render. Installed when
# missing and possible (root with apt-get); otherwise those tests are skipped outside CI.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "note: chromium or a CJK font is missing; browser tests will be skipped"; fi; \
	fi

test: $(STAMP) $(NODE_STAMP) browser-deps
	$(VENV)/bin/ruff check configurator tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	$(VENV)/bin/python bench/check_many.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tests/js/node_modules
