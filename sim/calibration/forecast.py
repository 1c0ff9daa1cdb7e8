"""The calibrated community forward, and "what if" from the first forecast day.

    result = forecast("results/fit", horizon=90, what_if={"entry.threshold": "paid", "entry.fee": 49})

Each of `draws` posterior draws runs once with its own seed over the observed days plus
the horizon, so the bands hold both the parameters' uncertainty and the runs'. With a
what-if, every draw runs twice with the same parameters and seed: as calibrated, and with
the what-if levers switched on from the first day after the data (the days before are the
same in both, by common random numbers); the difference of each pair is the effect, and
its spread over the draws is its uncertainty.

Switching mid-run hands the what-if scenario to the model and its mechanisms
(`switch_scenario`), whose rules read their sections every day. Levers the model uses only when it is built cannot be
switched (`FIXED_AT_START`): the population, the roles on day 0, the network, the
activity calendar, the dynamics switches and `kol.leave_day`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.fit import FitError
from sim.experiments.job import ERROR, OK, Job, RunResult
from sim.experiments.runner import Backend, run_jobs
from sim.experiments.seeds import root_entropy, run_seed
from sim.experiments.store import RunStore, StoreMismatch
from sim.scenario import ScenarioError, load_scenario

__all__ = ["FIXED_AT_START", "Forecast", "SwitchJob", "forecast", "read_fit", "run_switched", "switch_scenario"]

FORECAST = 4
"""Spawn key of the forecast runs' seeds in the fit's seed tree."""
FIXED_AT_START = ("population.", "roles.", "network.", "activities", "dynamics.", "run.", "kol.leave_day")
MAX_HORIZON = 3650
MAX_DRAWS = 1000
KPIS = {
    "members_end": "members on the last forecast day",
    "joins": "joins over the forecast",
    "leaves": "leaves over the forecast",
    "messages_per_day": "messages per day over the forecast",
    "revenue": "revenue over the forecast, currency",
}


@dataclass(frozen=True)
class SwitchJob(Job):
    """A run whose scenario switches to `overrides` + `switch` on day `switch_day` (no switch if empty)."""

    switch: Mapping[str, Any] = field(default_factory=dict)
    switch_day: int = 1


def run_switched(job: Job) -> RunResult:
    """Run a `SwitchJob` (a plain `Job` runs unswitched); an exception becomes an error result."""
    from sim.model import CommunityModel

    t0 = time.perf_counter()
    try:
        scenario = load_scenario(Path(job.scenario), overrides=dict(job.overrides))
        model = CommunityModel(scenario, rng=job.seed, data_system=False)
        switch = getattr(job, "switch", {})
        if switch:
            day = int(getattr(job, "switch_day", 1))
            model.run(day - 1)
            switch_scenario(model, load_scenario(Path(job.scenario), overrides={**job.overrides, **switch}))
            model.run(job.days - (day - 1))
        else:
            model.run(job.days)
        metrics = model.metrics()
    except Exception as exc:  # noqa: BLE001 - any failure of the run is the run's result
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        return RunResult(job.run_id, ERROR, time.perf_counter() - t0, error=message)
    return RunResult(job.run_id, OK, time.perf_counter() - t0, metrics=metrics)


def switch_scenario(model: Any, changed: Any) -> None:
    """Make a running model follow scenario `changed` from its next day on.

    The model and its mechanisms hold the scenario and its sections (`model.params`,
    `acquisition.entry`, ...): every attribute that is one of the old objects becomes the
    new one, and the commitment a newcomer gets from the entry threshold is derived again.
    """
    from pydantic import BaseModel

    from sim.rules.entry import commitment

    old = model.params
    new_of = {id(old): changed}
    for name in type(old).model_fields:
        section = getattr(old, name)
        if isinstance(section, BaseModel):
            new_of[id(section)] = getattr(changed, name)
    holders = [model, *(v for v in vars(model).values() if hasattr(v, "__dict__") and not isinstance(v, type))]
    for holder in holders:
        for attr, value in list(vars(holder).items()):
            if id(value) in new_of:
                setattr(holder, attr, new_of[id(value)])
            if attr == "commitment_on_entry":
                setattr(holder, attr, commitment(changed.entry.threshold, changed.entry.commitment))


@dataclass
class Forecast:
    """Daily bands of each observable per scenario, forecast KPIs per draw, and their summary."""

    fit: dict[str, Any]
    observed_days: int
    horizon: int
    what_if: dict[str, Any]
    daily: pd.DataFrame
    """Every run's observables: `scenario` (calibrated / what-if), `draw`, `day`, observables."""
    kpis: pd.DataFrame
    """One row per scenario and draw: the forecast KPIs."""
    summary: pd.DataFrame
    """Per KPI: median and 90% interval per scenario, and of the paired difference."""
    files: list[str] = field(default_factory=list)

    def bands(self) -> pd.DataFrame:
        """Quantiles (5, 25, 50, 75, 95%) by scenario and day of every observable."""
        names = [c for c in self.daily.columns if c not in ("scenario", "draw", "day")]
        grouped = self.daily.groupby(["scenario", "day"])
        parts = {
            f"{n}_q{round(q * 100):02d}": grouped[n].quantile(q) for n in names for q in (0.05, 0.25, 0.5, 0.75, 0.95)
        }
        return pd.DataFrame(parts).reset_index()


def check_what_if(what_if: Mapping[str, Any], base: Path, overrides: Mapping[str, Any]) -> None:
    """Refuse what-if keys that cannot switch mid-run, and values the scenario refuses (FitError, one line)."""
    for key in what_if:
        if key.startswith(FIXED_AT_START) or key in FIXED_AT_START:
            raise FitError(
                f"--set {key}: cannot change from the first forecast day (the model reads it only when it is "
                f"built); keys under {', '.join(k.rstrip('.') for k in FIXED_AT_START)} stay as calibrated"
            )
    try:
        load_scenario(base, overrides={**overrides, **what_if}, cli=True)
    except ScenarioError as exc:
        raise FitError(str(exc)) from None


def forecast(
    fit_dir: str | Path,
    horizon: int,
    *,
    draws: int = 40,
    what_if: Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    backend: Backend | None = None,
    runner: Callable[[list[Job], RunStore, str], Any] | None = None,
) -> Forecast:
    """Forecast the fitted community `horizon` days past its data, with a paired what-if if given."""
    fit_dir = Path(fit_dir)
    record, posterior = read_fit(fit_dir)
    if not 1 <= horizon <= MAX_HORIZON:
        raise FitError(f"--days must be between 1 and {MAX_HORIZON}, got {horizon}")
    if not 2 <= draws <= min(MAX_DRAWS, len(posterior)):
        raise FitError(f"--draws must be between 2 and {min(MAX_DRAWS, len(posterior))}, got {draws}")
    base = Path(record["base_path"])
    fixed = dict(record.get("overrides", {}))
    what_if = dict(what_if or {})
    check_what_if(what_if, base, fixed)
    observed = int(record["days"])
    root = int(record["root"])
    rng = np.random.default_rng(np.random.SeedSequence(entropy=root, spawn_key=(FORECAST,)))
    picks = posterior.iloc[rng.permutation(len(posterior))[:draws]].reset_index(drop=True)
    names = list(record["observables"])
    scenarios = {"calibrated": {}, **({"what-if": what_if} if what_if else {})}
    jobs: list[Job] = []
    for label, switch in scenarios.items():
        for i, row in picks.iterrows():
            values = {
                k: (int(v) if p["integer"] else float(v))
                for p, (k, v) in zip(record["parameters"], row.items(), strict=False)
            }
            jobs.append(
                SwitchJob(
                    run_id=f"{label}-{i:04d}",
                    scenario=str(base),
                    overrides={**fixed, **values},
                    seed=run_seed(root, FORECAST, int(i)),
                    days=observed + horizon,
                    labels={"forecast": label, "draw": int(i), **values},
                    switch=switch,
                    switch_day=observed + 1,
                )
            )
    out = Path(out) if out is not None else fit_dir / "forecast"
    identity = {"fit": root, "horizon": horizon, "draws": draws, "what_if": {k: str(v) for k, v in what_if.items()}}
    try:
        store = RunStore(out / "simulations", f"{root_entropy(identity):016x}", {"kind": "forecast", **identity})
    except StoreMismatch:
        raise FitError(
            f"{out / 'simulations'}: holds another forecast (other fit, horizon, draws or what-if); use another --out"
        ) from None
    if runner is not None:
        runner(jobs, store, f"forecast: {len(scenarios)} x {draws} posterior draws, {observed} + {horizon} days")
    else:
        with store:
            run_jobs(jobs, store, backend, run=run_switched)
    daily = _read_daily(out / "simulations", jobs, names)
    kpis = _kpis(daily, observed)
    return Forecast(record, observed, horizon, what_if, daily, kpis, _summary(kpis, bool(what_if)))


def read_fit(fit_dir: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """Read a finished fit's record (fit.json) and posterior draws (posterior.csv); FitError (one line) if bad."""
    path, draws = fit_dir / "fit.json", fit_dir / "posterior.csv"
    for p in (path, draws):
        if not p.is_file():
            raise FitError(f"{p}: not found; give the --out directory of a finished `community-sim fit`")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        posterior = pd.read_csv(draws)
    except (OSError, ValueError) as exc:
        raise FitError(f"{fit_dir}: cannot read the fit ({type(exc).__name__}: {exc})") from None
    keys = [p["key"] for p in record.get("parameters", [])]
    if list(posterior.columns) != keys:
        raise FitError(f"{draws}: columns {list(posterior.columns)} do not match the fit's parameters {keys}")
    return record, posterior


def _read_daily(directory: Path, jobs: list[Job], names: list[str]) -> pd.DataFrame:
    from sim.calibration.fit import read_observables

    series = read_observables(directory, [j.run_id for j in jobs], names)
    frames = [
        series[j.run_id].assign(scenario=j.labels["forecast"], draw=j.labels["draw"])
        for j in jobs
        if j.run_id in series
    ]
    if not frames:
        raise FitError(f"no forecast run ran to the end (see {directory / 'runs.parquet'}, column error)")
    return pd.concat(frames, ignore_index=True)


def _kpis(daily: pd.DataFrame, observed: int) -> pd.DataFrame:
    ahead = daily[daily["day"] > observed]
    rows = []
    for (scenario, draw), part in ahead.groupby(["scenario", "draw"], sort=True):
        part = part.sort_values("day")
        row: dict[str, Any] = {"scenario": scenario, "draw": draw}
        if "members" in part:
            row["members_end"] = float(part["members"].iloc[-1])
        for name in ("joins", "leaves", "revenue"):
            if name in part:
                row[name] = float(part[name].sum())
        if "messages" in part:
            row["messages_per_day"] = float(part["messages"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def _summary(kpis: pd.DataFrame, paired: bool) -> pd.DataFrame:
    rows = []
    names = [k for k in KPIS if k in kpis.columns]
    for name in names:
        row: dict[str, Any] = {"kpi": name, "meaning": KPIS[name]}
        for scenario, part in kpis.groupby("scenario"):
            q05, q50, q95 = np.quantile(part[name], [0.05, 0.5, 0.95])
            row.update({f"{scenario}_median": q50, f"{scenario}_q05": q05, f"{scenario}_q95": q95})
        if paired:
            a = kpis[kpis["scenario"] == "calibrated"].set_index("draw")[name]
            b = kpis[kpis["scenario"] == "what-if"].set_index("draw")[name]
            diff = (b - a).dropna()
            q05, q50, q95 = np.quantile(diff, [0.05, 0.5, 0.95])
            row.update({"difference_median": q50, "difference_q05": q05, "difference_q95": q95})
            row["share_higher"] = float((diff > 0).mean())
        rows.append(row)
    return pd.DataFrame(rows)


def write_forecast(result: Forecast, out: str | Path) -> list[Path]:
    """Write forecast.csv (bands), forecast_kpis.csv (per draw), forecast_summary.csv and forecast.png."""
    from contextlib import ExitStack

    from sim.report import atomic_output

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = ["forecast.csv", "forecast_kpis.csv", "forecast_summary.csv", "forecast.png"]
    with ExitStack() as stack:
        tmp = {n: stack.enter_context(atomic_output(out / n)) for n in names}
        result.bands().to_csv(tmp["forecast.csv"], index=False)
        result.kpis.to_csv(tmp["forecast_kpis.csv"], index=False)
        result.summary.to_csv(tmp["forecast_summary.csv"], index=False)
        _plot(result, tmp["forecast.png"])
    result.files = names
    return [out / n for n in names]


def _plot(result: Forecast, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.calibration.data import load_observations

    bands = result.bands()
    names = [c.removesuffix("_q50") for c in bands.columns if c.endswith("_q50")]
    try:
        data = load_observations(result.fit["data"]).daily
    except ValueError:  # the data file moved or changed since the fit: plot without it
        data = None
    cols = min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    colors = {"calibrated": "#4878a8", "what-if": "#dd8452"}
    for ax, name in zip(axes.flat, names, strict=False):
        for scenario, part in bands.groupby("scenario"):
            c = colors.get(str(scenario), "grey")
            ax.fill_between(part["day"], part[f"{name}_q05"], part[f"{name}_q95"], color=c, alpha=0.2)
            ax.plot(part["day"], part[f"{name}_q50"], color=c, lw=1.2, label=str(scenario))
        if data is not None and name in data:
            ax.plot(data["day"], data[name], ".", ms=2, color="black", label="data")
        ax.axvline(result.observed_days + 0.5, color="grey", lw=0.8, ls="--")
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_axis_off()
    axes.flat[0].legend(fontsize=7)
    what = ", ".join(f"{k}={v}" for k, v in result.what_if.items())
    fig.suptitle(
        f"forecast {result.horizon} days past the data (90% bands: parameters and runs)"
        + (f"; what-if from day {result.observed_days + 1}: {what}" if what else ""),
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)
    plt.close(fig)
