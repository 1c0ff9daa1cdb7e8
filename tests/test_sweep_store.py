"""The Parquet store: runs.parquet is the commit point, a run is stored once, leftovers are cleaned."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.experiments import Job, RunResult, RunStore, StoreBusy, StoreMismatch
from sim.experiments.job import ERROR, OK


def job(i: int) -> Job:
    return Job(
        run_id=f"r{i:03d}",
        scenario="base.toml",
        overrides={"entry.fee": i},
        seed=1000 + i,
        days=3,
        labels={"point": i, "entry.fee": i},
    )


def result(i: int, status: str = OK) -> RunResult:
    if status != OK:
        return RunResult(f"r{i:03d}", ERROR, 0.1, error=f"ValueError: run {i} broke")
    metrics = pd.DataFrame({"day": [0, 1, 2], "members": [i, i + 1, i + 2], "mean_satisfaction": [0.5, None, 0.1]})
    return RunResult(f"r{i:03d}", OK, 0.1, kpis={"peak_members": i + 2, "activity_half_life": None}, metrics=metrics)


def read_metrics(directory: Path) -> pd.DataFrame:
    parts = sorted((directory / "metrics").glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.DataFrame()


def test_commit_writes_runs_and_metrics_and_survives_reopening(tmp_path: Path) -> None:
    with RunStore(tmp_path, "fp1") as store:
        assert store.commit([(job(1), result(1)), (job(2), result(2, ERROR))]) == 2
        runs = pd.read_parquet(tmp_path / "runs.parquet")  # valid after each commit
        assert list(runs["run_id"]) == ["r001", "r002"]
        assert store.commit([(job(3), result(3))]) == 1
    runs = pd.read_parquet(tmp_path / "runs.parquet").set_index("run_id")
    assert list(runs.index) == ["r001", "r002", "r003"]
    assert runs.loc["r002", "status"] == ERROR and runs.loc["r002", "error"] == "ValueError: run 2 broke"
    assert runs.loc["r001", "peak_members"] == 3 and pd.isna(runs.loc["r001", "activity_half_life"])
    assert runs.loc["r003", "seed"] == 1003 and runs.loc["r003", "entry.fee"] == 3
    assert pq.read_schema(tmp_path / "runs.parquet").field("peak_members").type == "double"
    metrics = read_metrics(tmp_path)
    assert sorted(set(metrics["run_id"])) == ["r001", "r003"]  # an error run has no daily rows
    assert metrics["mean_satisfaction"].isna().sum() == 2  # NaN is stored as null
    with RunStore(tmp_path, "fp1") as again:
        assert again.committed_ids == {"r001", "r002", "r003"}


def test_a_run_is_stored_once_whatever_the_executor_delivers(tmp_path: Path) -> None:
    with RunStore(tmp_path, "fp") as store:
        store.commit([(job(1), result(1))])
        assert store.commit([(job(1), result(1)), (job(2), result(2)), (job(2), result(2))]) == 1
        assert store.commit([(job(1), result(1))]) == 0
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert runs["run_id"].is_unique and len(runs) == 2
    assert not read_metrics(tmp_path).duplicated(["run_id", "day"]).any()


def test_a_crash_between_metrics_and_runs_leaves_no_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with RunStore(tmp_path, "fp") as store:
        store.commit([(job(1), result(1))])

        def die(table: object) -> None:
            raise KeyboardInterrupt  # the process stops after the metrics part, before the commit point

        monkeypatch.setattr(store, "_write_runs", die)
        with pytest.raises(KeyboardInterrupt):
            store.commit([(job(2), result(2))])
    assert len(list((tmp_path / "metrics").glob("part-*.parquet"))) == 2  # one part is an orphan
    (tmp_path / ".runs.parquet.99.deadbeef.tmp").write_bytes(b"half a file")  # a writer killed mid-write
    monkeypatch.undo()
    with RunStore(tmp_path, "fp") as store:
        assert store.committed_ids == {"r001"}
        assert len(list((tmp_path / "metrics").glob("part-*.parquet"))) == 1
        assert not list(tmp_path.glob(".*.tmp"))
        store.commit([(job(2), result(2))])  # the run is done again
    metrics = read_metrics(tmp_path)
    assert metrics.groupby("run_id").size().to_dict() == {"r001": 3, "r002": 3}


def test_compaction_merges_parts_and_keeps_every_row(tmp_path: Path) -> None:
    with RunStore(tmp_path, "fp") as store:
        for i in range(10):
            store.commit([(job(i), result(i))])
        before = read_metrics(tmp_path).sort_values(["run_id", "day"]).reset_index(drop=True)
        assert len(store.metrics_parts()) == 10
        assert store.compact_metrics(target_rows=12) == 10  # 4 runs of 3 rows per part
        assert len(store.metrics_parts()) == 3
    after = read_metrics(tmp_path).sort_values(["run_id", "day"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert set(runs["metrics_part"]) == {p.name for p in (tmp_path / "metrics").glob("part-*.parquet")}


def test_another_fingerprint_is_refused_unless_forced(tmp_path: Path) -> None:
    with RunStore(tmp_path, "fp-a", {"kind": "test"}) as store:
        store.commit([(job(1), result(1))])
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreMismatch) as info:
        RunStore(tmp_path, "fp-b")
    assert info.value.old["meta"] == {"kind": "test"}
    assert "\n" not in str(info.value)
    with RunStore(tmp_path, "fp-b", force=True) as store:
        assert store.committed_ids == frozenset()
    assert not (tmp_path / "runs.parquet").exists() and (tmp_path / "notes.txt").exists()


def test_runs_without_a_manifest_are_not_adopted(tmp_path: Path) -> None:
    pd.DataFrame({"run_id": ["x"]}).to_parquet(tmp_path / "runs.parquet")
    with pytest.raises(StoreMismatch, match="no store.json"):
        RunStore(tmp_path, "fp")


def test_two_writers_cannot_share_a_store(tmp_path: Path) -> None:
    with RunStore(tmp_path, "fp"), pytest.raises(StoreBusy):
        RunStore(tmp_path, "fp")
    RunStore(tmp_path, "fp").close()  # free again once the first is closed


def test_sorting_puts_runs_in_run_id_order_and_keeps_them(tmp_path: Path) -> None:
    with RunStore(tmp_path, "fp") as store:
        store.commit([(job(3), result(3)), (job(1), result(1, ERROR))])
        store.commit([(job(2), result(2))])
        store.sort_runs()
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert list(runs["run_id"]) == ["r001", "r002", "r003"]
    assert list(runs["status"]) == [ERROR, OK, OK]
