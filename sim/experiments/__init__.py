"""Experiments: the model run as a function, many times, into a Parquet store.

- `design`: sweep files (TOML) and their designs: grid, lhs, sobol, morris;
- `seeds`: the seed tree, so a run's seed depends on its key, not on who runs it;
- `job`: `Job` and `run_job`, the top-level function workers run (scenario + seed in, KPIs + metrics out);
- `store`: `RunStore`, runs.parquet and metrics/ parts (the layout of `sim.results`), committed atomically, resumable;
- `runner`: `run_jobs` and the backends (in-process, local Dask cluster, existing Dask cluster);
- `progress`: a rich progress bar for `run_jobs`;
- `sweep`: a sweep file's points x replicates as jobs (`run_sweep`);
- `compare`: scenarios x replicates with common seeds as jobs (`community-sim compare`; read back
  by `sim.report.compare`);
- `analysis`: DuckDB queries of a store, confidence intervals, main effects, Sobol' and Morris indices.

Only results travel between processes: `run_job` returns KPIs and a DataFrame, never a model.
Heavy dependencies (Dask, DuckDB, SALib, matplotlib) are imported where they are used.
"""

from sim.experiments.design import Sweep, SweepError, load_sweep
from sim.experiments.job import Job, RunResult, run_job
from sim.experiments.runner import Backend, InProcess, Tally, open_backend, run_jobs
from sim.experiments.seeds import root_entropy, run_seed
from sim.experiments.store import RunStore, StoreBusy, StoreMismatch
from sim.experiments.sweep import SweepMismatchError, open_sweep_store, run_sweep, sweep_jobs

__all__ = [
    "Backend",
    "InProcess",
    "Job",
    "RunResult",
    "RunStore",
    "StoreBusy",
    "StoreMismatch",
    "Sweep",
    "SweepError",
    "SweepMismatchError",
    "Tally",
    "load_sweep",
    "open_backend",
    "open_sweep_store",
    "root_entropy",
    "run_job",
    "run_jobs",
    "run_seed",
    "run_sweep",
    "sweep_jobs",
]
