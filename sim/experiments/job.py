"""A run as a function: scenario file, overrides, seed and days in; KPIs, daily metrics and group records out.

`run_job` is what executors ship to workers. A `Job` and a `RunResult` are plain data
(paths, dicts, numbers, a DataFrame), so they travel between processes and machines;
the model itself never leaves the process that ran it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.model import CommunityModel
from sim.results import ERROR, OK
from sim.scenario import load_scenario

__all__ = ["ERROR", "OK", "Job", "RunResult", "run_job"]


@dataclass(frozen=True)
class Job:
    """One run to do.

    `run_id` names the run for good: a store skips run_ids it already holds, so it must
    be stable across invocations (e.g. "p00012-r003"). `scenario` is a path the worker
    can open (absolute, for workers in other directories or on other machines with the
    same files). `labels` are extra columns stored with the run: for a sweep, the point,
    the replicate and the value of every swept parameter.
    """

    run_id: str
    scenario: str
    overrides: Mapping[str, Any]
    seed: int
    days: int
    labels: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    """What comes back from a run: its status and, if it went well, its KPIs, daily metrics and per-group records."""

    run_id: str
    status: str
    wall_time: float
    error: str | None = None
    kpis: dict[str, Any] = field(default_factory=dict)
    metrics: pd.DataFrame | None = None
    groups: pd.DataFrame | None = None


def run_job(job: Job) -> RunResult:
    """Run the model for `job`; an exception becomes a result with status "error" and its message.

    Catching here, in the worker, keeps a run that raises from stopping the others and
    tells a failing run (stored with its message) from a dying worker (retried by Dask).
    """
    t0 = time.perf_counter()
    try:
        scenario = load_scenario(Path(job.scenario), overrides=dict(job.overrides))
        model = CommunityModel(scenario, rng=job.seed, data_system=False).run(job.days)
        metrics = model.metrics()
        groups = model.group_metrics()
        kpis = dict(model.summary())
    except Exception as exc:  # noqa: BLE001 - any failure of the run is the run's result
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        return RunResult(job.run_id, ERROR, time.perf_counter() - t0, error=message)
    return RunResult(job.run_id, OK, time.perf_counter() - t0, kpis=kpis, metrics=metrics, groups=groups)
