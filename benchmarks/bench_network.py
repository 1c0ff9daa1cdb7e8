"""Network benchmark: generating friendship graphs, their memory, and `count_in` throughput.

Each measurement runs in a fresh Python process so that its peak memory (max RSS) is its
own. For each pool size the `communities` generator (the scenario defaults: mean degree
20) builds the graph; we report generation seconds, the peak RSS of the process and
above the import baseline, the bytes the CSR arrays hold, per person, and how many
`count_in` passes (friends of each person inside a set) run per second for a set of 1%
and 10% of the pool (a group, the membership), and one `count_same` pass (friends in
one's own group, for every group at once) with 10% of the pool in groups of 50. networkx's Holme–Kim generator is timed
at small sizes for comparison.

Then whole model runs (issue 14): the engine benchmark's scaled baseline (`bench_engine`,
a pool of 3N people) with 100k founding members, run with `well_mixed` and with a
`communities` graph of mean degree 20, reporting member-days per second and their ratio
(target: the network at least half as fast); and a 10^6-person pool with mean degree 20
(333,334 founding members, 30 days), reporting the run's peak RSS (target: 2.5 GB).

    python benchmarks/bench_network.py [--quick] [--out benchmarks/network_results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(people: int, source: str) -> dict[str, float | int | str]:
    """Generate one graph in this process; time it, its memory and `count_in` passes."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from sim.network import communities, holme_kim

    base = _rss_bytes()
    t0 = time.perf_counter()
    rng = np.random.default_rng(1)
    graph = communities(people, rng) if source == "communities" else holme_kim(people, rng)
    seconds = time.perf_counter() - t0
    peak = _rss_bytes()
    deg = graph.degree()
    result: dict[str, float | int | str] = {
        "people": people,
        "source": source,
        "generate_seconds": round(seconds, 3),
        "mean_degree": round(float(deg.mean()), 3),
        "max_degree": int(deg.max()),
        "edges": graph.n_edges,
        "graph_bytes": graph.nbytes,
        "graph_bytes_per_person": round(graph.nbytes / people, 1),
        "peak_rss_bytes": peak,
        "generation_rss_bytes": peak - base,
        "generation_rss_bytes_per_person": round((peak - base) / people, 1),
    }
    picker = np.random.default_rng(2)
    for share in (0.01, 0.1):
        members = picker.random(people) < share
        graph.count_in(members)  # warm-up
        calls, t1 = 0, time.perf_counter()
        while calls < 3 or time.perf_counter() - t1 < 1.0:
            graph.count_in(members)
            calls += 1
        per_call = (time.perf_counter() - t1) / calls
        result[f"count_in_{int(share * 100)}pct_seconds"] = round(per_call, 5)
        result[f"count_in_{int(share * 100)}pct_per_second"] = round(1 / per_call, 2)
    group = np.where(picker.random(people) < 0.1, picker.integers(0, max(1, people // 500), people), -1)
    graph.count_same(group)
    calls, t1 = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - t1 < 1.0:
        graph.count_same(group)
        calls += 1
    result["count_same_10pct_in_groups_of_50_seconds"] = round((time.perf_counter() - t1) / calls, 5)
    return result


def measure_run(members: int, source: str, days: int) -> dict[str, float | int | str]:
    """Run the scaled baseline with `members` founding members and this network source, in this process."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_engine import BASELINE, scaled_overrides

    from sim import CommunityModel, load_scenario

    base = _rss_bytes()
    sc = load_scenario(BASELINE, overrides={**scaled_overrides(members), "network.source": source})
    t0 = time.perf_counter()
    model = CommunityModel(sc, rng=1)
    t1, c1 = time.perf_counter(), time.process_time()
    model.run(days)
    t2, c2 = time.perf_counter(), time.process_time()
    member_days = float(model.metrics()["members"].sum())
    return {
        "members": members,
        "pool": sc.population.potential_pool,
        "source": source,
        "days": days,
        "setup_seconds": round(t1 - t0, 3),
        "run_seconds": round(t2 - t1, 3),
        "seconds_per_day": round((t2 - t1) / days, 4),
        "member_days_per_second": round(member_days / (t2 - t1), 1),
        "run_cpu_seconds": round(c2 - c1, 3),
        "member_days_per_cpu_second": round(member_days / (c2 - c1), 1),
        "peak_rss_bytes": _rss_bytes(),
        "model_rss_bytes": _rss_bytes() - base,
    }


def in_subprocess(*args: object) -> dict[str, float | int | str]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *map(str, args)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "network_results.json")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--runs-only", action="store_true", help="only the model runs, not the graph measurements")
    parser.add_argument("--speed-only", action="store_true", help="only the speed runs (with --runs-only)")
    parser.add_argument("--repeats", type=int, default=1, help="pairs of speed runs; the ratio is their median")
    args = parser.parse_args()
    if args.child:
        if len(args.child) == 3:
            print(json.dumps(measure_run(int(args.child[0]), args.child[1], int(args.child[2]))))
        else:
            print(json.dumps(measure(int(args.child[0]), args.child[1])))
        return
    sizes = [10_000, 100_000] if args.quick else [100_000, 1_000_000]
    nx_sizes = [2_000] if args.quick else [10_000]
    runs = []
    for people in [] if args.runs_only else sizes:
        runs.append(in_subprocess(people, "communities"))
        print(json.dumps(runs[-1]), flush=True)
    for people in [] if args.runs_only else nx_sizes:
        runs.append(in_subprocess(people, "holme_kim"))
        print(json.dumps(runs[-1]), flush=True)
    members, days = (10_000, 60) if args.quick else (100_000, 180)
    model_runs = []
    ratios, cpu_ratios = [], []
    for _ in range(args.repeats):  # the two arms side by side, alternating, so load drifts hit both
        pair = []
        for source in ("well_mixed", "communities"):
            pair.append(in_subprocess(members, source, days))
            print(json.dumps(pair[-1]), flush=True)
        model_runs += pair
        ratios.append(float(pair[1]["member_days_per_second"]) / float(pair[0]["member_days_per_second"]))
        cpu_ratios.append(float(pair[1]["member_days_per_cpu_second"]) / float(pair[0]["member_days_per_cpu_second"]))
    speed = statistics.median(ratios)
    big = (
        None
        if args.speed_only
        else in_subprocess(33_334 if args.quick else 333_334, "communities", 10 if args.quick else 30)
    )
    print(json.dumps(big), flush=True)
    if args.runs_only and args.out.is_file():
        runs = json.loads(args.out.read_text()).get("runs", [])
    report = {
        "benchmark": "network",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "quick": args.quick,
        "target": "graph of 10^6 people with mean degree 20 well under 400 MB (the whole run within 2.5 GB)",
        "runs": runs,
        "model_runs": model_runs,
        "network_speed_vs_well_mixed": round(speed, 3),
        "network_speed_vs_well_mixed_by_cpu_time": round(statistics.median(cpu_ratios), 3),
        "speed_ratios": [round(r, 3) for r in ratios],
        "load_average": round(os.getloadavg()[0], 1),
        "speed_target": "the network run at least half as fast as well_mixed (>= 0.5)",
        "large_pool_run": big,
        "large_pool_peak_rss_gb": None if big is None else round(float(big["peak_rss_bytes"]) / 1e9, 3),
        "memory_target": "a 10^6-person pool with mean degree 20 within 2.5 GB peak",
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
