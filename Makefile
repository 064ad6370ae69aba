# Two entry points: `make run` (the bot; console chat without a Telegram token) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/griddesk run

lint: $(STAMP)
	$(BIN)/ruff check bot storage tests benchmarks

check: $(STAMP)
	$(BIN)/griddesk intents check intents

test: $(STAMP) lint check
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_classifier.py
	$(BIN)/python benchmarks/bench_kb.py
	$(BIN)/python benchmarks/bench_privacy.py
	$(BIN)/python benchmarks/bench_telegram_burst.py --residents 200

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
