"""The layout of a directory of stored runs, shared by its writer and its readers.

`sim.experiments.store.RunStore` writes such a directory; `sim.report` (the comparison
report) and `sim.experiments.analysis` read it. Both sides take the file names, the
run statuses and the reading of the manifest from here, so the reports need nothing
from `sim.experiments` to read results:

    store.json          the manifest: a fingerprint of the job list and its description (`meta`)
    runs.parquet        one row per committed run: run_id, labels, seed, status, wall time, error, KPIs
    metrics/part-*.parquet   the daily series of committed runs: run_id, day, daily columns
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["ERROR", "MANIFEST_FILE", "METRICS_DIR", "OK", "RUNS_FILE", "StoreDamaged", "read_manifest"]

RUNS_FILE = "runs.parquet"
METRICS_DIR = "metrics"
MANIFEST_FILE = "store.json"

OK = "ok"
"""Status of a run that finished; the statistics use only these."""
ERROR = "error"
"""Status of a run that raised; its row keeps the error message."""


class StoreDamaged(ValueError):  # noqa: N818 - named for what the user finds
    """store.json or runs.parquet cannot be read: one line saying which and how to recover.

    Nothing is deleted when this is raised: the files stay as they are for the user to
    restore, and `--force` starts the directory over.
    """

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        super().__init__(
            f"{path}: {problem}; restore it from a copy and run the same command again to resume, "
            "or add --force to start this directory over (discards its stored runs)"
        )


def read_manifest(directory: str | Path) -> dict[str, Any] | None:
    """Read the store's manifest (fingerprint and description); None if `directory` holds no store.

    Raises StoreDamaged if store.json is not the JSON object a store writes.
    """
    path = Path(directory) / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreDamaged(path, f"damaged, not readable JSON ({exc.__class__.__name__}: {exc})") from None
    except OSError as exc:
        raise StoreDamaged(path, f"cannot be read ({exc.strerror or exc})") from None
    if not isinstance(manifest, dict) or "fingerprint" not in manifest:
        raise StoreDamaged(path, "damaged, not a store manifest (no fingerprint)")
    return manifest
