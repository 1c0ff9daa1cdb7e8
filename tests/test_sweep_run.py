"""Running sweeps: in-process and on a Dask LocalCluster, identical results, failures, kill and resume.

The sweeps are tiny (a 1,000-person pool, 20 days: a run takes a few hundredths of a
second) so that the whole file stays within seconds plus two cluster start-ups.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import os
import re
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cloudpickle
import pandas as pd
import pytest
from helpers import invoke_cli

from sim import CommunityModel, load_scenario
from sim.experiments import Job, RunResult, load_sweep, run_jobs, run_sweep
from sim.experiments.job import run_job
from sim.experiments.runner import KILL_AFTER_ENV, BackendLostError, local_cluster
from sim.experiments.sweep import open_sweep_store, sweep_jobs

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
VOLATILE = ["wall_time", "metrics_part", "groups_part"]  # how long a run took and which part file holds it may differ

SMALL_BASE = f"""
extends = "{BASELINE}"
name = "small"
[population]
potential_pool = 1000
initial_members = 50
"""

GRID = """
base = "small.toml"
days = 20
replicates = 2
design = "grid"

[parameters]
entry.threshold = ["free", "invite", "review"]
output.kol_posts_per_day = [1.0, 3.0]
"""

FAILING = """
base = "small.toml"
days = 20
replicates = 2
design = "grid"

[parameters]
entry.threshold = ["free", "paid"]
entry.fee = [0, 49]            # paid with a fee of 0 is not a valid scenario: those runs fail
"""


def write_sweep(tmp_path: Path, body: str, name: str = "sweep.toml") -> Path:
    (tmp_path / "small.toml").write_text(SMALL_BASE, encoding="utf-8")
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def stored(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """runs.parquet and every metrics part, sorted by run_id (and day), without the volatile columns."""
    runs = pd.read_parquet(out / "runs.parquet").sort_values("run_id").reset_index(drop=True)
    parts = sorted((out / "metrics").glob("part-*.parquet"))
    metrics = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    metrics = metrics.sort_values(["run_id", "day"]).reset_index(drop=True)
    return runs.drop(columns=VOLATILE), metrics


def sweep_cli(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    return invoke_cli(["sweep", *args], capsys)


def test_one_worker_and_a_two_worker_local_cluster_give_identical_results(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    sweep = write_sweep(tmp_path, GRID)
    code1, out1, err1 = sweep_cli([str(sweep), "--out", str(tmp_path / "w1"), "--workers", "1"], capsys)
    code2, out2, err2 = sweep_cli([str(sweep), "--out", str(tmp_path / "w2"), "--workers", "2"], capsys)
    assert code1 == code2 == 0
    assert "in this process" in err1 and "local Dask cluster (2 workers)" in err2
    assert out1.strip().splitlines()[-1] == out2.strip().splitlines()[-1] == "ok 12, error 0, skipped 0"
    runs1, metrics1 = stored(tmp_path / "w1")
    runs2, metrics2 = stored(tmp_path / "w2")
    pd.testing.assert_frame_equal(runs1, runs2)
    pd.testing.assert_frame_equal(metrics1, metrics2)
    assert len(runs1) == 12 and runs1["run_id"].is_unique and set(runs1["status"]) == {"ok"}
    assert runs1["seed"].is_unique and (runs1.groupby("point")["total_joined"].nunique() > 1).any()
    assert len(metrics1) == 12 * 20 and not metrics1.duplicated(["run_id", "day"]).any()
    assert metrics1["run_id"].nunique() == 12
    assert {
        "entry.threshold",
        "output.kol_posts_per_day",
        "point",
        "replicate",
        "seed",
        "peak_members",
        "retention_30d",
    } <= set(runs1.columns)
    assert "entry.threshold" not in metrics1.columns  # the daily rows do not repeat the parameters


def test_a_stored_seed_reproduces_its_run_alone(tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, GRID))
    run_sweep(sweep, tmp_path / "out")
    row = pd.read_parquet(tmp_path / "out" / "runs.parquet").set_index("run_id").loc["p00003-r001"]
    overrides = {k: row[k] for k in sweep.parameters}
    model = CommunityModel(load_scenario(tmp_path / "small.toml", overrides=overrides), rng=int(row["seed"]))
    kpis = model.run(sweep.days).summary()
    assert kpis["peak_members"] == row["peak_members"] and kpis["total_joined"] == row["total_joined"]
    assert kpis["profit"] == pytest.approx(row["profit"], rel=1e-12)


def test_failing_runs_are_recorded_and_the_others_go_on(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    sweep = write_sweep(tmp_path, FAILING)
    code, out, err = sweep_cli([str(sweep), "--out", str(tmp_path / "out"), "--workers", "1"], capsys)
    assert code == 0
    assert out.strip().splitlines()[-1] == "ok 6, error 2, skipped 0"
    assert "first error: p00002-r000: ScenarioError" in " ".join(err.split())
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet").set_index("run_id")
    failed = runs[runs["status"] == "error"]
    assert list(failed.index) == ["p00002-r000", "p00002-r001"]
    assert (failed["entry.threshold"] == "paid").all() and (failed["entry.fee"] == 0).all()
    assert failed["error"].str.contains("entry.fee must be > 0").all()
    assert failed["peak_members"].isna().all()
    assert runs.loc[runs["status"] == "ok", "error"].isna().all()
    # a second call does not retry them: they are stored results
    code, out, _ = sweep_cli([str(sweep), "--out", str(tmp_path / "out"), "--workers", "1"], capsys)
    assert out.strip().splitlines()[-1] == "ok 0, error 0, skipped 8"


def test_an_exception_inside_the_model_is_a_run_in_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sweep = load_sweep(write_sweep(tmp_path, GRID))
    doomed = sweep_jobs(sweep)[5].seed

    class Fragile(CommunityModel):
        def step(self) -> None:
            if self.steps == 7 and self._seed == doomed:
                raise FloatingPointError("satisfaction overflow on day 7")
            super().step()

    monkeypatch.setattr("sim.experiments.job.CommunityModel", Fragile)
    tally = run_sweep(sweep, tmp_path / "out")
    assert (tally.ok, tally.error) == (11, 1)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet").set_index("run_id")
    assert runs.loc["p00002-r001", "status"] == "error"
    assert runs.loc["p00002-r001", "error"] == "FloatingPointError: satisfaction overflow on day 7"


def die_once(marker_dir: str, job: Job) -> RunResult:
    """Kill the worker process the first time it runs p00001-r000 (a crash, an OOM kill...)."""
    marker = Path(marker_dir) / job.run_id
    if job.run_id == "p00001-r000" and not marker.exists():
        marker.touch()
        os._exit(1)
    return run_job(job)


def test_a_worker_that_dies_mid_run_is_retried_by_dask(tmp_path: Path) -> None:
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers need not import this test module
    sweep = load_sweep(write_sweep(tmp_path, GRID))
    with local_cluster(2) as backend, open_sweep_store(sweep, tmp_path / "out") as store:
        tally = run_jobs(sweep_jobs(sweep), store, backend, run=functools.partial(die_once, str(tmp_path)))
    assert (tmp_path / "p00001-r000").exists()  # it did die once
    assert (tally.ok, tally.error) == (12, 0)
    run_sweep(sweep, tmp_path / "clean")
    pd.testing.assert_frame_equal(stored(tmp_path / "out")[0], stored(tmp_path / "clean")[0])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_killed_sweep_resumes_and_stores_every_run_exactly_once(tmp_path: Path, workers: str) -> None:
    sweep = write_sweep(tmp_path, GRID)
    command = [sys.executable, "-m", "sim", "sweep", str(sweep), "--out", str(tmp_path / "out"), "--workers", workers]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    killed = subprocess.run(
        command, env={**env, KILL_AFTER_ENV: "5"}, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert 5 <= len(runs) < 12 and runs["run_id"].is_unique
    before = len(runs)

    resumed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip().splitlines()[-1] == f"ok {12 - before}, error 0, skipped {before}"
    assert f"{before} already stored, {12 - before} to run" in " ".join(resumed.stderr.split())

    run_sweep(load_sweep(sweep), tmp_path / "clean")
    runs, metrics = stored(tmp_path / "out")
    clean_runs, clean_metrics = stored(tmp_path / "clean")
    assert runs["run_id"].is_unique and len(runs) == 12
    assert not metrics.duplicated(["run_id", "day"]).any()
    pd.testing.assert_frame_equal(runs, clean_runs)
    pd.testing.assert_frame_equal(metrics, clean_metrics)


def test_an_edited_sweep_is_refused_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    sweep = write_sweep(tmp_path, GRID)
    out = str(tmp_path / "out")
    assert sweep_cli([str(sweep), "--out", out, "--workers", "1"], capsys)[0] == 0
    sweep.write_text("# only a comment is new\n" + sweep.read_text(), encoding="utf-8")
    code, stdout, _ = sweep_cli([str(sweep), "--out", out, "--workers", "1"], capsys)
    assert code == 0 and stdout.strip().splitlines()[-1] == "ok 0, error 0, skipped 12"
    sweep.write_text(sweep.read_text().replace("[1.0, 3.0]", "[1.0, 4.0]"), encoding="utf-8")
    code, _, err = sweep_cli([str(sweep), "--out", out, "--workers", "1"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and re.search(r"holds results of another sweep .*changed: parameters.*--force", lines[0])
    code, stdout, _ = sweep_cli([str(sweep), "--out", out, "--workers", "1", "--force"], capsys)
    assert code == 0 and stdout.strip().splitlines()[-1] == "ok 12, error 0, skipped 0"
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert set(runs["output.kol_posts_per_day"]) == {1.0, 4.0} and len(runs) == 12


class KilledWorker(Exception):  # noqa: N818 (the runner knows distributed's KilledWorker by this name)
    """Stands for distributed's KilledWorker: the scheduler gave up after workers died running the task."""


class FlakyExecutor(cf.Executor):
    """Runs jobs inline; the run_ids in `killers` come back as KilledWorker, in `lost` as cancelled futures."""

    def __init__(self, killers: set[str] = frozenset(), lost: set[str] = frozenset()) -> None:
        self.killers, self.lost = killers, lost

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:  # type: ignore[override]
        future: cf.Future = cf.Future()
        job = args[0]
        if job.run_id in self.lost:
            future.cancel()
            future.set_running_or_notify_cancel()  # what an executor does with a future it drops
        elif job.run_id in self.killers:
            future.set_exception(KilledWorker(f"Attempted to run task {job.run_id} on 4 workers"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future


def test_any_executor_works_and_executor_failures_are_told_apart(tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, GRID))
    jobs = sweep_jobs(sweep)
    with ThreadPoolExecutor(2) as pool, open_sweep_store(sweep, tmp_path / "threads") as store:
        assert run_jobs(jobs, store, pool).ok == 12
    run_sweep(sweep, tmp_path / "clean")
    pd.testing.assert_frame_equal(stored(tmp_path / "threads")[0], stored(tmp_path / "clean")[0])

    with open_sweep_store(sweep, tmp_path / "flaky") as store:
        tally = run_jobs(jobs, store, FlakyExecutor(killers={"p00001-r001"}))
    assert (tally.ok, tally.error) == (11, 1)  # a run that kills its workers is the run's fault: stored as error
    runs = pd.read_parquet(tmp_path / "flaky" / "runs.parquet").set_index("run_id")
    assert runs.loc["p00001-r001", "error"].startswith("KilledWorker: the run killed its worker process")

    with open_sweep_store(sweep, tmp_path / "lost") as store:
        with pytest.raises(BackendLostError):  # losing the executor is not: those runs are left for the next call
            run_jobs(jobs, store, FlakyExecutor(lost={"p00004-r000"}))
        kept = len(store)
        assert "p00004-r000" not in store.committed_ids and kept >= 8  # what finished before stays
    assert run_sweep(sweep, tmp_path / "lost").line() == f"ok {12 - kept}, error 0, skipped {kept}"
    pd.testing.assert_frame_equal(stored(tmp_path / "lost")[0], stored(tmp_path / "clean")[0])
