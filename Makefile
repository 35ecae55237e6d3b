# Two entry points on a fresh machine:  `make demo` (the main job, on the embedded emulator)
# and `make test` (lint, types, unit and end-to-end tests). Everything else is set up on demand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Reinstall when a dependency list or a pinned version changes.
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml emulator/pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: demo test lint typecheck unit engine emulator bench dist clean

$(STAMP):
	@echo "[setup] creating $(VENV) and installing pinned dependencies"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip==25.3
	@$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]' -e ./emulator
	@rm -f $(VENV)/.installed-*
	@touch $@

engine: $(STAMP)
	@$(BIN)/python tools/engine.py ensure >/dev/null

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) engine lint typecheck
	$(BIN)/python -m pytest

demo: $(STAMP) engine
	$(BIN)/python tools/demo.py

# Every benchmark in one run: prints a table and writes docs/benchmarks.md (not part of `test`).
bench: $(STAMP) engine
	$(BIN)/python bench/run_all.py

emulator: $(STAMP)
	$(BIN)/python -m twilio_emulator --host 127.0.0.1 --port 8787 --state-file .pulumi/emulator.db

# The distribution users install: a wheel and an sdist in dist/, checked by twine.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) .pulumi .mypy_cache .ruff_cache .pytest_cache dist
