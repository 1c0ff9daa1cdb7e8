"""Fitting the model to an operator's data: the parameters' posterior by simulation-based inference.

    obs = load_observations("my_groups.csv")
    spec = FitSpec(obs, "my_base.toml", [parse_parameter("acquisition.referral_rate=0.005:0.05", "my_base.toml")])
    result = fit(spec, "results/fit")

Method: a Gaussian synthetic likelihood on an emulator, in two rounds (`sim.calibration.inference`).
1. Design: a scrambled Sobol' cover of the parameter ranges; every point runs R replicates
   with the same R seeds (common random numbers), so the mean summaries are smooth in the
   parameters and a Gaussian process emulates them (`sim.calibration.emulator`).
2. Refinement: points drawn from the first posterior, run with the same seeds, and the
   emulator fitted again to all points; and runs with independent seeds at the first
   posterior's median, whose spread is the covariance of the likelihood. (Replicates with
   common seeds cannot give it: their residuals are alike from point to point, so a
   covariance pooled over points has the rank of the number of seeds.)
3. Posterior predictive: posterior draws, each run once with a fresh seed: the bands of
   the fit plot, and the check that the data lie inside them.

Why not ABC-SMC (pyabc) or neural posterior estimation (sbi)? On a budget of about a
thousand runs of 0.5 s for three parameters, ABC needs its tolerance loose (wide
posteriors) and cannot use common random numbers, and sbi brings torch; an emulator of
the CRN means uses every run and needs only scipy, which the project already has.

Runs go through `sim.experiments` (`run_jobs` into a `RunStore` under `<out>/simulations`),
on any backend. A point is named by its parameter values (`x<hash>-r<replicate>`), so a
fit killed midway, run again, finds its runs stored and does only the rest; the store's
identity is the base scenario, the ranges, the replicates and the seed, not the data, so
fits of several data files to the same ranges share their design runs.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
from scipy.stats import qmc

from sim.calibration.data import Observations, model_observables
from sim.calibration.emulator import fit_emulator
from sim.calibration.inference import (
    Posterior,
    diagnose,
    pooled_covariance,
    sample_posterior,
    summarize,
    windows,
)
from sim.experiments.job import OK, Job
from sim.experiments.runner import Backend, Progress, run_jobs
from sim.experiments.seeds import root_entropy, run_seed
from sim.experiments.store import RUNS_FILE, RunStore, StoreMismatch, read_runs_table
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.presets import find_scenario, not_a_preset

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_REPLICATES",
    "FitError",
    "FitParameter",
    "FitResult",
    "FitSpec",
    "fit",
    "parse_parameter",
    "plan",
]

DEFAULT_BUDGET = 1000
DEFAULT_REPLICATES = 5
MIN_BUDGET = 60
MAX_BUDGET = 100_000
MAX_PARAMETERS = 6
SIMULATIONS = "simulations"
SHARED_SEEDS, CHECK_SEEDS, STREAMS, NOISE_SEEDS = 0, 1, 2, 3
"""Spawn keys of the fit's seed tree: the replicates' common seeds (design and refinement), the seeds of
the posterior-predictive runs, the random streams of the fit itself, the seeds of the noise runs."""

Runner = Callable[[list[Job], RunStore, str], Any]
"""Runs `jobs` not yet in the store (which it may close) and says what it is doing with the description."""


class FitError(ValueError):
    """Bad input to a fit (a --param, the budget, the output directory): one line."""


@dataclass(frozen=True)
class FitParameter:
    """A scenario key to fit and the range of its uniform prior."""

    key: str
    low: float
    high: float
    integer: bool = False

    def value(self, u: float) -> float | int:
        """Return the value at `u` in [0, 1] (rounded to 6 significant digits, integers to whole numbers)."""
        v = self.low + float(u) * (self.high - self.low)
        return int(round(v)) if self.integer else float(f"{v:.6g}")

    def unit(self, value: float) -> float:
        """Return where `value` lies in the range, 0 to 1."""
        return (float(value) - self.low) / (self.high - self.low)

    def text(self) -> str:
        """Return the parameter as written on the command line."""
        return f"{self.key}={self.low:g}:{self.high:g}"


def parse_parameter(text: str, base: str | Path, overrides: Mapping[str, Any] | None = None) -> FitParameter:
    """Read `key=LOW:HIGH`, checking the key and both ends against the base scenario; FitError if bad."""
    key, sep, span = text.partition("=")
    key, span = key.strip(), span.strip()
    low_text, colon, high_text = span.partition(":")
    if not sep or not key or not colon:
        raise FitError(f"--param expects KEY=LOW:HIGH (e.g. acquisition.referral_rate=0.005:0.05), got {text!r}")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise FitError(f"--param {text}: LOW and HIGH must be numbers, got {low_text!r} and {high_text!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise FitError(f"--param {text}: LOW and HIGH must be finite numbers")
    if low >= high:
        raise FitError(f"--param {text}: LOW must be below HIGH")
    field = _scenario_field(key)
    integer = field is not None and _is_int(field)
    if integer and (low != int(low) or high != int(high)):
        raise FitError(f"--param {text}: {key} is an integer; LOW and HIGH must be whole numbers")
    for value in (low, high):
        try:
            load_scenario(base, overrides={**(overrides or {}), key: int(value) if integer else value})
        except ScenarioError as exc:
            if exc.key is None and "not found" in exc.problem:
                raise FitError(str(exc)) from None
            if exc.key is not None:
                raise FitError(f"--param {text}: {exc.key}: {exc.problem}") from None
    if not _is_numeric(field):
        raise FitError(f"--param {text}: {key} is not a number; only numeric keys can be fitted")
    return FitParameter(key, low, high, integer)


def _scenario_field(key: str) -> Any:
    from sim.scenario.keys import field_at

    return field_at(key)


def _is_int(field: Any) -> bool:
    import typing

    args = typing.get_args(field.annotation) or (field.annotation,)
    return int in args and float not in args


def _is_numeric(field: Any) -> bool:
    import typing

    if field is None:
        return False
    args = typing.get_args(field.annotation) or (field.annotation,)
    return any(a in (int, float) for a in args) and bool not in args


@dataclass(frozen=True)
class FitSpec:
    """What to fit: the data, the base scenario (file or preset), the parameters and the effort."""

    observations: Observations
    base: str | Path
    parameters: Sequence[FitParameter]
    budget: int = DEFAULT_BUDGET
    replicates: int = DEFAULT_REPLICATES
    seed: int = 0
    overrides: Mapping[str, Any] = field(default_factory=dict)
    checks: int | None = None
    """Posterior-predictive runs; default: 5% of the budget, 10 to 60 (taken from the budget)."""

    def __post_init__(self) -> None:
        """Check the spec as a whole (each parameter was checked by `parse_parameter`)."""
        if not self.parameters:
            raise FitError("give at least one --param KEY=LOW:HIGH to fit")
        if len(self.parameters) > MAX_PARAMETERS:
            raise FitError(f"{len(self.parameters)} parameters; at most {MAX_PARAMETERS} can be fitted at once")
        keys = [p.key for p in self.parameters]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                raise FitError(f"--param {key} is given twice")
            if key in self.overrides:
                raise FitError(f"{key} is both fitted (--param) and fixed (--set); choose one")
        if self.checks is not None and not 2 <= self.checks <= 1000:
            raise FitError(f"checks must be between 2 and 1000, got {self.checks}")
        if not 2 <= self.replicates <= 50:
            raise FitError(f"--replicates must be between 2 and 50, got {self.replicates}")
        if not MIN_BUDGET <= self.budget <= MAX_BUDGET:
            raise FitError(f"--budget must be between {MIN_BUDGET} and {MAX_BUDGET:,} runs, got {self.budget:,}")
        n1, n2, _, _ = plan(self.budget, self.replicates, self.summaries, self.checks)
        if n1 < len(self.parameters) + 3 or n2 < 1:
            raise FitError(
                f"--budget {self.budget} leaves too few points for {len(self.parameters)} parameters at "
                f"{self.replicates} replicates; raise it to "
                f"{minimum_budget(self.replicates, len(self.parameters), self.summaries, self.checks)}"
            )

    @property
    def base_path(self) -> Path:
        """The base scenario file, resolved (absolute), so workers can open it from anywhere."""
        found = find_scenario(self.base)
        if found is None:
            raise FitError(f"{self.base}: scenario file not found, {not_a_preset()}")
        return found.resolve()

    @property
    def summaries(self) -> int:
        """Number of summaries the data give (observables x blocks of days)."""
        return len(self.observations.observables) * len(windows(self.observations.days))

    @property
    def names(self) -> list[str]:
        """The fitted keys, in order."""
        return [p.key for p in self.parameters]

    @property
    def low(self) -> np.ndarray:
        """Lower ends of the ranges."""
        return np.array([p.low for p in self.parameters])

    @property
    def high(self) -> np.ndarray:
        """Upper ends of the ranges."""
        return np.array([p.high for p in self.parameters])

    def identity(self) -> dict[str, Any]:
        """Return what the simulations depend on (not the data): base values, ranges, days, replicates, seed."""
        base = load_scenario(self.base_path, overrides=dict(self.overrides)).model_dump(mode="json")
        return {
            "base": base,
            "overrides": {k: str(v) for k, v in self.overrides.items()},
            "parameters": [p.text() for p in self.parameters],
            "days": self.observations.days,
            "replicates": self.replicates,
            "seed": self.seed,
        }

    @property
    def root(self) -> int:
        """Root of the seed tree of every run of the fit."""
        return root_entropy(self.identity())


def plan(budget: int, replicates: int, summaries: int, checks: int | None = None) -> tuple[int, int, int, int]:
    """Split the budget of runs: (design points, refinement points, noise runs, posterior-predictive runs).

    The noise runs (independent seeds at one point) estimate the covariance of the
    summaries: three times as many as there are summaries, 20 to 100, at most a quarter of the
    budget. Points run `replicates` runs each: 60% of the rest go to the design.
    """
    check = min(60, max(10, budget // 20)) if checks is None else checks
    noise = min(max(20, 3 * summaries), 100, budget // 4)
    points = (budget - check - noise) // replicates
    n1 = int(round(points * 0.6))
    return n1, points - n1, noise, check


def minimum_budget(replicates: int, n_parameters: int, summaries: int, checks: int | None = None) -> int:
    """Return the smallest budget that leaves enough design points."""
    budget = MIN_BUDGET
    while True:
        n1, n2, _, _ = plan(budget, replicates, summaries, checks)
        if n1 >= n_parameters + 3 and n2 >= 1:
            return budget
        budget += 1


@dataclass
class FitResult:
    """The outcome of a fit: posterior draws, their table, diagnostics and the posterior-predictive runs."""

    spec: FitSpec
    posterior: pd.DataFrame
    table: pd.DataFrame
    diagnostics: list[str]
    correlation: pd.DataFrame
    ess: float
    predictive: pd.DataFrame
    """Observables of the posterior-predictive runs: `run`, `day` and one column per observable."""
    coverage: dict[str, float]
    """Share of days on which the data lie inside the 90% posterior-predictive band, per observable."""
    runs: int
    wall_time: float
    files: list[str] = field(default_factory=list)

    def medians(self) -> dict[str, float | int]:
        """Return the posterior median of every parameter (integers rounded)."""
        out: dict[str, float | int] = {}
        for p in self.spec.parameters:
            m = float(self.posterior[p.key].median())
            out[p.key] = int(round(m)) if p.integer else float(f"{m:.4g}")
        return out


# ---------------------------------------------------------------- jobs


def _point_id(values: Mapping[str, Any]) -> str:
    return f"{root_entropy({k: repr(v) for k, v in values.items()}):016x}"[:12]


def design_jobs(spec: FitSpec, unit: np.ndarray, stage: str) -> list[Job]:
    """Jobs of points `unit` (rows in the unit cube): R replicates each, with the shared seeds."""
    jobs, seen = [], set()
    base = str(spec.base_path)
    for u in unit:
        values = {p.key: p.value(u[j]) for j, p in enumerate(spec.parameters)}
        pid = _point_id(values)
        if pid in seen:
            continue
        seen.add(pid)
        for r in range(spec.replicates):
            jobs.append(
                Job(
                    run_id=f"x{pid}-r{r}",
                    scenario=base,
                    overrides={**spec.overrides, **values},
                    seed=run_seed(spec.root, SHARED_SEEDS, r),
                    days=spec.observations.days,
                    labels={"stage": stage, "point": pid, "replicate": r, **values},
                )
            )
    return jobs


def seed_jobs(spec: FitSpec, unit: np.ndarray, stage: str, stream: int) -> list[Job]:
    """One run per row of `unit` (posterior draws, or one point repeated), each with its own seed of `stream`."""
    jobs = []
    for i, u in enumerate(unit):
        values = {p.key: p.value(u[j]) for j, p in enumerate(spec.parameters)}
        jobs.append(
            Job(
                run_id=f"{stage[0]}{_point_id(values)}-{i:03d}",
                scenario=str(spec.base_path),
                overrides={**spec.overrides, **values},
                seed=run_seed(spec.root, stream, i),
                days=spec.observations.days,
                labels={"stage": stage, "point": _point_id(values), "replicate": i, **values},
            )
        )
    return jobs


def read_observables(directory: Path, run_ids: Sequence[str], names: list[str]) -> dict[str, pd.DataFrame]:
    """Return the observables of each stored run that went well: run_id -> frame (day, observables)."""
    runs = read_runs_table(directory / RUNS_FILE).to_pandas() if (directory / RUNS_FILE).exists() else pd.DataFrame()
    if runs.empty:
        return {}
    wanted = set(run_ids)
    ok = runs[(runs["status"] == OK) & runs["run_id"].isin(wanted)]
    parts = sorted({directory / "metrics" / p for p in ok["metrics_part"].dropna()})
    if not parts:
        return {}
    columns = ["run_id", "day", "members", "joined", "joined_channel", "joined_referral", "joined_organic"]
    columns += ["left_today", "kicked_today", "new", "active", "messages", "content_posts", "ad_messages", "revenue"]
    table = ds.dataset([str(p) for p in parts], format="parquet").to_table(
        columns=columns, filter=ds.field("run_id").isin(list(ok["run_id"]))
    )
    frame = table.to_pandas()
    return {
        rid: model_observables(part.sort_values("day").reset_index(drop=True), names)
        for rid, part in frame.groupby("run_id", sort=False)
    }


# ---------------------------------------------------------------- the fit


def fit(
    spec: FitSpec,
    out: str | Path,
    *,
    backend: Backend | None = None,
    progress: Progress | None = None,
    runner: Runner | None = None,
    force: bool = False,
    say: Callable[[str], None] | None = None,
) -> FitResult:
    """Fit `spec`: run what is not stored yet under `<out>/simulations`, then write the outputs into `out`.

    `runner(jobs, store, description)` runs a batch (the CLI's runs with a progress bar and
    clean interrupts); by default `run_jobs` on `backend` (in this process if None).
    """
    t0 = time.perf_counter()
    out = Path(out)
    say = say or (lambda line: None)
    obs = spec.observations
    names = obs.observables
    blocks = windows(obs.days)
    observed = summarize(obs.daily[names].to_numpy(float), blocks)
    store_dir = out / SIMULATIONS
    fingerprint = f"{spec.root:016x}"
    meta = {"kind": "fit", **spec.identity()}

    def run(jobs: list[Job], what: str) -> None:
        try:
            store = RunStore(store_dir, fingerprint, meta, force=force)
        except StoreMismatch:
            raise FitError(
                f"{store_dir}: holds the simulations of another fit (another base scenario, ranges, days, replicates "
                "or seed); use another --out, or --force to discard them"
            ) from None
        if runner is not None:
            runner(jobs, store, what)
            return
        with store:
            run_jobs(jobs, store, backend, progress=progress)

    n1, n2, n_noise, n_check = plan(spec.budget, spec.replicates, spec.summaries, spec.checks)
    streams = np.random.SeedSequence(entropy=spec.root, spawn_key=(STREAMS,)).spawn(4)
    rngs = [np.random.default_rng(s) for s in streams]

    with warnings.catch_warnings():  # a prefix of a Sobol' sequence covers the cube well enough
        warnings.simplefilter("ignore", UserWarning)
        design = qmc.Sobol(len(spec.parameters), scramble=True, seed=rngs[0]).random(n1)
    jobs1 = design_jobs(spec, design, "design")
    run(jobs1, f"fit round 1 of 3 (design): {len(jobs1) // spec.replicates} points x {spec.replicates} replicates")
    x1, groups1 = _point_summaries(spec, store_dir, jobs1, names, blocks)
    first = _posterior(spec, x1, groups1, observed, rngs[1])
    say(f"round 1: {len(x1)} points; the posterior's effective sample size {first.ess:.0f}")

    refine = _spread(first.unit, n2)
    jobs2 = design_jobs(spec, refine, "refine")
    ids1 = {j.run_id for j in jobs1}
    jobs2 = [j for j in jobs2 if j.run_id not in ids1]
    noise = seed_jobs(spec, np.repeat(np.median(first.unit, axis=0)[None, :], n_noise, axis=0), "noise", NOISE_SEEDS)
    run(
        jobs2 + noise,
        f"fit round 2 of 3 (refine): {len(jobs2) // spec.replicates} points x {spec.replicates} replicates "
        f"and {len(noise)} runs with their own seeds at the first posterior's median",
    )
    x2, groups2 = _point_summaries(spec, store_dir, jobs2, names, blocks)
    x_all = np.concatenate([x1, x2]) if len(x2) else x1
    noise_runs = read_observables(store_dir, [j.run_id for j in noise], names)
    if len(noise_runs) < 3:
        raise FitError(f"only {len(noise_runs)} of the noise runs ran to the end (see {store_dir / RUNS_FILE})")
    cov = pooled_covariance([np.stack([summarize(f[names].to_numpy(float), blocks) for f in noise_runs.values()])])
    posterior = _posterior(spec, x_all, groups1 + groups2, observed, rngs[2], cov)

    draws = posterior.unit[rngs[3].permutation(len(posterior.unit))[:n_check]]
    jobs3 = seed_jobs(spec, draws, "check", CHECK_SEEDS)
    run(jobs3, f"fit round 3 of 3 (check): {len(jobs3)} posterior-predictive runs")
    predictive = _predictive(store_dir, jobs3, names)

    samples = pd.DataFrame(posterior.scaled(spec.low, spec.high), columns=spec.names)
    for p in spec.parameters:
        if p.integer:
            samples[p.key] = samples[p.key].round().astype(int)
    rows, lines = diagnose(spec.names, posterior.unit, posterior.ess)
    table = _table(spec, samples, rows)
    coverage = _band_coverage(obs.daily, predictive, names)
    for name, share in coverage.items():
        if share < 0.7:
            lines.append(
                f"{name}: the data leave the 90% posterior-predictive band on {1 - share:.0%} of the days; the model "
                "with these parameters does not reproduce this observable well (another lever may be at work)"
            )
    correlation = samples.corr() if len(spec.parameters) > 1 else pd.DataFrame([[1.0]], spec.names, spec.names)
    n_runs = len(jobs1) + len(jobs2) + len(jobs3)
    return FitResult(
        spec, samples, table, lines, correlation, posterior.ess, predictive, coverage, n_runs, time.perf_counter() - t0
    )


def _point_summaries(
    spec: FitSpec, store_dir: Path, jobs: list[Job], names: list[str], blocks: list[tuple[int, int]]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Return the points (unit cube) whose replicates all ran well, and their replicates' summaries."""
    series = read_observables(store_dir, [j.run_id for j in jobs], names)
    by_point: dict[str, list[Job]] = {}
    for job in jobs:
        by_point.setdefault(str(job.labels["point"]), []).append(job)
    xs, groups = [], []
    for point_jobs in by_point.values():
        if not all(j.run_id in series for j in point_jobs):
            continue
        values = point_jobs[0].labels
        xs.append([p.unit(values[p.key]) for p in spec.parameters])
        groups.append(np.stack([summarize(series[j.run_id][names].to_numpy(float), blocks) for j in point_jobs]))
    if not xs:
        raise FitError(
            f"no simulation of this fit ran to the end (see {store_dir / RUNS_FILE}, column error); "
            "check the base scenario and the ranges"
        )
    return np.array(xs), groups


def _posterior(
    spec: FitSpec,
    x: np.ndarray,
    groups: list[np.ndarray],
    observed: np.ndarray,
    rng: np.random.Generator,
    cov: np.ndarray | None = None,
) -> Posterior:
    """Emulate the points' mean summaries and sample the posterior; `cov` defaults to the replicates' pooled one."""
    if len(x) < len(spec.parameters) + 3:
        raise FitError(f"only {len(x)} points of the fit ran to the end; too few to emulate the model")
    means = np.stack([g.mean(axis=0) for g in groups])
    emulator = fit_emulator(x, means, seed=int(rng.integers(2**31)))
    if cov is None:  # common seeds make the replicates' residuals alike from point to point: a rough first guess
        cov = pooled_covariance(groups, independent=False)
    return sample_posterior(observed, emulator, cov, spec.replicates, rng)


def _spread(unit: np.ndarray, n: int) -> np.ndarray:
    """Pick `n` posterior draws that cover the posterior evenly (greedy maximin from the median)."""
    candidates = np.unique(unit, axis=0)
    if len(candidates) <= n:
        return candidates
    chosen = [int(np.argmin(((candidates - np.median(candidates, axis=0)) ** 2).sum(axis=1)))]
    dist = ((candidates - candidates[chosen[0]]) ** 2).sum(axis=1)
    for _ in range(n - 1):
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, ((candidates - candidates[nxt]) ** 2).sum(axis=1))
    return candidates[chosen]


def _predictive(store_dir: Path, jobs: list[Job], names: list[str]) -> pd.DataFrame:
    series = read_observables(store_dir, [j.run_id for j in jobs], names)
    frames = [frame.assign(run=i) for i, job in enumerate(jobs) if (frame := series.get(job.run_id)) is not None]
    if not frames:
        raise FitError("no posterior-predictive run ran to the end")
    return pd.concat(frames, ignore_index=True)


def bands(
    predictive: pd.DataFrame, names: list[str], levels: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95)
) -> pd.DataFrame:
    """Quantiles by day of the posterior-predictive runs: columns `<observable>_q05`, ..._q50, ..."""
    grouped = predictive.groupby("day")
    parts = {f"{name}_q{round(q * 100):02d}": grouped[name].quantile(q) for name in names for q in levels}
    return pd.DataFrame(parts).reset_index()


def _band_coverage(daily: pd.DataFrame, predictive: pd.DataFrame, names: list[str]) -> dict[str, float]:
    b = bands(predictive, names, (0.05, 0.95)).set_index("day")
    obs = daily.set_index("day")
    return {name: float(((obs[name] >= b[f"{name}_q05"]) & (obs[name] <= b[f"{name}_q95"])).mean()) for name in names}


def _table(spec: FitSpec, samples: pd.DataFrame, rows: list[dict[str, object]]) -> pd.DataFrame:
    out = []
    for p, row in zip(spec.parameters, rows, strict=True):
        q05, q50, q95 = np.quantile(samples[p.key], [0.05, 0.5, 0.95])
        out.append(
            {
                "parameter": p.key,
                "median": float(q50),
                "q05": float(q05),
                "q95": float(q95),
                "low": p.low,
                "high": p.high,
                "width_share": row["width_share"],
                "identified": row["identified"],
            }
        )
    return pd.DataFrame(out)


def result_json(result: FitResult) -> dict[str, Any]:
    """Return what fit.json records: the spec, the table, the diagnostics and the effort."""
    spec = result.spec
    return {
        "data": spec.observations.source,
        "start": spec.observations.start.isoformat(),
        "days": spec.observations.days,
        "observables": spec.observations.observables,
        "groups": list(spec.observations.groups),
        "base": str(spec.base),
        "base_path": str(spec.base_path),
        "overrides": {k: str(v) for k, v in spec.overrides.items()},
        "parameters": [{"key": p.key, "low": p.low, "high": p.high, "integer": p.integer} for p in spec.parameters],
        "budget": spec.budget,
        "replicates": spec.replicates,
        "seed": spec.seed,
        "root": spec.root,
        "table": result.table.to_dict(orient="records"),
        "correlation": result.correlation.round(4).to_dict(),
        "diagnostics": result.diagnostics,
        "predictive_coverage": result.coverage,
        "effective_sample_size": round(result.ess, 1),
        "runs": result.runs,
        "wall_time_s": round(result.wall_time, 2),
    }


def dumps(data: Mapping[str, Any]) -> str:
    """Return `data` as indented JSON text."""
    return json.dumps(data, indent=2, default=str) + "\n"
