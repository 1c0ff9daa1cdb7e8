"""A parameter sweep: the sweep file's points x replicates as jobs, run into a store.

    sweep = load_sweep("scenarios/sweeps/entry_x_kol_output.toml")
    with open_backend(workers=2) as backend:
        tally = run_sweep(sweep, "results/sweep", backend)

Every (point, replicate) is one job with run_id `p<point>-r<replicate>` and the seed
`run_seed(sweep.root, point, replicate)`, so the same sweep file gives the same runs
and seeds on any backend, and a second call into the same directory only does what
the first did not store. The store's fingerprint covers the sweep (as data, not as
text: comments do not count) and the base scenario's content, so a directory that
holds results of another sweep, or of an edited one, is refused unless `force`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.experiments.design import Sweep
from sim.experiments.job import Job
from sim.experiments.runner import Backend, Progress, Tally, run_jobs
from sim.experiments.seeds import root_entropy, run_seed
from sim.experiments.store import RunStore, StoreMismatch
from sim.scenario import load_scenario

__all__ = ["SweepMismatchError", "open_sweep_store", "run_id", "run_sweep", "sweep_jobs", "sweep_meta"]

KIND = "sweep"


class SweepMismatchError(ValueError):
    """The output directory holds results of another sweep (one line, says what differs)."""


def run_id(point: int, replicate: int) -> str:
    """Return the stable name of a run of a sweep."""
    return f"p{point:05d}-r{replicate:03d}"


def sweep_jobs(sweep: Sweep) -> list[Job]:
    """One job per (point, replicate), point-major."""
    root = sweep.root
    jobs = []
    for point, overrides in enumerate(sweep.points()):
        for rep in range(sweep.replicates):
            jobs.append(
                Job(
                    run_id=run_id(point, rep),
                    scenario=str(sweep.base),
                    overrides=overrides,
                    seed=run_seed(root, point, rep),
                    days=sweep.days,
                    labels={"point": point, "replicate": rep, **overrides},
                )
            )
    return jobs


def sweep_meta(sweep: Sweep) -> dict[str, Any]:
    """Return what the store records about the sweep: its spec, base scenario, seed root and size."""
    base = load_scenario(sweep.base).model_dump(mode="json")
    return {
        "kind": KIND,
        "name": sweep.name,
        "description": sweep.description,
        "sweep_file": str(sweep.path),
        "spec": sweep.spec(),
        "base_scenario": base,
        "root": sweep.root,
        "points": sweep.n_points,
        "runs": sweep.n_runs,
        "parameters": list(sweep.parameters),
    }


def fingerprint(meta: Mapping[str, Any]) -> str:
    """Identity of a sweep's results: its spec and its base scenario's values."""
    return f"{root_entropy({'spec': meta['spec'], 'base': meta['base_scenario']}):016x}"


def open_sweep_store(sweep: Sweep, out: str | Path, *, force: bool = False) -> RunStore:
    """Open (or create) the store for `sweep` in `out`; `SweepMismatchError` if it holds another sweep."""
    meta = sweep_meta(sweep)
    try:
        return RunStore(out, fingerprint(meta), meta, force=force)
    except StoreMismatch as exc:
        raise SweepMismatchError(_mismatch_message(exc, meta)) from None


def _mismatch_message(exc: StoreMismatch, meta: Mapping[str, Any]) -> str:
    old = (exc.old or {}).get("meta") or {}
    if old.get("kind") == KIND:
        changed = [k for k in meta["spec"] if old.get("spec", {}).get(k) != meta["spec"][k]]
        if old.get("base_scenario") != meta["base_scenario"]:
            changed.append("the base scenario's values")
        what = ", ".join(changed) or "the sweep"
        problem = f"holds results of another sweep ({old.get('sweep_file')}; changed: {what})"
    else:
        problem = exc.problem
    return f"{exc.directory} {problem}; use --force to discard them, or another --out"


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    backend: Backend | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> Tally:
    """Run every (point, replicate) of `sweep` not yet stored in `out`; return the tally."""
    with open_sweep_store(sweep, out, force=force) as store:
        return run_jobs(sweep_jobs(sweep), store, backend, progress=progress)
