"""Write the README's speed figures from the benchmark results (`make bench` runs this).

The block between the two markers in README.md is generated from benchmarks/results.json
(engine) and benchmarks/sweep_results.json (sweep), so the README never quotes a figure
the benchmarks did not measure; tests/test_readme.py checks that the block matches them.
`python benchmarks/readme_figures.py --check` exits 1 when the README is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ENGINE_RESULTS = ROOT / "benchmarks" / "results.json"
SWEEP_RESULTS = ROOT / "benchmarks" / "sweep_results.json"
BEGIN = "<!-- begin benchmark figures: written by `make bench` from benchmarks/*.json; do not edit -->"
END = "<!-- end benchmark figures -->"


def _at(throughput: list[dict[str, Any]], members: int) -> dict[str, Any]:
    (row,) = [r for r in throughput if r["members"] == members and r["engine"] == "vectorized"]
    return row


def figures(engine: dict[str, Any], sweep: dict[str, Any]) -> str:
    """Render the README paragraph of speed figures from the two benchmark result files."""
    mid, big = _at(engine["throughput"], 100_000), _at(engine["throughput"], 1_000_000)
    ratio = engine["engine_ratio"]
    speedups = [w["speedup_2_vs_1_workers"] for w in sweep["workloads"].values()]
    return (
        f"Measured by `make bench` on {engine['machine']['cores']} cores (Python {engine['machine']['python']}, "
        f"{engine['date'][:10]}): the vectorized engine runs "
        f"{mid['member_days_per_second'] / 1e6:.1f} million member-days per second at {mid['members']:,} members "
        f"({mid['days']} days in {mid['run_seconds']:.1f} s), and {big['members']:,} members for {big['days']} days "
        f"in {big['run_seconds']:.0f} s with a peak of {big['peak_rss_mb']:.0f} MB; it is "
        f"{ratio['speedup']:.0f} times as fast as the agents engine ({ratio['members']:,} members, "
        f"{ratio['days']} days). A sweep on 2 local Dask workers runs "
        f"{min(speedups):.2f}-{max(speedups):.2f} times as fast as on one. Absolute times drift by up to 3x "
        "with the machine and its load; `benchmarks/side_by_side_*.json` compare code in alternating runs."
    )


def fill(readme: str, block: str) -> str:
    """Return `readme` with the text between the markers replaced by `block`."""
    head, begin, rest = readme.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"README.md lacks the markers {BEGIN!r} ... {END!r}")
    return f"{head}{BEGIN}\n{block}\n{END}{tail}"


def current_figures() -> str:
    """Render the figures of the benchmark result files as committed."""
    engine = json.loads(ENGINE_RESULTS.read_text(encoding="utf-8"))
    sweep = json.loads(SWEEP_RESULTS.read_text(encoding="utf-8"))
    return figures(engine, sweep)


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    updated = fill(text, current_figures())
    if "--check" in sys.argv[1:]:
        sys.exit(0 if updated == text else "README.md's benchmark figures are stale: run benchmarks/readme_figures.py")
    if updated != text:
        README.write_text(updated, encoding="utf-8")
        print("README.md: benchmark figures updated")
