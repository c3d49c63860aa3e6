# Two commands for a fresh machine (see README): `make run` and `make test`.
# Each sets up what it needs in .venv first; nothing is installed outside the project.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

NODE_STAMP := tests/js/node_modules/.installed

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

# ajv and json-logic-js, for the tests that play a JavaScript portal (versions pinned by the lock file).
$(NODE_STAMP): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The main job: check every shipped bundle against the catalogues and print every problem.
run: $(STAMP)
	$(VENV)/bin/configurator check

test: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/ruff check configurator tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	$(VENV)/bin/python bench/check_many.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis tests/js/node_modules
