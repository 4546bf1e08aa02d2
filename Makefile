# Two commands for users: `make demo` and `make test`. Everything they need is installed here.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench sysdeps model clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

# torch is pinned first: the CPU build on this machine is the only one that does not pull CUDA.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the test suite needs: PostgreSQL (storage tests) and Chromium (browser tests).
sysdeps:
	@bash scripts/sysdeps.sh

demo: install
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/nasluch --db sqlite:///demo.db demo

test: install sysdeps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/dashboard.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/sentiment.py

# Retrain the shipped sentiment adapter and head; commit the files it writes to
# sentiment/artifacts/.
# The shipped adapter's recipe: one epoch from scratch, then a warm restart at a lower rate
# (about 20 minutes per epoch on one quiet core; metrics land in sentiment/artifacts/metrics.json).
model: install
	$(BIN)/python -m sentiment.train --method lora --threads 1
	$(BIN)/python -m sentiment.train --method lora --threads 1 --resume sentiment/artifacts --lr 3e-4

clean:
	rm -rf $(VENV) *.egg-info
