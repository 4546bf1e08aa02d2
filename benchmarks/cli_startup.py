"""Start-up time of the command line: wall time of a few commands that do not need the model,
each the median of five runs, on a small demo database made once in a temporary folder.

    python benchmarks/cli_startup.py              # this checkout
    python benchmarks/cli_startup.py --root ../main --runs 5

A one-line lookup should answer in well under two seconds; these are the numbers to watch when
an import moves to module level (torch, transformers, onnxruntime and sklearn belong only where a
model is loaded).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (
    ("--help",),
    ("sources", "--json"),
    ("search", "acme", "--json"),
    ("inbox", "--json"),
    ("report", "response-times", "--json"),
)


def run(root: Path, db: str, argv: tuple[str, ...]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run. On a busy machine the CPU time is the
    steadier figure: wall time there measures the neighbours too."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "monitor.cli", "--config", str(root / "config.yaml"), "--db", db, *argv],
                   cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose `monitor` to time")
    parser.add_argument("--runs", type=int, default=5, help="runs per command; the median is printed")
    parser.add_argument("--mentions", type=int, default=500, help="mentions in the small demo database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{Path(folder) / 'startup.db'}"
        run(args.root, db, ("demo", "--no-dashboard", "--no-score", "--mentions", str(args.mentions)))
        for argv in COMMANDS:
            runs = [run(args.root, db, argv) for _ in range(args.runs)]
            wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
            print(f"nasluch {' '.join(argv):<32} median {statistics.median(wall):5.2f} s wall "
                  f"(min {min(wall):.2f}, max {max(wall):.2f}), {statistics.median(cpu):5.2f} s CPU, "
                  f"{args.runs} runs")


if __name__ == "__main__":
    main()
