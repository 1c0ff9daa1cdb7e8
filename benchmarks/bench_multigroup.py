"""Multi-group benchmark: what `groups.max_groups_per_member` costs, as ratios of runs side by side.

Two comparisons, each as alternating pairs of runs in fresh processes (so a busy
machine slows both sides alike), median ratio of the pairs:

- `k1_vs_before`: the default (one group each) against the code before multi-group
  membership (`--source DIR`, e.g. `git archive 629d526 | tar -x -C DIR`): the storage
  must cost nothing when the key is 1;
- `k2_vs_k1`: this code with `max_groups_per_member = 2` and `extra_group_rate = 0.05`
  against the same scenario at 1: the cost of the feature switched on.

Scenario: baseline with 20,000 founding members in 1,000 groups (the groups benchmark's
worst case for per-group work), short silent_days so that groups decline and members
take second groups.

    python benchmarks/bench_multigroup.py [--source DIR] [--pairs 3] [--days 60] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = 20_000

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from sim import CommunityModel, load_scenario
overrides = {{"population.potential_pool": {pool}, "population.initial_members": {members},
             "groups.capacity": 20, "acquisition.channel_inflow_per_day": 200, "groups.silent_days": 7,
             **{extra}}}
sc = load_scenario("baseline", overrides=overrides)
t0, c0 = time.perf_counter(), time.process_time()
m = CommunityModel(sc, rng=1).run({days})
df = m.metrics()
share = float(df["multi_group_share"].max()) if "multi_group_share" in df else 0.0
print(json.dumps({{"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "members": int(df["members"].iloc[-1]), "multi_group_share_max": share}}))
"""
TWO = {"groups.max_groups_per_member": 2, "groups.extra_group_rate": 0.05}


def once(source: Path, extra: dict[str, object], days: int) -> dict[str, float]:
    """One run in a fresh process of the package at `source`."""
    code = CHILD.format(pool=5 * MEMBERS, members=MEMBERS, extra=repr(extra), days=days)
    out = subprocess.run([sys.executable, "-c", code, str(source)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def pairs(a: tuple[Path, dict[str, object]], b: tuple[Path, dict[str, object]], n: int, days: int) -> dict:
    """`n` alternating pairs (a then b, b then a, ...): each side's runs and the median CPU and wall ratios b / a."""
    runs: dict[str, list[dict[str, float]]] = {"a": [], "b": []}
    for i in range(n):
        order = ("a", "b") if i % 2 == 0 else ("b", "a")
        for side in order:
            src, extra = a if side == "a" else b
            runs[side].append(once(src, extra, days))
    wall = [rb["seconds"] / ra["seconds"] for ra, rb in zip(runs["a"], runs["b"], strict=True)]
    cpu = [rb["cpu"] / ra["cpu"] for ra, rb in zip(runs["a"], runs["b"], strict=True)]
    return {
        "wall_ratio_median": round(statistics.median(wall), 3),
        "cpu_ratio_median": round(statistics.median(cpu), 3),
        "wall_ratios": [round(r, 3) for r in wall],
        "runs": runs,
    }


def main() -> None:
    """Run both comparisons and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="checkout of the code before (one group each); else k2_vs_k1 only")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "multigroup_results.json")
    args = parser.parse_args()
    report: dict[str, object] = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "members": MEMBERS,
        "groups_at_start": MEMBERS // 20,
        "days": args.days,
        "pairs": args.pairs,
        "load_average_before": os.getloadavg(),
    }
    if args.source:
        report["k1_vs_before"] = pairs((args.source, {}), (ROOT, {}), args.pairs, args.days)
    report["k2_vs_k1"] = pairs((ROOT, {}), (ROOT, TWO), args.pairs, args.days)
    report["load_average_after"] = os.getloadavg()
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k not in ("k1_vs_before", "k2_vs_k1")}, indent=2))
    for k in ("k1_vs_before", "k2_vs_k1"):
        if k in report:
            print(k, {x: y for x, y in report[k].items() if x != "runs"})  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
