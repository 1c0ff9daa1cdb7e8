"""Common random numbers: how well same-seed runs of two scenarios pair.

Runs the baseline and two variants (`output.kol_posts_per_day = 2.5`, `moderation.ad_policy
= "kick"`) with seeds 0..R-1 and reports, per variant and KPI, the Pearson correlation of
the paired runs and the half-width of the 95% t interval of the paired difference at 30
replicates (what `compare` would report). With `--old PATH` it measures a checkout of
older code side by side (run with PYTHONPATH=PATH in a subprocess) and reports how many
times narrower the intervals have become.

    python benchmarks/bench_crn.py [--replicates 40] [--days 180] [--workers 2]
        [--old /tmp/old-main] [--out benchmarks/crn_results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
VARIANTS = {
    "kol_posts_2.5": {"output.kol_posts_per_day": 2.5},
    "ad_policy_kick": {"moderation.ad_policy": "kick"},
}
KPIS = ("final_active", "total_joined", "ad_share")
INTERVAL_REPLICATES = 30


def one_run(args: tuple[dict[str, object], int, int]) -> list[float]:
    """The KPIs of one run of the baseline with `overrides`, seed and days."""
    from sim import CommunityModel, load_scenario

    overrides, seed, days = args
    s = CommunityModel(load_scenario(BASELINE, overrides=overrides), rng=seed).run(days).summary()
    return [float("nan") if s[k] is None else float(s[k]) for k in KPIS]


def collect(replicates: int, days: int, workers: int) -> dict[str, list[list[float]]]:
    """KPIs of every run: scenario name -> one row of KPIS per seed 0..replicates-1."""
    scenarios = {"baseline": {}, **VARIANTS}
    jobs = [(ov, seed, days) for ov in scenarios.values() for seed in range(replicates)]
    with ProcessPoolExecutor(workers) as pool:
        rows = list(pool.map(one_run, jobs, chunksize=4))
    return {name: rows[i * replicates : (i + 1) * replicates] for i, name in enumerate(scenarios)}


def pairing(runs: dict[str, list[list[float]]]) -> dict[str, dict[str, dict[str, float]]]:
    """Per variant and KPI: paired correlation and the 95% half-width of the paired difference."""
    base = np.array(runs["baseline"])
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name in VARIANTS:
        other = np.array(runs[name])
        out[name] = {}
        for k, kpi in enumerate(KPIS):
            a, b = base[:, k], other[:, k]
            ok = np.isfinite(a) & np.isfinite(b)
            r = float(stats.pearsonr(a[ok], b[ok]).statistic) if ok.sum() > 2 and a[ok].std() and b[ok].std() else 1.0
            first = np.zeros(ok.size, dtype=bool)
            first[:INTERVAL_REPLICATES] = True
            d = (b - a)[first & ok]
            t = stats.t.ppf(0.975, d.size - 1) / np.sqrt(d.size)
            sd_a, sd_b = a[first & ok].std(ddof=1), b[first & ok].std(ddof=1)
            out[name][kpi] = {
                "correlation": r,
                "half_width_95": float(t * d.std(ddof=1)),
                "mean_difference": float(d.mean()),
                "sd_baseline": float(sd_a),
                "sd_variant": float(sd_b),
                # sd(b - a) >= |sd(a) - sd(b)| for any coupling of the two arms (r = 1 at best):
                # the narrowest interval that pairing could ever give with these marginals
                "half_width_95_any_coupling": float(t * abs(sd_a - sd_b)),
            }
    return out


def _ratio(a: float, b: float) -> float:
    """a / b, infinite where b is 0 (JSON writes it as Infinity)."""
    return a / b if b else float("inf")


def main() -> None:
    """Measure, print and write the JSON results."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=40)
    p.add_argument("--days", type=int, default=180)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--old", type=Path, default=None, help="a checkout of older code to measure side by side")
    p.add_argument("--raw", action="store_true", help="print the runs' KPIs as JSON and stop")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "crn_results.json")
    p.add_argument("--quick", action="store_true", help="10 replicates of 60 days (make bench-quick)")
    a = p.parse_args()
    if a.quick:
        a.replicates, a.days = 10, 60
    if a.raw:
        print(json.dumps(collect(a.replicates, a.days, a.workers)))
        return
    t0 = time.perf_counter()
    result: dict[str, object] = {
        "replicates": a.replicates,
        "days": a.days,
        "interval_replicates": min(INTERVAL_REPLICATES, a.replicates),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "now": pairing(collect(a.replicates, a.days, a.workers)),
    }
    if a.old is not None:
        cmd = [sys.executable, __file__, "--raw", f"--replicates={a.replicates}", f"--days={a.days}"]
        env = {**os.environ, "PYTHONPATH": str(a.old)}
        raw = subprocess.run([*cmd, f"--workers={a.workers}"], env=env, check=True, capture_output=True, text=True)
        old = pairing(json.loads(raw.stdout))
        result["before"] = old
        result["before_code"] = str(a.old)
        now = result["now"]
        assert isinstance(now, dict)
        result["narrower_by"] = {
            name: {kpi: old[name][kpi]["half_width_95"] / now[name][kpi]["half_width_95"] for kpi in KPIS}
            for name in VARIANTS
        }
        result["narrower_by_at_most"] = {
            name: {k: _ratio(old[name][k]["half_width_95"], now[name][k]["half_width_95_any_coupling"]) for k in KPIS}
            for name in VARIANTS
        }
    result["seconds"] = time.perf_counter() - t0
    a.out.write_text(json.dumps(result, indent=2) + "\n")
    for label in ("before", "now"):
        if label in result:
            for name, kpis in result[label].items():  # type: ignore[union-attr]
                cells = ", ".join(f"{k} r={v['correlation']:+.2f} ±{v['half_width_95']:.4g}" for k, v in kpis.items())
                print(f"{label:6s} {name:15s} {cells}")
    if "narrower_by" in result:
        print("narrower by:", json.dumps(result["narrower_by"]))
    print(f"wrote {a.out} in {result['seconds']:.0f} s")


if __name__ == "__main__":
    main()
