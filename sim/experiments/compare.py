"""A comparison of scenarios: each one run R times with the same seeds, into one store.

    comparison = load_comparison(["scenarios/baseline.toml", "scenarios/paid_entry.toml"], replicates=30)
    with open_backend(workers=2) as backend, open_comparison_store(comparison, "results/compare") as store:
        run_jobs(comparison_jobs(comparison), store, backend)
    results = sim.report.compare.read_results("results/compare")   # then sim.report.compare_report.write_report

Common random numbers. Replicate r of every scenario gets the same seed,
`run_seed(root, 0, r)`; the root is a hash of the comparison (the sorted scenario
values, the days and R), not of the scenario, so what differs between two runs of
one replicate is the levers, not the luck. The statistics pair runs by replicate
(`sim.report.kpi_stats`), and a scenario compared with itself gives identical runs.

Each (scenario, replicate) is one `Job` with run_id `s<index>-<file stem>-r<rep>`,
run by `sim.experiments.run_jobs` into a `RunStore` exactly as a sweep is: any
backend, a progress bar, committed as runs finish, resumed by the same call. The
store's fingerprint covers the scenarios (their values, order and file stems), the
days and R: a directory holding another comparison is refused unless `force`. The
manifest keeps every scenario's values, so the report is built from the directory alone.

This module runs a comparison; reading it back (`read_results`) is `sim.report.compare`,
which also names the runs (`run_id`) and the manifest's kind, so that the report needs
nothing from `sim.experiments`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.experiments.job import Job
from sim.experiments.seeds import root_entropy, run_seed
from sim.experiments.store import RunStore, StoreMismatch
from sim.report.compare import KIND, ComparisonError, run_id
from sim.scenario import load_scenario

__all__ = [
    "DEFAULT_REPLICATES",
    "KIND",
    "MIN_REPLICATES",
    "Comparison",
    "ComparisonError",
    "ComparisonMismatchError",
    "ScenarioEntry",
    "comparison_jobs",
    "load_comparison",
    "open_comparison_store",
    "run_id",
]

DEFAULT_REPLICATES = 30
MIN_REPLICATES = 2
"""A paired difference needs two replicates for its spread."""

CRN_POINT = 0
"""First element of every run's spawn key: all scenarios share point 0 of the seed tree,
so a run's seed depends on its replicate only (common random numbers)."""


class ComparisonMismatchError(ValueError):
    """The output directory holds results of another comparison (one line, says what differs)."""


@dataclass(frozen=True)
class ScenarioEntry:
    """One compared scenario: its file, its label in the report and its full values."""

    path: Path
    label: str
    values: Mapping[str, Any]

    @property
    def stem(self) -> str:
        """The file name without .toml: part of every run_id of this scenario."""
        return self.path.stem

    @property
    def description(self) -> str:
        """The scenario's own one-line description ("" if it has none)."""
        return str(self.values.get("description") or "")


@dataclass(frozen=True)
class Comparison:
    """Scenarios (the first is the reference), days per run and replicates per scenario."""

    scenarios: tuple[ScenarioEntry, ...]
    days: int
    replicates: int

    @property
    def labels(self) -> list[str]:
        """The scenarios' labels, in order (the first is the reference)."""
        return [s.label for s in self.scenarios]

    @property
    def root(self) -> int:
        """Root of the seed tree: the comparison's content with the scenarios sorted (their order does not count)."""
        contents = sorted(json.dumps(s.values, sort_keys=True) for s in self.scenarios)
        return root_entropy({"kind": KIND, "scenarios": contents, "days": self.days, "replicates": self.replicates})

    def seed(self, replicate: int) -> int:
        """Return the model seed of `replicate`, the same for every scenario."""
        return run_seed(self.root, CRN_POINT, replicate)

    @property
    def n_runs(self) -> int:
        """Runs of the whole comparison: scenarios x replicates."""
        return len(self.scenarios) * self.replicates

    def meta(self) -> dict[str, Any]:
        """Return what the store's manifest records: enough to rebuild the report from the directory alone."""
        return {
            "kind": KIND,
            "scenarios": [
                {"file": str(s.path), "stem": s.stem, "label": s.label, "values": dict(s.values)}
                for s in self.scenarios
            ],
            "days": self.days,
            "replicates": self.replicates,
            "root": self.root,
            "runs": self.n_runs,
        }

    def fingerprint(self) -> str:
        """Identity of the comparison's results: scenario values, order and stems, days and R."""
        spec = {
            "scenarios": [{"stem": s.stem, "values": dict(s.values)} for s in self.scenarios],
            "days": self.days,
            "replicates": self.replicates,
        }
        return f"{root_entropy(spec):016x}"


def load_comparison(
    paths: Sequence[str | Path], replicates: int = DEFAULT_REPLICATES, days: int | None = None
) -> Comparison:
    """Load the scenario files of a comparison.

    `days` defaults to the first scenario's run.days (every scenario is run for the same
    number of days). Raises `ComparisonError` for fewer than two scenarios, R < 2 or
    days < 1, and `sim.scenario.ScenarioError` (one line) for a bad or missing file.
    """
    if len(paths) < 2:
        raise ComparisonError(f"compare needs at least 2 scenario files, got {len(paths)}")
    if replicates < MIN_REPLICATES:
        raise ComparisonError(f"--replicates must be >= {MIN_REPLICATES}, got {replicates}")
    if days is not None and days < 1:
        raise ComparisonError(f"--days must be >= 1, got {days}")
    loaded = [(Path(p).resolve(), load_scenario(Path(p)).model_dump(mode="json")) for p in paths]
    labels = _labels([values.get("name") or path.stem for path, values in loaded], [p.stem for p, _ in loaded])
    entries = tuple(ScenarioEntry(path, label, values) for (path, values), label in zip(loaded, labels, strict=True))
    days = int(entries[0].values["run"]["days"]) if days is None else days
    return Comparison(entries, days, replicates)


def _labels(names: list[str], stems: list[str]) -> list[str]:
    """Label the scenarios uniquely.

    A label is the scenario's name; its file stem beside it if names clash and stems differ; else a number.
    """
    counts = Counter(names)
    stems_of = {n: {s for m, s in zip(names, stems, strict=True) if m == n} for n in counts}
    labels = [n if counts[n] == 1 or len(stems_of[n]) == 1 else f"{n} ({s})" for n, s in zip(names, stems, strict=True)]
    seen: Counter[str] = Counter()
    unique = []
    for label in labels:
        seen[label] += 1
        unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return unique


def comparison_jobs(comparison: Comparison) -> list[Job]:
    """One job per (scenario, replicate), replicate-major so early results already pair up."""
    jobs = []
    for rep in range(comparison.replicates):
        seed = comparison.seed(rep)
        for index, entry in enumerate(comparison.scenarios):
            jobs.append(
                Job(
                    run_id=run_id(index, entry.stem, rep),
                    scenario=str(entry.path),
                    overrides={},
                    seed=seed,
                    days=comparison.days,
                    labels={"scenario_index": index, "scenario_name": entry.label, "replicate": rep},
                )
            )
    return jobs


def open_comparison_store(comparison: Comparison, out: str | Path, *, force: bool = False) -> RunStore:
    """Open (or create) the store of `comparison` in `out`; `ComparisonMismatchError` if it holds other results."""
    meta = comparison.meta()
    try:
        return RunStore(out, comparison.fingerprint(), meta, force=force)
    except StoreMismatch as exc:
        raise ComparisonMismatchError(_mismatch_message(exc, meta)) from None


def _mismatch_message(exc: StoreMismatch, meta: Mapping[str, Any]) -> str:
    old = (exc.old or {}).get("meta") or {}
    if old.get("kind") == KIND:
        changed = []
        if [(s.get("stem"), s.get("values")) for s in old.get("scenarios", [])] != [
            (s["stem"], s["values"]) for s in meta["scenarios"]
        ]:
            changed.append("scenarios")
        changed += [key for key in ("days", "replicates") if old.get(key) != meta[key]]
        was = ", ".join(s.get("label", "?") for s in old.get("scenarios", []))
        problem = f"holds another comparison ({was}; changed: {', '.join(changed) or 'the comparison'})"
    elif old.get("kind"):
        problem = f"holds the results of a {old['kind']}"
    else:
        problem = exc.problem
    return f"{exc.directory} {problem}; use --force to discard them, or another --out"
