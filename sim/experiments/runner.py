"""Running a list of jobs into a store: in-process, on a local Dask cluster, or on an existing one.

`run_jobs(jobs, store, backend)` is the machinery every batch of runs goes through (a
sweep, a comparison of scenarios with common random numbers, ...). It skips the
run_ids the store already holds, keeps a bounded number of runs in flight on the
backend, and commits each batch of finished runs to the store as soon as it comes
back, so an interrupted call loses only the runs that were in flight and the same call
again does only the rest.

Backends (`open_backend`) wrap a `concurrent.futures.Executor`:
- `InProcess`: runs each job when it is submitted, in this process (debugging, `--workers 1`);
- `DaskBackend` on a `distributed.LocalCluster` of N single-threaded worker processes;
- `DaskBackend` on an existing Dask scheduler (`tcp://host:port`); its workers need
  community-sim installed and the scenario files at the same absolute paths.
Any other executor (e.g. `ProcessPoolExecutor`) can be passed to `run_jobs` as is.

Failures. A run that raises is a result with status "error" (see `run_job`), stored
like any other. A worker process that dies mid-run (crash, OOM kill, lost machine) is
noticed by the Dask scheduler, which runs the task again elsewhere, up to
`distributed.scheduler.allowed-failures` times (default 3); a run that kills that many
workers is stored as an error ("KilledWorker"). `retries` on each task re-runs a task
whose function raised out of the worker, which `run_job` never does by itself. Losing
the scheduler or the executor stops the call with `BackendLostError`: the runs that had
finished are committed first, and the rest run on the next call.

Testing hook: with the environment variable `COMMUNITY_SIM_TEST_KILL_AFTER=N`, the
process kills itself with SIGKILL right after it has committed N runs, as a kill -9
would; the tests use it to check that an interrupted sweep resumes exactly.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, Self

from sim.experiments.job import ERROR, OK, Job, RunResult, run_job
from sim.experiments.store import RunStore

__all__ = [
    "Backend",
    "BackendLostError",
    "DaskBackend",
    "InProcess",
    "Progress",
    "Tally",
    "default_workers",
    "open_backend",
    "run_jobs",
]

KILL_AFTER_ENV = "COMMUNITY_SIM_TEST_KILL_AFTER"
DEFAULT_RETRIES = 2


@dataclass
class Tally:
    """How a call of `run_jobs` went: runs ok, runs in error, runs skipped (already stored)."""

    ok: int = 0
    error: int = 0
    skipped: int = 0
    total: int = 0
    first_error: str | None = None

    @property
    def done(self) -> int:
        """Runs finished so far (ok or error)."""
        return self.ok + self.error

    def add(self, result: RunResult) -> None:
        """Count one finished run."""
        if result.status == OK:
            self.ok += 1
        else:
            self.error += 1
            if self.first_error is None:
                self.first_error = f"{result.run_id}: {result.error}"

    def line(self) -> str:
        """Return the closing line of a sweep, e.g. `ok 40, error 0, skipped 8`."""
        return f"ok {self.ok}, error {self.error}, skipped {self.skipped}"


class BackendLostError(RuntimeError):
    """The executor or the Dask scheduler went away mid-call; what was committed stays stored."""


class Progress(Protocol):
    """Receives the progress of `run_jobs` (see `sim.experiments.progress.RichProgress`)."""

    def start(self, total: int, skipped: int) -> None:
        """Begin: `total` runs, `skipped` of them already stored (once, before the first run)."""

    def advance(self, tally: Tally) -> None:
        """Show the tally after each stored batch."""

    def finish(self, tally: Tally) -> None:
        """Show the final tally (once, at the end)."""


# ---------------------------------------------------------------- backends


class InlineExecutor(cf.Executor):
    """A `concurrent.futures.Executor` that runs each call in `submit`, in this process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:  # type: ignore[override]
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - delivered through the future, as executors do
            future.set_exception(exc)  # (KeyboardInterrupt and SystemExit propagate at once)
        return future


class Backend:
    """An executor and how many jobs to keep in flight on it."""

    executor: cf.Executor
    description: str = ""

    def capacity(self) -> int:
        """Jobs to keep submitted at once: enough to keep every worker busy, few enough to lose little."""
        return 1

    def close(self) -> None:
        """Release the executor's resources."""

    def __enter__(self) -> Self:
        """Use the backend in a `with` block that closes it."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the backend, whether the block succeeded or raised."""
        self.close()


class InProcess(Backend):
    """Run jobs one at a time in this process (for debugging; no Dask needed)."""

    def __init__(self) -> None:
        self.executor = InlineExecutor()
        self.description = "in this process"


class ExecutorBackend(Backend):
    """Any `concurrent.futures.Executor` (a ProcessPoolExecutor, say), with `workers` busy at once."""

    def __init__(self, executor: cf.Executor, workers: int | None = None) -> None:
        self.executor = executor
        self.workers = workers or getattr(executor, "_max_workers", None) or default_workers()
        self.description = f"on {type(executor).__name__} ({self.workers} workers)"

    def capacity(self) -> int:
        """How many runs to keep in flight."""
        return 2 * self.workers


class DaskBackend(Backend):
    """A Dask cluster, through its client's `concurrent.futures` executor.

    Keeps two jobs in flight per worker thread, so no worker waits for the next job
    while the main process stores results; the thread count is re-read now and then,
    so a cluster that grows is used as it grows.
    """

    def __init__(self, client: Any, cluster: Any = None, retries: int = DEFAULT_RETRIES, description: str = "") -> None:
        self.client, self.cluster = client, cluster
        self.executor = client.get_executor(retries=retries, pure=False)
        self.description = description or f"on the Dask scheduler at {client.scheduler.address}"
        self._threads, self._checked = 0, 0.0

    def capacity(self) -> int:
        """How many runs to keep in flight."""
        now = time.monotonic()
        if now - self._checked > 10.0:
            with contextlib.suppress(Exception):  # keep the last count if the scheduler is slow to answer
                self._threads = sum(self.client.nthreads().values())
            self._checked = now
        return max(2, 2 * self._threads)

    def close(self) -> None:
        """Release the backend's resources."""
        # Closing is our decision: what Dask logs while it closes (say, failed reconnects to a
        # scheduler that is gone) is noise, and the caller has already said what went wrong.
        quiet = logging.getLogger("distributed")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)
        try:
            with contextlib.suppress(Exception):
                self.client.close()
            if self.cluster is not None:
                with contextlib.suppress(Exception):
                    self.cluster.close()
        finally:
            quiet.setLevel(level)


def default_workers() -> int:
    """Workers of the default local cluster: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,  # the dashboard's statistical profiler
    "distributed.admin.tick.interval": "1s",  # event-loop health check (default 20 ms)
    "distributed.worker.memory.monitor-interval": "1s",  # default 100 ms
    "distributed.admin.system-monitor.interval": "2s",  # default 500 ms
}
"""Dask settings of the local cluster: less housekeeping, more simulation."""


def local_cluster(workers: int, retries: int = DEFAULT_RETRIES) -> DaskBackend:
    """Start a `distributed.LocalCluster` of `workers` single-threaded worker processes on this machine.

    Its HTTP server (dashboard, health checks) takes a free port on 127.0.0.1, so two
    sweeps at once, or another Dask cluster on 8787, do not clash. The workers' own
    housekeeping is made rarer (`QUIET_WORKERS`): with one model run per core, a
    profiler sampling every 10 ms and 20 ms event-loop ticks took 5-10% of the cores.
    """
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(QUIET_WORKERS):  # the nannies hand this config to the worker processes
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )
    client = Client(cluster)
    _leave_interrupts_to_the_client(client)
    noun = "worker" if workers == 1 else "workers"
    return DaskBackend(client, cluster, retries, description=f"on a local Dask cluster ({workers} {noun})")


def _leave_interrupts_to_the_client(client: Any) -> None:
    """Make the local workers ignore SIGINT, now and after a restart.

    Ctrl-C in a terminal reaches the whole process group: the workers would die with
    tracebacks while this process stores what has finished, says how to resume and
    closes the cluster, which stops them anyway.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class IgnoreInterrupt(WorkerPlugin):
        name = "community-sim-ignore-sigint"

        def setup(self, worker: Any) -> None:
            with contextlib.suppress(ValueError):  # not in the main thread: leave it
                signal.signal(signal.SIGINT, signal.SIG_IGN)

    client.register_plugin(IgnoreInterrupt())


def connect(address: str, retries: int = DEFAULT_RETRIES, timeout: float = 10.0) -> DaskBackend:
    """Connect to an existing Dask scheduler; raise OSError (one line) if it cannot be reached."""
    from distributed import Client

    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise OSError(f"cannot connect to the Dask scheduler at {address}: {message}") from None
    return DaskBackend(client, None, retries, description=f"on the Dask cluster at {address}")


def open_backend(workers: int | None = None, scheduler: str | None = None, retries: int = DEFAULT_RETRIES) -> Backend:
    """Choose the backend for `--workers N` / `--scheduler ADDRESS`.

    A scheduler address wins; else 1 worker runs in this process, and N > 1 (default:
    the number of cores) start a local Dask cluster. Close it (or use `with`) when done.
    """
    if scheduler:
        return connect(scheduler, retries)
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if workers == 1:
        return InProcess()
    return local_cluster(workers, retries)


# ---------------------------------------------------------------- running


def run_jobs(
    jobs: Iterable[Job],
    store: RunStore,
    backend: Backend | cf.Executor | None = None,
    *,
    progress: Progress | None = None,
    run: Callable[[Job], RunResult] = run_job,
    compact: bool = True,
) -> Tally:
    """Run every job whose run_id the store does not hold yet, committing results as they finish.

    `run` is the top-level function shipped to workers (`run_job`, or a wrapper of it).
    At the end (`compact`), small metrics parts are merged and runs.parquet is put in
    run_id order. Returns the tally of this call; the runs already stored count as skipped.
    """
    jobs = list(jobs)
    seen: set[str] = set()
    for job in jobs:
        if job.run_id in seen:
            raise ValueError(f"run_id {job.run_id!r} appears twice in the job list")
        seen.add(job.run_id)
    stored = store.committed_ids
    todo = [job for job in jobs if job.run_id not in stored]
    tally = Tally(skipped=len(jobs) - len(todo), total=len(jobs))
    if backend is None:
        backend = InProcess()
    elif isinstance(backend, cf.Executor):
        backend = ExecutorBackend(backend)
    kill_after = _kill_after()

    if progress is not None:
        progress.start(len(todo), tally.skipped)
    queue: Iterator[Job] = iter(todo)
    in_flight: dict[cf.Future, Job] = {}
    committed = 0
    try:
        _top_up(backend, queue, in_flight, run)
        while in_flight:
            done, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
            results, lost = [], None
            for future in done:
                job = in_flight.pop(future)
                try:
                    results.append((job, _outcome(job, future)))
                except BackendLostError as exc:
                    lost = lost or exc
            store.commit(results)  # the results are safe from here on
            for _, result in results:
                tally.add(result)
            committed += len(results)
            if kill_after is not None and committed >= kill_after:
                _kill_self()
            if progress is not None:
                progress.advance(tally)
            if lost is not None:
                raise lost
            _top_up(backend, queue, in_flight, run)
    finally:
        for future in in_flight:
            future.cancel()
        if progress is not None:
            progress.finish(tally)
    if compact:
        store.compact_metrics()
        store.sort_runs()
    return tally


def _top_up(backend: Backend, queue: Iterator[Job], in_flight: dict[cf.Future, Job], run: Callable) -> None:
    """Submit jobs until `capacity` are in flight (the in-process backend runs each as it is submitted)."""
    capacity = backend.capacity()
    while len(in_flight) < capacity:
        job = next(queue, None)
        if job is None:
            return
        in_flight[backend.executor.submit(run, job)] = job
        if isinstance(backend, InProcess):
            return  # run and commit one at a time: a kill loses at most the run under way


def _outcome(job: Job, future: cf.Future) -> RunResult:
    """Return the future's result; a run that raised or killed its workers becomes an error result.

    Infrastructure failures (the executor or scheduler is gone, the future was
    cancelled) are raised: those runs are not the runs' fault and run again on resume.
    """
    try:
        return future.result()
    except (cf.CancelledError, cf.BrokenExecutor, OSError) as exc:
        what = " ".join(str(exc).split())
        raise BackendLostError(f"the executor stopped ({type(exc).__name__}{': ' + what if what else ''})") from exc
    except Exception as exc:  # noqa: BLE001
        if type(exc).__name__ == "KilledWorker":
            message = f"KilledWorker: the run killed its worker process on every try ({exc})"
        else:
            message = f"{type(exc).__name__}: {exc}"
        return RunResult(job.run_id, ERROR, float("nan"), error=" ".join(message.split()))


def _kill_after() -> int | None:
    value = os.environ.get(KILL_AFTER_ENV)
    return int(value) if value else None


def _kill_self() -> None:  # pragma: no cover - the process ends here
    """Die as a kill -9 would: no cleanup, no flushing, no finally blocks."""
    sig = getattr(signal, "SIGKILL", None)
    if sig is not None:
        os.kill(os.getpid(), sig)
    os._exit(137)
