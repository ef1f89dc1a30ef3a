# `make run` builds the graph and writes every output; `make test` runs the whole suite.
# Both create the virtual environment .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test clean

$(BIN)/fundkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/fundkg
	$(BIN)/fundkg all --out build

test: $(BIN)/fundkg
	bash scripts/ensure-test-deps.sh
	$(BIN)/python -m pytest

clean:
	rm -rf build .pytest_cache
