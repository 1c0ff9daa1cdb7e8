"""Parameter recovery of `community-sim fit`, and how long one fit takes.

Draws `--datasets` true parameter values from the prior (uniform on the ranges below),
simulates one 180-day series of a 1,000-member community at each (its own seed, not one
of the fit's), fits it, and reports per parameter: how often the 90% credible interval
contains the truth, over all datasets and over those where the diagnostics call the
parameter identified, and the intervals' widths. Every fit shares one store
(`--store`), so the design round (which does not depend on the data) runs once; the time
of one fit is that of its own rounds plus the design round's. Results are written as they come
(`--out`), so an interrupted study keeps what it measured; run it again to resume: finished
fits are kept as long as the setup and the inference code (a hash of sim/calibration) are the
same, and the runs of a fit killed midway are found in the store, so nothing is run twice.
When only the inference code changed, the fits are redone from the stored runs.

    python benchmarks/bench_calibration.py [--datasets 20] [--budget 300] [--workers 2]
        [--store results/bench_calibration] [--out benchmarks/calibration_results.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from sim.calibration import FitSpec, fit, parse_parameter
from sim.calibration.data import simulate_observations
from sim.experiments import open_backend
from sim.experiments.seeds import run_seed

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "benchmarks" / "calibration_base.toml"
RANGES = {
    "acquisition.referral_rate": (0.005, 0.05),
    "activity.decay_rate": (0.005, 0.06),
    "output.kol_posts_per_day": (0.5, 4.0),
}
OBSERVED = ["members", "joins", "leaves", "active", "messages"]
DAYS = 180
STUDY_ROOT = 17


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=20)
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--checks", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", type=Path, default=ROOT / "results" / "bench_calibration")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "calibration_results.json")
    args = parser.parse_args()

    params = [parse_parameter(f"{k}={lo}:{hi}", BASE) for k, (lo, hi) in RANGES.items()]
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    before = previous.get("setup", {})
    same = all(before.get(k) == v for k, v in {**vars_of(args), "method": method_hash()}.items())
    fits: list[dict] = previous.get("fits", []) if same else []
    rng = np.random.default_rng(STUDY_ROOT)
    truths = [{k: float(rng.uniform(lo, hi)) for k, (lo, hi) in RANGES.items()} for _ in range(args.datasets)]
    with open_backend(args.workers) as backend:
        for i, truth in enumerate(truths):
            if i < len(fits):
                continue
            obs = simulate_observations(BASE, truth, seed=run_seed(STUDY_ROOT, 7, i), days=DAYS, names=OBSERVED)
            spec = FitSpec(obs, BASE, params, budget=args.budget, replicates=args.replicates, checks=args.checks)
            t0 = time.perf_counter()
            result = fit(spec, args.store, backend=backend)
            wall = time.perf_counter() - t0
            rows = {r.parameter: r for r in result.table.itertuples()}
            fits.append(
                {
                    "dataset": i,
                    "wall_time_s": round(wall, 1),
                    "load_average_5min": round(os.getloadavg()[1], 1),
                    "runs": result.runs,
                    "ess": round(result.ess, 1),
                    "diagnostics": result.diagnostics,
                    "parameters": {
                        k: {
                            "truth": truth[k],
                            "median": rows[k].median,
                            "q05": rows[k].q05,
                            "q95": rows[k].q95,
                            "covered": bool(rows[k].q05 <= truth[k] <= rows[k].q95),
                            "width_share": rows[k].width_share,
                            "identified": rows[k].identified,
                        }
                        for k in RANGES
                    },
                }
            )
            line = ", ".join(
                f"{k.split('.')[-1]} {truth[k]:.3g} in [{rows[k].q05:.3g}, {rows[k].q95:.3g}] {rows[k].identified}"
                for k in RANGES
            )
            print(f"dataset {i}: {wall:.0f} s; {line}", flush=True)
            write(args, fits)
    write(args, fits)


def vars_of(args: argparse.Namespace) -> dict:
    """What the finished fits depend on, besides the code."""
    return {"budget": args.budget, "replicates": args.replicates, "checks": args.checks}


def method_hash() -> str:
    """Hash of the inference code (sim/calibration/*.py): fits made by other code are redone."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "sim" / "calibration").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fit_times(args: argparse.Namespace, fits: list[dict]) -> dict:
    """Wall time of one fit: its own rounds (measured) plus the shared design round (from its runs' times)."""
    import pandas as pd

    runs_file = args.store / "simulations" / "runs.parquet"
    if not fits or not runs_file.exists():
        return {}
    runs = pd.read_parquet(runs_file, columns=["stage", "wall_time"])
    design = float(runs.loc[runs["stage"] == "design", "wall_time"].sum()) / args.workers
    own = float(np.median([f["wall_time_s"] for f in fits]))
    return {
        "fit_wall_time_s": round(design + own, 1),
        "fit_wall_time_note": "median wall time of a fit's own rounds (refine, noise, check) plus the shared design "
        f"round's run time over {args.workers} workers; the machine's load average is in setup.machine",
        "own_rounds_wall_time_s_median": round(own, 1),
        "design_round_wall_time_s_estimate": round(design, 1),
        "mean_run_wall_time_s": round(float(runs["wall_time"].mean()), 2),
    }


def write(args: argparse.Namespace, fits: list[dict]) -> None:
    """Summarize the fits so far and write the JSON."""
    summary = {}
    for k in RANGES:
        entries = [f["parameters"][k] for f in fits]
        ident = [e for e in entries if e["identified"] == "yes"]
        summary[k] = {
            "coverage_all": float(np.mean([e["covered"] for e in entries])) if entries else None,
            "identified_in": len(ident),
            "coverage_identified": float(np.mean([e["covered"] for e in ident])) if ident else None,
            "median_width_share": float(np.median([e["width_share"] for e in entries])) if entries else None,
            "median_width_share_identified": float(np.median([e["width_share"] for e in ident])) if ident else None,
        }
    pairs = [f["parameters"][k] for f in fits for k in RANGES if f["parameters"][k]["identified"] == "yes"]
    result = {
        "setup": {
            "datasets": len(fits),
            "budget": args.budget,
            "replicates": args.replicates,
            "checks": args.checks,
            "method": method_hash(),
            "workers": args.workers,
            "days": DAYS,
            "base": str(BASE.relative_to(ROOT)),
            "ranges": RANGES,
            "observed": OBSERVED,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        },
        "coverage_identified_pairs": float(np.mean([e["covered"] for e in pairs])) if pairs else None,
        "identified_pairs": len(pairs),
        **fit_times(args, fits),
        "per_parameter": summary,
        "fits": fits,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
