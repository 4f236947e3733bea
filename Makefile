# Two commands on a fresh machine with Python >= 3.11:  `make run`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench clean browser

# The venv is rebuilt when the project's dependencies change.
$(BIN)/quiz: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "quiz needs Python >= 3.11; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

## Open the app on the bundled bank with the default database.
run: $(BIN)/quiz
	$(BIN)/quiz

## Lint, import contracts, the whole test suite, and the bundled bank's validation.
test: $(BIN)/quiz
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q
	$(BIN)/quiz validate question_bank

## Headless Chromium and its driver for the browser test (tests/test_serve_browser.py): installed
## with apt-get when missing and run as root; without them that one test is skipped.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
		echo "chromium and chromedriver are installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq chromium chromium-driver \
		|| { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; }; \
	else \
		echo "make browser: as root, run apt-get install chromium chromium-driver"; exit 1; \
	fi

bench: $(BIN)/quiz
	$(BIN)/python benchmarks/bank_load.py
	$(BIN)/python benchmarks/bank_write.py
	$(BIN)/python benchmarks/store.py
	$(BIN)/python benchmarks/netpol.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/stats.py
	$(BIN)/python benchmarks/optimize.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .hypothesis snapshot_report.html
