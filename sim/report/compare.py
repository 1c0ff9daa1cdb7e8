"""Reading a comparison's results back: its manifest, its runs and their daily series.

`community-sim compare` runs the scenarios into a store (`sim.experiments.compare`);
this module reads that directory for the statistics and the report, and needs nothing
from `sim.experiments` to do so: the store's layout is `sim.results`, the run names
and the kind of a comparison are defined here and used by both sides.

    results = read_results("results/compare")   # then sim.report.compare_report.write_report
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results import OK, RUNS_FILE, read_manifest

__all__ = ["DAILY_NEEDED", "KIND", "ComparisonError", "ComparisonResults", "read_results", "run_id"]

KIND = "compare"
"""The `kind` of a comparison's manifest (a sweep's store says "sweep")."""

DAILY_NEEDED = (
    "day",
    "new",
    "active",
    "dormant",
    "members",
    "messages",
    "ad_messages",
    "groups",
    "max_group_size",
    "revenue",
    "cumulative_revenue",
    "operator_cost",
)
"""The daily columns the comparison figures read from the store's metrics parts."""


class ComparisonError(ValueError):
    """Bad input to a comparison (too few scenarios, R < 2, ...) or a directory holding none: one line."""


def run_id(index: int, stem: str, replicate: int) -> str:
    """Return the stable name of a run of a comparison, e.g. `s1-paid_entry-r007`."""
    return f"s{index}-{stem}-r{replicate:03d}"


@dataclass
class ComparisonResults:
    """A comparison's stored results: its manifest, one row per run, and the daily series of ok runs.

    `runs` has scenario_index, scenario_name, replicate, seed, status, error and every
    KPI; `daily` has scenario_index, replicate and the `DAILY_NEEDED` columns.
    """

    directory: Path
    meta: dict[str, Any]
    runs: pd.DataFrame
    daily: pd.DataFrame

    @property
    def labels(self) -> list[str]:
        """The scenarios' labels as stored in the manifest, in order (the first is the reference)."""
        return [s["label"] for s in self.meta["scenarios"]]

    @property
    def ok_runs(self) -> pd.DataFrame:
        """The runs that finished (status ok): the ones the statistics use."""
        return self.runs[self.runs["status"] == OK]


def read_results(directory: str | Path) -> ComparisonResults:
    """Read a comparison's directory (store.json, runs.parquet, metrics/); `ComparisonError` if it holds none.

    Only the runs of the comparison the manifest describes are read (their run_ids),
    so a store is read the same whatever else lies in the directory.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    meta = (manifest or {}).get("meta") or {}
    if meta.get("kind") != KIND:
        raise ComparisonError(f"{directory} holds no comparison (no store.json of a comparison)")
    if not (directory / RUNS_FILE).is_file():
        raise ComparisonError(f"{directory} holds no finished runs yet")
    wanted = {run_id(i, s["stem"], r) for i, s in enumerate(meta["scenarios"]) for r in range(meta["replicates"])}
    runs = pd.read_parquet(directory / RUNS_FILE)
    runs = runs[runs["run_id"].isin(wanted)].sort_values(["scenario_index", "replicate"]).reset_index(drop=True)
    return ComparisonResults(directory, meta, runs, _read_daily(directory, runs))


def _read_daily(directory: Path, runs: pd.DataFrame) -> pd.DataFrame:
    ok = runs[(runs["status"] == OK) & runs["metrics_part"].notna()]
    frames = []
    for part in sorted(set(ok["metrics_part"])):
        frame = pd.read_parquet(directory / "metrics" / part)
        frames.append(frame[["run_id", *[c for c in DAILY_NEEDED if c in frame.columns]]])
    if not frames:
        return pd.DataFrame(columns=["scenario_index", "replicate", *DAILY_NEEDED])
    daily = pd.concat(frames, ignore_index=True)
    keys = ok[["run_id", "scenario_index", "replicate"]]
    daily = keys.merge(daily, on="run_id", how="inner").drop(columns="run_id")
    return daily.sort_values(["scenario_index", "replicate", "day"]).reset_index(drop=True)
