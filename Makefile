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

# Every figure of issue 15 in one run, each next to its reference on the same machine (a few minutes):
# start-up and memory (after start, after BENCH_MESSAGES messages) vs a bare echo bot; the burst vs the echo
# bot on both frameworks; filing vs a bare SQLAlchemy insert of the same rows; stats at 1k/10k/100k cases;
# classify vs jieba alone; the knowledge base.
BENCH_MESSAGES ?= 10000
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_startup.py --framework both --warm 2 --messages $(BENCH_MESSAGES)
	$(BIN)/python benchmarks/bench_telegram_burst.py --residents 200 --rate 100000 --echo --framework both
	$(BIN)/python benchmarks/bench_cases.py 200
	$(BIN)/python benchmarks/bench_stats.py --sizes 1000,10000,100000
	$(BIN)/python benchmarks/bench_classifier.py
	$(BIN)/python benchmarks/bench_kb.py
	$(BIN)/python benchmarks/bench_privacy.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
