"""Imported networks: an edge list of person ids and an optional per-person attribute file.

Both files are CSV or Parquet (by suffix). Person ids are people-table rows
``0..potential_pool-1``. Bad data stops with a `NetworkDataError` whose one-line message
names the file, the data row (1-based, header excluded) and the column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.network.graph import SocialGraph

EDGE_COLUMNS = ("source", "target")
#: per-person traits an attribute file may give, with their allowed (closed) ranges
ATTRIBUTE_RANGES: dict[str, tuple[float, float]] = {
    "interest": (0.0, 1.0),
    "propensity": (0.0, np.inf),
    "patience": (0.0, np.inf),
    "wtp": (0.0, np.inf),
}


class NetworkDataError(ValueError):
    """Bad network input: the message is one line naming the file, row and column."""

    def __init__(self, path: str | Path, problem: str, row: int | None = None, column: str | None = None) -> None:
        self.path, self.row, self.column, self.problem = str(path), row, column, problem
        self.key: str | None = None
        """The scenario key that named the file (set by `sim.network.sources`)."""
        where = [self.path]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(", ".join(where) + ": " + problem)


def _read_table(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise NetworkDataError(path, f"unsupported file type {suffix or '(none)'!r}; use .csv or .parquet")
    if not path.is_file():
        raise NetworkDataError(path, "file not found")
    try:
        if suffix == ".csv":
            return pd.read_csv(path, skipinitialspace=True)
        return pd.read_parquet(path)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NetworkDataError(path, f"cannot be read: {first}") from exc


def _show(value: object) -> str:
    """Show a cell as the user wrote it: text quoted, numbers plain, blanks as 'empty'."""
    if isinstance(value, str):
        return repr(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "empty"
    return str(value.item() if isinstance(value, np.generic) else value)


def _require(path: str | Path, frame: pd.DataFrame, columns: tuple[str, ...], allowed: str) -> None:
    for col in columns:
        if col not in frame.columns:
            found = ", ".join(map(str, frame.columns)) or "none"
            raise NetworkDataError(path, f"missing column {col!r} (expected {allowed}; found {found})")


def _integer_ids(path: str | Path, frame: pd.DataFrame, column: str, pool: int) -> npt.NDArray[np.int64]:
    """Return the column as int64 person ids, each checked to be an integer inside the pool."""
    raw = frame[column]
    numeric = pd.to_numeric(raw, errors="coerce")
    values = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values) | (values != np.round(values))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise NetworkDataError(path, f"person id {_show(raw.iloc[i])} is not an integer", row=i + 1, column=column)
    ids = values.astype(np.int64)
    outside = (ids < 0) | (ids >= pool)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        if ids[i] < 0:
            problem = f"unknown person id {ids[i]}: ids are people-table rows 0..{pool - 1}"
        else:
            problem = (
                f"person id {ids[i]} is outside the pool 0..{pool - 1} (population.potential_pool = {pool}); "
                f"the file's largest id is {int(ids.max())}, so set population.potential_pool to at least "
                f"{int(ids.max()) + 1} or renumber the ids"
            )
        raise NetworkDataError(path, problem, row=i + 1, column=column)
    return ids


def read_edge_list(path: str | Path, pool: int) -> SocialGraph:
    """Read ties ``source,target[,weight]`` between person ids into a `SocialGraph` of `pool` people.

    A tie listed twice (in either direction) is kept once (with its largest weight);
    self loops, non-integer or unknown ids and non-positive weights are errors.
    """
    frame = _read_table(path)
    _require(path, frame, EDGE_COLUMNS, "source,target[,weight]")
    extra = [c for c in frame.columns if c not in (*EDGE_COLUMNS, "weight")]
    if extra:
        raise NetworkDataError(path, f"unknown column {extra[0]!r} (allowed: source, target, weight)")
    u = _integer_ids(path, frame, "source", pool)
    v = _integer_ids(path, frame, "target", pool)
    loops = u == v
    if loops.any():
        i = int(np.flatnonzero(loops)[0])
        raise NetworkDataError(path, f"self loop: person {u[i]} is listed as their own friend", row=i + 1)
    weights = None
    if "weight" in frame.columns:
        weights = pd.to_numeric(frame["weight"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(weights) | (weights <= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise NetworkDataError(
                path, f"weight {_show(frame['weight'].iloc[i])} must be a number > 0", row=i + 1, column="weight"
            )
    return SocialGraph.from_edges(pool, u, v, weights)


def write_edge_list(graph: SocialGraph, path: str | Path) -> None:
    """Write the graph's ties once each as ``source,target[,weight]`` (CSV or Parquet by suffix)."""
    u, v = graph.edges()
    frame = pd.DataFrame({"source": u, "target": v})
    if graph.weights is not None:
        rows = graph.rows()
        frame["weight"] = graph.weights[rows < graph.indices]
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def read_attributes(path: str | Path, pool: int) -> dict[str, npt.NDArray[np.float64]]:
    """Read per-person traits (`id` plus any of `ATTRIBUTE_RANGES`) as full-pool arrays, NaN where not given."""
    frame = _read_table(path)
    allowed = ", ".join(ATTRIBUTE_RANGES)
    _require(path, frame, ("id",), f"id plus any of {allowed}")
    unknown = [c for c in frame.columns if c != "id" and c not in ATTRIBUTE_RANGES]
    if unknown:
        raise NetworkDataError(path, f"unknown column {unknown[0]!r} (allowed: id, {allowed})")
    ids = _integer_ids(path, frame, "id", pool)
    order = np.argsort(ids, kind="stable")
    repeat = np.flatnonzero(ids[order][1:] == ids[order][:-1])
    if len(repeat):
        i = int(order[repeat[0] + 1])
        raise NetworkDataError(path, f"person id {ids[i]} is listed twice", row=i + 1, column="id")
    out: dict[str, npt.NDArray[np.float64]] = {}
    for col in frame.columns:
        if col == "id":
            continue
        lo, hi = ATTRIBUTE_RANGES[col]
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(values) | (values < lo) | (values > hi)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            span = f"{lo:g}..{hi:g}" if np.isfinite(hi) else f">= {lo:g}"
            raise NetworkDataError(
                path, f"{_show(frame[col].iloc[i])} is not a number in {span}", row=i + 1, column=col
            )
        full = np.full(pool, np.nan)
        full[ids] = values
        out[col] = full
    return out
