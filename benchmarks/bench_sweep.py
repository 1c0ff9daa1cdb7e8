"""Sweep throughput: runs per second in this process and on a local Dask cluster of 1 and 2 workers.

Two workloads of runs over a second each, as the runs of a real sweep are, both the
baseline scaled up; each sweep is a grid of 4 KOL output levels x 2 replicates (8 runs):
- "two_years": a 40,000-person pool, 400 founding members, inflow 40 a day, 730 days;
- "big_pool": a 100,000-person pool, 500 founding members, inflow 100 a day, 365 days:
  member arrays 2.5 times larger, so two runs at once also compete for memory bandwidth.
Each backend runs the same sweep into a fresh store; worker processes are warmed up
(community-sim imported) before the clock starts, so the rate is the steady one of a
long sweep. `main_cpu_share` is the CPU the sweeping process itself used (scheduler,
client, storing results) as a share of one core. Target: 2 workers at least 1.7x the
rate of 1 on 2 cores.

    python benchmarks/bench_sweep.py [--quick] [--out benchmarks/sweep_results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIG_BASE = f"""
extends = "{ROOT / "scenarios" / "baseline.toml"}"
name = "bench_base"
[population]
potential_pool = {{pool}}
initial_members = {{initial}}
[acquisition]
channel_inflow_per_day = {{inflow}}
"""

SWEEP = """
name = "bench_sweep"
base = "big.toml"
days = {days}
replicates = 2
design = "grid"
[parameters]
output.kol_posts_per_day = [1.0, 2.0, 3.0, 4.0]
"""


WORKLOADS = {
    "two_years": {"pool": 40_000, "initial": 400, "inflow": 40, "days": 730},
    "big_pool": {"pool": 100_000, "initial": 500, "inflow": 100, "days": 365},
}
QUICK = {"quick": {"pool": 10_000, "initial": 100, "inflow": 20, "days": 90}}


def write_sweep(folder: Path, size: dict[str, int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "big.toml").write_text(BIG_BASE.format(**size), encoding="utf-8")
    path = folder / "sweep.toml"
    path.write_text(textwrap.dedent(SWEEP.format(days=size["days"])), encoding="utf-8")
    return path


def _warm() -> bool:
    import sim.experiments.job  # noqa: F401 - the import a worker pays once

    return True


def measure(sweep_path: Path, out: Path, workers: int | None) -> dict[str, float | int | str]:
    """Run the sweep on one backend (None: in this process); return its rate and run times."""
    import pandas as pd

    from sim.experiments import load_sweep
    from sim.experiments.runner import InProcess, local_cluster, run_jobs
    from sim.experiments.sweep import open_sweep_store, sweep_jobs

    sweep = load_sweep(sweep_path)
    t0 = time.perf_counter()
    backend = InProcess() if workers is None else local_cluster(workers)
    with backend:
        if workers is not None:
            backend.client.run(_warm)
        startup = time.perf_counter() - t0
        with open_sweep_store(sweep, out) as store:
            t1, cpu1 = time.perf_counter(), time.process_time()
            tally = run_jobs(sweep_jobs(sweep), store, backend)
            elapsed, cpu = time.perf_counter() - t1, time.process_time() - cpu1
    if tally.error:
        raise RuntimeError(f"{tally.error} runs failed: {tally.first_error}")
    wall = pd.read_parquet(out / "runs.parquet")["wall_time"]
    return {
        "backend": "in-process" if workers is None else f"LocalCluster({workers})",
        "workers": 1 if workers is None else workers,
        "runs": tally.ok,
        "startup_seconds": round(startup, 3),
        "sweep_seconds": round(elapsed, 3),
        "runs_per_second": round(tally.ok / elapsed, 4),
        "mean_run_seconds": round(float(wall.mean()), 3),
        "main_cpu_share": round(cpu / elapsed, 3) if workers is not None else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test, not a measurement)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "sweep_results.json")
    args = parser.parse_args()

    workloads = QUICK if args.quick else WORKLOADS
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        for name, size in workloads.items():
            sweep = write_sweep(Path(tmp) / name, size)
            rows = []
            for workers in (None, 1, 2):
                row = measure(sweep, Path(tmp) / name / f"out{workers}", workers)
                rows.append(row)
                print(f"  {name:<10} {row['backend']:<16} {row['runs_per_second']:.3f} runs/s", flush=True)
            by = {r["backend"]: r for r in rows}
            speedup = by["LocalCluster(2)"]["runs_per_second"] / by["LocalCluster(1)"]["runs_per_second"]
            results[name] = {"size": size, "runs": rows, "speedup_2_vs_1_workers": round(speedup, 3)}

    print()
    print(
        f"{'workload':<10} {'backend':<16} {'runs':>5} {'run s':>7} {'sweep s':>8} {'runs/s':>8} {'start s':>8} "
        f"{'main cpu':>9}"
    )
    for name, res in results.items():
        for r in res["runs"]:
            share = f"{r['main_cpu_share']:.0%}" if r["main_cpu_share"] is not None else "-"
            print(
                f"{name:<10} {r['backend']:<16} {r['runs']:>5} {r['mean_run_seconds']:>7.2f} "
                f"{r['sweep_seconds']:>8.2f} {r['runs_per_second']:>8.3f} {r['startup_seconds']:>8.2f} {share:>9}"
            )
    for name, res in results.items():
        speedup = res["speedup_2_vs_1_workers"]
        print(f"{name}: speedup 2 vs 1 workers {speedup:.2f}x (target >= 1.7x): {'ok' if speedup >= 1.7 else 'MISSED'}")
    result = {
        "benchmark": "sweep throughput",
        "machine": {"python": platform.python_version(), "cores": os.cpu_count(), "platform": platform.platform()},
        "target_speedup": 1.7,
        "workloads": results,
    }
    if not args.quick:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
