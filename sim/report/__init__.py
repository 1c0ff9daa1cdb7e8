"""Reports: figures and files built from a run's results.

This package sits on top of the model: it reads results (the daily metrics
DataFrame, the KPI dict, a store of runs) and never steps a model itself.
`sim.report.overview` draws the six-panel overview figure of one run.

The comparison of scenarios (`community-sim compare`; running it is
`sim.experiments.compare`, this package only reads its results):
- `compare`: reads a comparison's store back (manifest, runs, daily series);
- `kpi_stats`: each scenario's mean and 90% interval, paired differences from the first;
- `wording`: KPI sentences, from the KPI registry's labels, units and words (`sim.kpis`);
- `scenario_diff`: which settings differ between the scenarios;
- `palette`, `figures`: one colour per scenario, the comparison figures;
- `html`, `compare_report`: the self-contained report.html and kpis.csv.
These modules are imported where they are used, not here. `sim.report` imports
nothing from `sim.experiments` (tests/test_imports.py checks it); `sim.experiments`
imports this package for `atomic_output` and `sim.report.compare`.

`atomic_output` lives here because every writer of results (the CLI, the
figures, later the HTML report and the experiment store) must leave either the
old file or the complete new one, never half a file, even if the process dies
mid-write.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_output"]


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success move it onto `path`.

    The caller writes the whole file to the yielded path (e.g. `df.to_csv(tmp)`,
    `fig.savefig(tmp, format="png")`). When the block ends normally the file is
    flushed to disk and renamed over `path` with `os.replace`, which is atomic
    on the same filesystem (hence the temporary lives in the same directory).
    If the block raises, the temporary is removed and `path` is left untouched.

    The temporary name starts with a dot and ends in `.tmp`, so a leftover from
    a killed process is easy to recognise; it does not keep `path`'s suffix, so
    writers that guess the format from the name must be told it explicitly.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
