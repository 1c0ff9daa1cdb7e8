"""Run every benchmark (`make bench`); each writes its JSON results under benchmarks/."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "bench_engine.py",
    "bench_sweep.py",
    "bench_network.py",
    "bench_crn.py",
    "bench_groups.py",
    "bench_calibration.py",
]

if __name__ == "__main__":
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        sys.argv = [str(HERE / name), *sys.argv[1:]]
        runpy.run_path(str(HERE / name), run_name="__main__")
