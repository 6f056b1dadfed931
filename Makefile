# The README's two commands: `make run` and `make test`. Both create .venv when missing.
# torch==2.13.0 is installed first, on its own, so no resolver ever pulls a CUDA build.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.synthgen-installed
POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: install run test lint typecheck chromium pytest pytest-postgres bench bench-quick dist clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[service,dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/synthgen serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy synthgen_core synthgen_service synthgen_cli benchmarks tests

# The dashboard's browser tests drive Debian's chromium; CI runs as root on a fresh machine.
# Without root (and without chromium) they are skipped, saying why.
chromium:
	@test -x /usr/bin/chromium || [ "$$(id -u)" != 0 ] || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@test -x /usr/bin/chromium || echo "chromium is missing: the browser tests will be skipped"

pytest: install chromium
	$(BIN)/python -m pytest

pytest-postgres: install
	SYNTHGEN_TEST_DATABASE_URL=$(POSTGRES_URL) $(BIN)/python -m pytest tests/service -m "not e2e"

test: lint typecheck pytest pytest-postgres

bench: install
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python -m benchmarks run

bench-quick: install
	$(BIN)/python -m benchmarks run --quick

# dist/: a wheel and an sdist to `pip install` elsewhere, built offline from the checkout.
dist: install
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
