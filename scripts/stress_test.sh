#!/usr/bin/env bash
# `make stress-test`: the browser and fault tests, RUNS times in a row (5 unless told), while a
# CPU-bound loop keeps every core busy. A test that waits for time instead of a condition fails
# here long before it fails in CI. Prints one line per run and exits non-zero if any run failed.
set -u
runs=${RUNS:-5}
python=${PYTHON:-.venv/bin/python}
# every module with a browser test (marked `browser`), and the fault tests
tests=${STRESS_TESTS:-$(grep -rl --include='*.py' 'mark.browser' tests | sort | tr '\n' ' ') tests/faults}
burners=()
for _ in $(seq "$(nproc)"); do
  "$python" -c 'while True: pass' &
  burners+=($!)
done
trap 'kill "${burners[@]}" 2>/dev/null' EXIT
failed=0
for run in $(seq "$runs"); do
  start=$(date +%s)
  log=$(mktemp)
  # shellcheck disable=SC2086  # $tests is a list of paths
  if "$python" -m pytest -q -p no:cacheprovider $tests >"$log" 2>&1; then
    status=passed
  else
    status=FAILED
    failed=$((failed + 1))
    grep -E '^(FAILED|ERROR)' "$log" | sed 's/^/    /'
    mkdir -p build && cp "$log" "build/stress-run-$run.log"
    echo "    the whole output: build/stress-run-$run.log"
  fi
  echo "run $run/$runs: $status, $(tail -n 1 "$log" | tr -d '=' | sed 's/^ *//'), load $(cut -d' ' -f1 /proc/loadavg)"
  rm -f "$log"
done
echo "stress-test: $((runs - failed)) of $runs runs passed with $(nproc) cores busy"
[ "$failed" -eq 0 ]
