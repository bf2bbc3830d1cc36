# The two Quick-start commands (see README): `make demo` and `make test`.
# Both create .venv on first use and install the project with its test extras.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test layers static bench clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,build]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/cursus-lint catalog fixtures/example_repo
	$(BIN)/cursus-lint check fixtures/example_repo --workspace-dir fixtures/workspaces --statistics

test: layers static
	$(BIN)/python -m pytest -n auto --dist worksteal

# The import-linter layering contracts in pyproject.toml (rules -> cursus_lint -> cursus_core).
layers: $(BIN)/.installed
	$(BIN)/python tools/lint_imports.py

# ruff and mypy, configured and pinned in pyproject.toml ([tool.ruff], [tool.mypy], the test extra).
static: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) build *.egg-info .cursus-lint-cache .mypy_cache .ruff_cache
