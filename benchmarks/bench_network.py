"""Network benchmark: generating friendship graphs, their memory, and `count_in` throughput.

Each measurement runs in a fresh Python process so that its peak memory (max RSS) is its
own. For each pool size the `communities` generator (the scenario defaults: mean degree
20) builds the graph; we report generation seconds, the peak RSS of the process and
above the import baseline, the bytes the CSR arrays hold, per person, and how many
`count_in` passes (friends of each person inside a set) run per second for a set of 1%
and 10% of the pool (a group, the membership), and one `count_same` pass (friends in
one's own group, for every group at once) with 10% of the pool in groups of 50. networkx's Holme–Kim generator is timed
at small sizes for comparison.

    python benchmarks/bench_network.py [--quick] [--out benchmarks/network_results.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
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


def in_subprocess(people: int, source: str) -> dict[str, float | int | str]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(people), source], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "network_results.json")
    parser.add_argument("--child", nargs=2, metavar=("PEOPLE", "SOURCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(int(args.child[0]), args.child[1])))
        return
    sizes = [10_000, 100_000] if args.quick else [100_000, 1_000_000]
    nx_sizes = [2_000] if args.quick else [10_000]
    runs = []
    for people in sizes:
        runs.append(in_subprocess(people, "communities"))
        print(json.dumps(runs[-1]), flush=True)
    for people in nx_sizes:
        runs.append(in_subprocess(people, "holme_kim"))
        print(json.dumps(runs[-1]), flush=True)
    report = {
        "benchmark": "network",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "quick": args.quick,
        "target": "graph of 10^6 people with mean degree 20 well under 400 MB (the whole run within 2.5 GB)",
        "runs": runs,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
