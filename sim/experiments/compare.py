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

Parameter uncertainty (`posterior`, the --out directory of `community-sim fit`). Replicate
r of every scenario also takes the same vector of fitted parameters, drawn from the fit's
posterior samples (`PosteriorDraws`), as overrides: a pair differs by the levers only, and
the spread over replicates holds both the parameters' uncertainty and the runs'. The
scenarios must agree on the fitted keys (the posterior sets them in every run).

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
from sim.scenario.presets import find_scenario

__all__ = [
    "DEFAULT_REPLICATES",
    "KIND",
    "MIN_REPLICATES",
    "Comparison",
    "ComparisonError",
    "ComparisonMismatchError",
    "PosteriorDraws",
    "ScenarioEntry",
    "comparison_jobs",
    "draw_posterior",
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


POSTERIOR_KEY = 5
"""Spawn key, in the fit's seed tree, of the choice of posterior draws for a comparison."""


@dataclass(frozen=True)
class PosteriorDraws:
    """Fitted parameter values per replicate, drawn from a fit's posterior: `values[r]` for replicate r."""

    fit: str
    """The fit's directory, as given."""
    fit_root: int
    keys: tuple[str, ...]
    values: tuple[tuple[float | int, ...], ...]

    def overrides(self, replicate: int) -> dict[str, float | int]:
        """Return the fitted keys' values of `replicate`."""
        return dict(zip(self.keys, self.values[replicate], strict=True))

    def meta(self) -> dict[str, Any]:
        """Return what the manifest records (the draws themselves, so the comparison is reproducible)."""
        return {"fit": self.fit, "fit_root": self.fit_root, "keys": list(self.keys), "values": list(self.values)}


def draw_posterior(fit_dir: str | Path, replicates: int) -> PosteriorDraws:
    """Pick one posterior draw per replicate from the fit in `fit_dir` (without repeats while draws last).

    The choice is keyed by the fit's seed root and the number of replicates, so the same
    fit and R give the same draws. Raises `sim.calibration.fit.FitError` (one line) for a bad fit.
    """
    import numpy as np

    from sim.calibration.forecast import read_fit

    record, posterior = read_fit(Path(fit_dir))
    root = int(record["root"])
    rng = np.random.default_rng(np.random.SeedSequence(entropy=root, spawn_key=(POSTERIOR_KEY, replicates)))
    picks = rng.choice(len(posterior), size=replicates, replace=replicates > len(posterior))
    integer = [bool(p.get("integer")) for p in record["parameters"]]
    values = tuple(
        tuple(int(round(v)) if whole else float(v) for v, whole in zip(row, integer, strict=True))
        for row in posterior.to_numpy(float)[picks]
    )
    return PosteriorDraws(str(fit_dir), root, tuple(posterior.columns), values)


@dataclass(frozen=True)
class Comparison:
    """Scenarios (the first is the reference), days per run, replicates per scenario, optional posterior draws."""

    scenarios: tuple[ScenarioEntry, ...]
    days: int
    replicates: int
    posterior: PosteriorDraws | None = None

    @property
    def labels(self) -> list[str]:
        """The scenarios' labels, in order (the first is the reference)."""
        return [s.label for s in self.scenarios]

    @property
    def root(self) -> int:
        """Root of the seed tree: the comparison's content with the scenarios sorted (their order does not count)."""
        contents = sorted(json.dumps(s.values, sort_keys=True) for s in self.scenarios)
        spec: dict[str, Any] = {"kind": KIND, "scenarios": contents, "days": self.days, "replicates": self.replicates}
        if self.posterior is not None:
            spec["posterior"] = {"fit_root": self.posterior.fit_root, "values": self.posterior.values}
        return root_entropy(spec)

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
            **({"posterior": self.posterior.meta()} if self.posterior is not None else {}),
        }

    def fingerprint(self) -> str:
        """Identity of the comparison's results: scenario values, order and stems, days and R."""
        spec = {
            "scenarios": [{"stem": s.stem, "values": dict(s.values)} for s in self.scenarios],
            "days": self.days,
            "replicates": self.replicates,
        }
        if self.posterior is not None:
            spec["posterior"] = {"fit_root": self.posterior.fit_root, "values": self.posterior.values}
        return f"{root_entropy(spec):016x}"


def load_comparison(
    paths: Sequence[str | Path],
    replicates: int = DEFAULT_REPLICATES,
    days: int | None = None,
    posterior: str | Path | None = None,
) -> Comparison:
    """Load the scenario files of a comparison, with parameter draws from the fit in `posterior` if given.

    `days` defaults to the first scenario's run.days (every scenario is run for the same
    number of days). Raises `ComparisonError` for fewer than two scenarios, R < 2,
    days < 1, a bad fit or scenarios that differ in a fitted key, and
    `sim.scenario.ScenarioError` (one line) for a bad or missing file.
    """
    if len(paths) < 2:
        raise ComparisonError(f"compare needs at least 2 scenario files, got {len(paths)}")
    if replicates < MIN_REPLICATES:
        raise ComparisonError(f"--replicates must be >= {MIN_REPLICATES}, got {replicates}")
    if days is not None and days < 1:
        raise ComparisonError(f"--days must be >= 1, got {days}")
    # a preset name is its packaged file: the workers load the entry's path, whatever their working directory
    loaded = [((find_scenario(p) or Path(p)).resolve(), load_scenario(Path(p)).model_dump(mode="json")) for p in paths]
    labels = _labels([values.get("name") or path.stem for path, values in loaded], [p.stem for p, _ in loaded])
    entries = tuple(ScenarioEntry(path, label, values) for (path, values), label in zip(loaded, labels, strict=True))
    days = int(entries[0].values["run"]["days"]) if days is None else days
    draws = None if posterior is None else _posterior_draws(posterior, replicates, entries)
    return Comparison(entries, days, replicates, draws)


def _posterior_draws(fit_dir: str | Path, replicates: int, entries: Sequence[ScenarioEntry]) -> PosteriorDraws:
    """Draw the replicates' parameters; refuse scenarios that differ in a fitted key or refuse the values."""
    from sim.calibration.fit import FitError
    from sim.scenario import ScenarioError

    try:
        draws = draw_posterior(fit_dir, replicates)
    except FitError as exc:
        raise ComparisonError(f"--posterior {exc}") from None
    for key in draws.keys:
        section, _, name = key.partition(".")
        given = [e.values.get(section, {}).get(name) if name else e.values.get(section) for e in entries]
        if any(v != given[0] for v in given[1:]):
            differ = ", ".join(f"{e.label}: {v}" for e, v in zip(entries, given, strict=True))
            raise ComparisonError(
                f"--posterior {fit_dir}: the scenarios differ in {key} ({differ}), but every run takes it from the "
                "posterior; compare levers the fit did not estimate, or leave out --posterior"
            )
    low = dict(zip(draws.keys, map(min, zip(*draws.values, strict=True)), strict=True))
    high = dict(zip(draws.keys, map(max, zip(*draws.values, strict=True)), strict=True))
    for entry in entries:
        for ends in (low, high):
            try:
                load_scenario(entry.path, overrides=ends)
            except ScenarioError as exc:
                raise ComparisonError(f"--posterior {fit_dir}: {exc}") from None
    return draws


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
        fitted = {} if comparison.posterior is None else comparison.posterior.overrides(rep)
        for index, entry in enumerate(comparison.scenarios):
            jobs.append(
                Job(
                    run_id=run_id(index, entry.stem, rep),
                    scenario=str(entry.path),
                    overrides=fitted,
                    seed=seed,
                    days=comparison.days,
                    labels={"scenario_index": index, "scenario_name": entry.label, "replicate": rep, **fitted},
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
