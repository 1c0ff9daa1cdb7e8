"""The Parquet store of runs: the system of record of a sweep, written as runs finish.

A store is a directory laid out as `sim.results` describes (store.json, runs.parquet,
metrics/part-*.parquet); its file names, `read_manifest` and `StoreDamaged` are
re-exported here.

Commit protocol. A batch of finished runs is committed in two steps, each a whole file
written beside its target and renamed over it (`sim.report.atomic_output`):
1. their daily metrics go to a new part file in metrics/;
2. runs.parquet is rewritten with their rows added; each row names its metrics part.
Step 2 is the commit point: a run is stored if and only if runs.parquet has its row.
If the process dies between the steps, the new part is referenced by no row; opening
the store deletes such orphans (and stray temporaries), and the runs are done again.
So a run_id is never stored twice, in runs.parquet or in metrics/, and a kill
(Ctrl-C, kill -9, a lost machine) loses only runs that had not been committed.

A store is opened with a fingerprint of the jobs it is for. Opening a directory that
holds another fingerprint raises `StoreMismatch` unless `force=True`, which discards
the old results. A lock file keeps two processes from writing one store at once.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.experiments.job import Job, RunResult
from sim.report import atomic_output
from sim.results import MANIFEST_FILE, METRICS_DIR, OK, RUNS_FILE, StoreDamaged, read_manifest

try:  # POSIX advisory locks; elsewhere the store is simply not locked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "MANIFEST_FILE",
    "METRICS_DIR",
    "RUNS_FILE",
    "RunStore",
    "StoreBusy",
    "StoreDamaged",
    "StoreMismatch",
    "read_manifest",
    "read_runs_table",
]

LOCK_FILE = ".lock"
FORMAT = 1
RUN_COLUMNS = ("run_id", "scenario")
STATUS_COLUMNS = ("seed", "status", "wall_time", "error")
PART_COLUMN = "metrics_part"


class StoreMismatch(ValueError):  # noqa: N818 - public name used by callers
    """The directory holds results of other jobs (another sweep file, or an edited one)."""

    def __init__(self, directory: Path, problem: str, old: Mapping[str, Any] | None) -> None:
        self.directory, self.problem, self.old = directory, problem, old
        super().__init__(f"{directory}: {problem}")


class StoreBusy(RuntimeError):  # noqa: N818 - a state, not a failure of the caller
    """Another process is writing to the store."""


def read_runs_table(path: Path) -> pa.Table:
    """Read runs.parquet; raises StoreDamaged if it is not a Parquet file of runs."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise StoreDamaged(path, f"damaged, not a readable Parquet file ({' '.join(str(exc).split())})") from None
    if "run_id" not in table.column_names:
        raise StoreDamaged(path, "damaged, has no run_id column")
    return table


class RunStore:
    """An open store: what is committed, and `commit` to add finished runs.

    Use as a context manager (or call `close`) to release the lock.
    """

    def __init__(
        self, directory: str | Path, fingerprint: str, meta: Mapping[str, Any] | None = None, *, force: bool = False
    ) -> None:
        self.directory = Path(directory)
        self.fingerprint = fingerprint
        self.meta = dict(meta or {})
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = self._acquire_lock()
        try:
            self._check_identity(force)
            self._runs = self._read_runs(force)
            (self.directory / METRICS_DIR).mkdir(exist_ok=True)
            self._ids: set[str] = set(self._runs.column("run_id").to_pylist()) if self._runs is not None else set()
            self._clean()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ opening
    def _acquire_lock(self) -> Any:
        fh = open(self.directory / LOCK_FILE, "a+")  # noqa: SIM115 - held open while the store is
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                raise StoreBusy(f"{self.directory}: another process is writing to this directory") from None
        return fh

    def _check_identity(self, force: bool) -> None:
        try:
            manifest = read_manifest(self.directory)
        except StoreDamaged:
            if not force:
                raise
            manifest = {}
        has_runs = (self.directory / RUNS_FILE).exists() or any(self._parts_on_disk())
        if manifest is None and has_runs:
            problem = f"holds {RUNS_FILE} or {METRICS_DIR}/ but no {MANIFEST_FILE}"
        elif manifest is not None and manifest.get("fingerprint") != self.fingerprint:
            problem = "holds the results of other runs"
        else:
            problem = None
        if problem is not None:
            if not force:
                raise StoreMismatch(self.directory, problem, manifest)
            self.discard()
            manifest = None
        if manifest is None:
            self._write_manifest()

    def _write_manifest(self) -> None:
        body = {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "meta": self.meta,
        }
        with atomic_output(self.directory / MANIFEST_FILE) as tmp:
            tmp.write_text(json.dumps(body, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")

    def discard(self) -> None:
        """Delete the store's own files (manifest, runs, metrics, analysis); other files stay."""
        for name in (MANIFEST_FILE, RUNS_FILE):
            (self.directory / name).unlink(missing_ok=True)
        for name in (METRICS_DIR, "analysis"):
            shutil.rmtree(self.directory / name, ignore_errors=True)

    def _read_runs(self, force: bool) -> pa.Table | None:
        path = self.directory / RUNS_FILE
        if not path.exists():
            return None
        try:
            table = read_runs_table(path)
        except StoreDamaged:
            if not force:
                raise
            self.discard()
            self._write_manifest()
            return None
        ids = table.column("run_id").to_pylist()
        if len(ids) != len(set(ids)):  # pragma: no cover - the commit protocol prevents it
            raise RuntimeError(f"{path}: a run_id appears twice; the store is damaged")
        return table

    def _parts_on_disk(self) -> Iterator[Path]:
        folder = self.directory / METRICS_DIR
        return folder.glob("part-*.parquet") if folder.is_dir() else iter(())

    def _clean(self) -> None:
        """Delete leftovers of a killed writer: temporaries, and metrics parts no committed run names."""
        for folder in (self.directory, self.directory / METRICS_DIR):
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        referenced = self._referenced_parts()
        for part in self._parts_on_disk():
            if part.name not in referenced:
                part.unlink(missing_ok=True)

    def _referenced_parts(self) -> set[str]:
        if self._runs is None:
            return set()
        return {p for p in self._runs.column(PART_COLUMN).to_pylist() if p}

    def close(self) -> None:
        """Release the lock."""
        lock, self._lock = getattr(self, "_lock", None), None
        if lock is not None:
            lock.close()

    def __enter__(self) -> Self:
        """Use the open store in a with block."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Release the lock at the end of the with block."""
        self.close()

    # ------------------------------------------------------------ reading
    @property
    def committed_ids(self) -> frozenset[str]:
        """run_ids already stored."""
        return frozenset(self._ids)

    def __len__(self) -> int:
        """Count the committed runs."""
        return len(self._ids)

    def runs(self) -> pd.DataFrame:
        """Return the committed runs, one row each (as runs.parquet)."""
        return self._runs.to_pandas() if self._runs is not None else pd.DataFrame()

    def metrics_parts(self) -> list[Path]:
        """Return the metrics part files of committed runs."""
        return sorted(self.directory / METRICS_DIR / name for name in self._referenced_parts())

    # ------------------------------------------------------------ writing
    def commit(self, batch: Iterable[tuple[Job, RunResult]]) -> int:
        """Store finished runs (metrics part first, then runs.parquet); return how many were new.

        Runs already stored, and repeats within the batch, are ignored, so a run_id is
        stored at most once whatever the executor delivers.
        """
        fresh: list[tuple[Job, RunResult]] = []
        seen: set[str] = set()
        for job, result in batch:
            if result.run_id != job.run_id:
                raise ValueError(f"result {result.run_id!r} does not belong to job {job.run_id!r}")
            if job.run_id not in self._ids and job.run_id not in seen:
                seen.add(job.run_id)
                fresh.append((job, result))
        if not fresh:
            return 0
        part = self._write_metrics(r for _, r in fresh)
        rows = [_run_row(job, result, part if _has_metrics(result) else None) for job, result in fresh]
        table = _table(rows, floats={name for _, result in fresh for name in result.kpis})
        merged = table if self._runs is None else pa.concat_tables([self._runs, table], promote_options="permissive")
        if merged.column(0).num_chunks > 64:  # one chunk per commit would slow every later write
            merged = merged.combine_chunks()
        self._write_runs(merged)
        self._runs = merged
        self._ids.update(job.run_id for job, _ in fresh)
        return len(fresh)

    def _write_metrics(self, results: Iterable[RunResult]) -> str | None:
        frames = [_metrics_frame(r) for r in results if _has_metrics(r)]
        if not frames:
            return None
        table = pa.concat_tables([_from_pandas(f) for f in frames], promote_options="permissive")
        return self._write_part(table)

    def _write_part(self, table: pa.Table) -> str:
        name = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.parquet"
        with atomic_output(self.directory / METRICS_DIR / name) as tmp:
            pq.write_table(table, tmp)
        return name

    def _write_runs(self, table: pa.Table) -> None:
        with atomic_output(self.directory / RUNS_FILE) as tmp:
            pq.write_table(table, tmp)

    def sort_runs(self) -> None:
        """Rewrite runs.parquet in run_id order (commits append in the order runs finish)."""
        if self._runs is None:
            return
        ids = self._runs.column("run_id").to_pylist()
        if ids == sorted(ids):
            return
        ordered = self._runs.sort_by("run_id").combine_chunks()
        self._write_runs(ordered)
        self._runs = ordered

    def compact_metrics(self, target_rows: int = 250_000) -> int:
        """Merge small metrics parts into parts of about `target_rows` rows; return the parts removed.

        Safe to kill at any point: new parts are written before runs.parquet names them,
        and old parts are deleted only after it no longer does.
        """
        if self._runs is None:
            return 0
        parts = self.metrics_parts()
        groups: list[list[Path]] = [[]]
        rows = 0
        for part in parts:
            n = pq.ParquetFile(part).metadata.num_rows
            if groups[-1] and rows + n > target_rows:
                groups.append([])
                rows = 0
            groups[-1].append(part)
            rows += n
        renames: dict[str, str] = {}
        for group in groups:
            if len(group) < 2:
                continue
            merged = pa.concat_tables([pq.read_table(p) for p in group], promote_options="permissive")
            new = self._write_part(merged)
            renames.update({p.name: new for p in group})
        if not renames:
            return 0
        column = [renames.get(p, p) for p in self._runs.column(PART_COLUMN).to_pylist()]
        index = self._runs.schema.get_field_index(PART_COLUMN)
        table = self._runs.set_column(index, PART_COLUMN, pa.array(column, type=pa.string()))
        self._write_runs(table)
        self._runs = table
        for old in renames:
            (self.directory / METRICS_DIR / old).unlink(missing_ok=True)
        return len(renames)


def _has_metrics(result: RunResult) -> bool:
    return result.status == OK and result.metrics is not None and not result.metrics.empty


def _metrics_frame(result: RunResult) -> pd.DataFrame:
    df = result.metrics.reset_index(drop=True)  # type: ignore[union-attr]
    df.insert(0, "run_id", result.run_id)
    return df


def _from_pandas(df: pd.DataFrame) -> pa.Table:
    """Arrow table without pandas metadata; NaN becomes null (an undefined value)."""
    return pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)


def _run_row(job: Job, result: RunResult, part: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {"run_id": job.run_id, "scenario": job.scenario}
    reserved = {*RUN_COLUMNS, *STATUS_COLUMNS, PART_COLUMN, *result.kpis}
    for name, value in job.labels.items():
        if name in reserved:
            raise ValueError(f"label {name!r} of {job.run_id} clashes with a column of runs.parquet")
        row[name] = value
    row.update(seed=job.seed, status=result.status, wall_time=float(result.wall_time), error=result.error)
    row.update(result.kpis)
    row[PART_COLUMN] = part
    return row


def _table(rows: Sequence[Mapping[str, Any]], floats: set[str]) -> pa.Table:
    """Rows (dicts) as an Arrow table; columns in first-seen order; None and NaN become null.

    The `floats` columns (the KPIs) are always float64, so the schema of runs.parquet
    does not depend on which runs came first (an int KPI, or one undefined so far).
    """
    columns: dict[str, list[Any]] = {}
    for row in rows:
        for name in row:
            columns.setdefault(name, [])
    for row in rows:
        for name, values in columns.items():
            values.append(_scalar(row.get(name)))
    arrays = {}
    for name, values in columns.items():
        kind = pa.string() if name in ("run_id", "scenario", "status", "error", PART_COLUMN) else None
        kind = pa.float64() if name in floats else kind
        arrays[name] = pa.array(values, type=kind, from_pandas=True)
    return pa.table(arrays)


def _scalar(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    return value
