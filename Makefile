# Two commands for users: `make demo` and `make test`. Everything they need is installed here.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo demo-data test stress-test bench screenshots sysdeps model clean

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

# Two workers (pytest-xdist), each test module kept on one worker so its server and browser start
# once per module. `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2
test: install sysdeps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

# The browser and fault tests five times in a row while every core is kept busy (issue 22).
stress-test: install sysdeps
	RUNS=$(or $(RUNS),5) bash scripts/stress_test.sh

# Freshly generated and scored demo data (20,000 mentions) for the page benchmark and screenshots.
DEMO_DB := build/demo.db
demo-data: install
	mkdir -p build
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/nasluch --db sqlite:///$(DEMO_DB) demo --no-dashboard

bench: install demo-data
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/dashboard.py
	$(BIN)/python benchmarks/pages_demo.py --db sqlite:///$(DEMO_DB) --browser
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/sentiment.py
	$(BIN)/python benchmarks/cli_startup.py

# The README's screenshots, retaken on freshly generated and scored demo data (in build/).
screenshots: install sysdeps demo-data
	$(BIN)/python scripts/screenshots.py --db sqlite:///$(DEMO_DB)

# Retrain the shipped sentiment model; commit the files it writes to sentiment/artifacts/.
# Three seeds of the full fine-tune (3 epochs each, ~25 minutes on two quiet cores), trained
# without the dev parts; their average (a "soup"); then the character n-gram model, blended in
# with a weight, negative offset and temperature chosen on the dev parts. Metrics land in
# metrics.json.
SEEDS := 0 1 2
model: install
	for seed in $(SEEDS); do \
	  $(BIN)/python -m sentiment.train --method full --epochs 3 --hold-out-dev --threads 2 \
	    --seed $$seed --out build/model/seed$$seed || exit 1; done
	$(BIN)/python -m sentiment.train --soup $(foreach s,$(SEEDS),build/model/seed$(s)) \
	  --blend-only --hold-out-dev --out sentiment/artifacts

clean:
	rm -rf $(VENV) *.egg-info
