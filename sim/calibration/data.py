"""An operator's daily export as observations the model can be fitted to.

The format (CSV, UTF-8, comma-separated, one header row):

- `date` (required): the day, `YYYY-MM-DD`; one row per day (per group), no gaps.
- `group` (optional): the group's name or id; with it, each row is one group on one day and
  the fit matches the community's totals (groups summed by date).
- any of the observables in `OBSERVABLES` (at least one): counts are integers >= 0,
  `revenue` a number >= 0.

The first date is model day 1: the base scenario's founding members
(`population.initial_members`) should be the community on the day before it.

Rows are numbered as lines of the file (the header is row 1), as a spreadsheet shows them.
Bad files raise `DataError`, whose message is one line naming the file, row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DATE",
    "GROUP",
    "MIN_DAYS",
    "OBSERVABLES",
    "DataError",
    "Observations",
    "example_file",
    "frame_for_csv",
    "load_observations",
    "model_observables",
    "observations_from_frame",
    "simulate_observations",
]

DATE = "date"
GROUP = "group"
MIN_DAYS = 14
"""Fewest days a fit accepts: two weeks give a level and a trend, hardly more."""
MAX_DAYS = 36500
MAX_FILE_BYTES = 50_000_000

OBSERVABLES: dict[str, str] = {
    "members": "members on the day (new + active + dormant), counted at the end of the day",
    "joins": "people who joined that day",
    "joins_channel": "joins from public channels (ads, platforms, official accounts)",
    "joins_referral": "joins by referral (invited by a member, fission)",
    "joins_organic": "joins on their own (word of mouth outside the groups)",
    "leaves": "members who left that day, removed (kicked) ones included",
    "active": "engaged members: not dormant (new members and those past onboarding who still take part)",
    "messages": "every message posted that day: members' chat, KOL and admin content, ads",
    "ad_messages": "ad messages posted that day",
    "revenue": "fees and product sales that day, currency",
}
"""The observables of the CSV format and what each counts (the model's columns: `model_observables`)."""

MONEY = ("revenue",)
JOIN_SOURCES = ("joins_channel", "joins_referral", "joins_organic")


class DataError(ValueError):
    """A bad data file: one line naming the file, the row and the column."""

    def __init__(self, source: str | Path, problem: str, row: int | None = None, column: str | None = None) -> None:
        self.source, self.row, self.column, self.problem = str(source), row, column, problem
        where = [self.source]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(" ".join(f"{': '.join(where)}: {problem}".split()))


@dataclass(frozen=True)
class Observations:
    """An operator's daily series, validated: community totals by model day, and the per-group rows if any."""

    source: str
    start: dt.date
    daily: pd.DataFrame
    """One row per day, `day` = 1, 2, ... and one column per observable present (community totals)."""
    groups: tuple[str, ...] = ()
    by_group: pd.DataFrame | None = None
    """The rows as read (`date`, `group`, observables), when the file has a group column."""

    @property
    def days(self) -> int:
        """Number of days observed."""
        return len(self.daily)

    @property
    def observables(self) -> list[str]:
        """The observables present, in the order of `OBSERVABLES`."""
        return [c for c in OBSERVABLES if c in self.daily.columns]


def example_file(name: str = "community") -> Path:
    """Return the path of a packaged example export: "community" (one community) or "groups" (per group)."""
    files = {"community": "example_community.csv", "groups": "example_groups.csv"}
    if name not in files:
        raise KeyError(f"unknown example {name!r}; allowed: {', '.join(files)}")
    return Path(str(resources.files("sim.calibration").joinpath("data", files[name])))


def load_observations(path: str | Path) -> Observations:
    """Read and validate an operator's daily CSV export; raises `DataError` (one line) if it is bad."""
    path = Path(path)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(path, "empty file; the first row names the columns (date and observables)") from None
    except csv.Error as exc:
        raise DataError(path, f"not a readable CSV file ({exc})", row=1) from None
    columns = _check_header(path, header)
    records: list[list[str]] = []
    lines: list[int] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank lines (a trailing newline, a spreadsheet's empty rows)
            if len(cells) != len(columns):
                raise DataError(
                    path, f"has {len(cells)} cells but the header names {len(columns)} columns", row=reader.line_num
                )
            records.append(cells)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataError(path, f"not a readable CSV file ({exc})", row=reader.line_num + 1) from None
    if not records:
        raise DataError(path, "has a header but no rows of data")
    table: dict[str, list[Any]] = {name: [] for name in columns}
    for cells, line in zip(records, lines, strict=True):
        for name, cell in zip(columns, cells, strict=True):
            table[name].append(_cell(path, line, name, cell.strip()))
    frame = pd.DataFrame(table)
    frame["_row"] = lines
    return _validate(path, frame)


def observations_from_frame(frame: pd.DataFrame, source: str = "<frame>") -> Observations:
    """Validate a DataFrame in the CSV format (a `date` column, optional `group`, observables)."""
    columns = _check_header(Path(source), [str(c) for c in frame.columns])
    data: dict[str, list[Any]] = {}
    for name in columns:
        if name == DATE:
            data[name] = [_date(Path(source), i + 2, str(v)) for i, v in enumerate(frame[name])]
        elif name == GROUP:
            data[name] = [str(v) for v in frame[name]]
        else:
            data[name] = [_number(Path(source), i + 2, name, str(v)) for i, v in enumerate(frame[name])]
    out = pd.DataFrame(data)
    out["_row"] = np.arange(len(out)) + 2
    return _validate(Path(source), out)


def model_observables(metrics: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """Return the model's daily metrics as the CSV's observables (one column each, by day).

    The mapping: members = members; joins = joined (and joins_<source> = joined_<source>);
    leaves = left_today + kicked_today; active = new + active (not dormant); messages =
    member messages + content posts + ad messages; ad_messages = ad_messages; revenue = revenue.
    """
    m = metrics
    series = {
        "members": m["members"],
        "joins": m["joined"],
        "joins_channel": m["joined_channel"],
        "joins_referral": m["joined_referral"],
        "joins_organic": m["joined_organic"],
        "leaves": m["left_today"] + m["kicked_today"],
        "active": m["new"] + m["active"],
        "messages": m["messages"] + m["content_posts"] + m["ad_messages"],
        "ad_messages": m["ad_messages"],
        "revenue": m["revenue"],
    }
    wanted = list(OBSERVABLES) if names is None else names
    out = pd.DataFrame({name: series[name].to_numpy(dtype=float) for name in wanted})
    out.insert(0, "day", m["day"].to_numpy())
    return out


# ---------------------------------------------------------------- reading


def _read_text(path: Path) -> str:
    if path.is_dir():
        raise DataError(path, "is a directory, not a data file (a .csv file)")
    if not path.is_file():
        raise DataError(path, "data file not found")
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DataError(path, f"cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise DataError(path, f"larger than {MAX_FILE_BYTES // 1_000_000} MB; a daily export is far smaller")
    if b"\0" in raw:
        raise DataError(path, "is a binary file (a spreadsheet?); export it as CSV (UTF-8)")
    try:
        return raw.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(path, "is not UTF-8 text; export it as CSV UTF-8", row=line) from None


def _check_header(path: Path, header: list[str]) -> list[str]:
    columns = [h.strip() for h in header]
    allowed = [DATE, GROUP, *OBSERVABLES]
    for name in columns:
        if not name:
            raise DataError(path, "a column has no name; every header cell names a column", row=1)
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.7)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise DataError(path, f"unknown column; {hint}allowed columns: {', '.join(allowed)}", row=1, column=name)
    for i, name in enumerate(columns):
        if name in columns[:i]:
            raise DataError(path, "appears twice in the header", row=1, column=name)
    if DATE not in columns:
        raise DataError(path, "no date column; the first column should be `date` (YYYY-MM-DD)", row=1)
    if not any(c in OBSERVABLES for c in columns):
        raise DataError(path, f"no observable column; give at least one of {', '.join(OBSERVABLES)}", row=1)
    return columns


def _cell(path: Path, line: int, column: str, cell: str) -> Any:
    if column == DATE:
        return _date(path, line, cell)
    if column == GROUP:
        if not cell:
            raise DataError(path, "empty group; name the group of every row", row=line, column=column)
        return cell
    return _number(path, line, column, cell)


def _date(path: Path, line: int, cell: str) -> dt.date:
    text = cell.strip()
    if len(text) > 10 and text[10] in " T":  # a timestamp at midnight, as some exports write dates
        text = text[:10]
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else dt.date.fromisoformat("")
    except ValueError:
        raise DataError(
            path, f"'{cell}' is not a date; write YYYY-MM-DD, e.g. 2025-03-01", row=line, column=DATE
        ) from None


def _number(path: Path, line: int, column: str, cell: str) -> float:
    if not cell or cell.lower() in ("nan", "none", "null", "na"):
        raise DataError(
            path,
            "empty value; every row needs a value in every observable column (drop columns you lack)",
            line,
            column,
        )
    try:
        value = float(cell.replace("_", "x"))
    except ValueError:
        raise DataError(path, f"'{cell}' is not a number", row=line, column=column) from None
    if not math.isfinite(value):
        raise DataError(path, f"'{cell}' is not a finite number", row=line, column=column)
    if value < 0:
        what = "an amount of money" if column in MONEY else "a count"
        raise DataError(path, f"{cell} is negative; {what} is >= 0", row=line, column=column)
    if column not in MONEY and not value.is_integer():
        raise DataError(path, f"{cell} is not a whole number; {column} is a count", row=line, column=column)
    return value


# ---------------------------------------------------------------- checking


def _validate(path: Path, frame: pd.DataFrame) -> Observations:
    names = [c for c in OBSERVABLES if c in frame.columns]
    grouped = GROUP in frame.columns
    keys = [GROUP, DATE] if grouped else [DATE]
    frame = frame.sort_values([*keys, "_row"], kind="stable").reset_index(drop=True)
    dup = frame.duplicated(keys, keep="first")
    if dup.any():
        row = frame.loc[dup.idxmax()]
        first = frame.loc[(frame[keys] == row[keys]).all(axis=1), "_row"].iloc[0]
        what = f"date {row[DATE]}" + (f" of group {row[GROUP]}" if grouped else "")
        raise DataError(path, f"{what} appears twice (also row {first})", row=int(row["_row"]), column=DATE)
    for _, part in frame.groupby(GROUP, sort=False) if grouped else [(None, frame)]:
        _check_consecutive(path, part, grouped)
    for _, row in frame.iterrows():
        if "joins" in names and all(s in names for s in JOIN_SOURCES):
            if sum(row[s] for s in JOIN_SOURCES) > row["joins"]:
                raise DataError(path, "joins by source add up to more than joins", int(row["_row"]), "joins")
        if "active" in names and "members" in names and row["active"] > row["members"]:
            raise DataError(path, f"active {row['active']:g} > members {row['members']:g}", int(row["_row"]), "active")
    totals = frame.groupby(DATE, sort=True)[names].sum() if grouped else frame.set_index(DATE)[names]
    dates = list(totals.index)
    _check_span(path, dates, frame)
    daily = totals.reset_index(drop=True)
    daily.insert(0, "day", np.arange(1, len(daily) + 1))
    by_group = frame.drop(columns="_row") if grouped else None
    groups = tuple(dict.fromkeys(frame[GROUP])) if grouped else ()
    return Observations(str(path), dates[0], daily, groups, by_group)


def _check_consecutive(path: Path, part: pd.DataFrame, grouped: bool) -> None:
    dates, rows = list(part[DATE]), list(part["_row"])
    for i in range(1, len(dates)):
        prev, date, row = dates[i - 1], dates[i], rows[i]
        if (date - prev).days != 1:
            missing = prev + dt.timedelta(days=1)
            who = f" of group {part[GROUP].iloc[0]}" if grouped else ""
            raise DataError(
                path,
                f"gap in the dates{who}: {missing} is missing (the day after {prev}); give every day",
                row=int(row),
                column=DATE,
            )


def _check_span(path: Path, dates: list[dt.date], frame: pd.DataFrame) -> None:
    for prev, date in zip(dates, dates[1:], strict=False):
        if (date - prev).days != 1:
            row = int(frame.loc[frame[DATE] == date, "_row"].min())
            raise DataError(
                path, f"no group has a row for {prev + dt.timedelta(days=1)}; give every day", row=row, column=DATE
            )
    if len(dates) < MIN_DAYS:
        raise DataError(path, f"only {len(dates)} days; a fit needs at least {MIN_DAYS}")
    if len(dates) > MAX_DAYS:
        raise DataError(path, f"{len(dates)} days; at most {MAX_DAYS} are allowed")


def frame_for_csv(daily: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """Return model observables by day (from `model_observables`) as rows of the CSV format, dated from `start`."""
    out = daily.drop(columns="day").copy()
    for name in out.columns:
        if name not in MONEY:
            out[name] = out[name].round().astype(int)
    out.insert(0, DATE, [(start + dt.timedelta(days=int(d) - 1)).isoformat() for d in daily["day"]])
    return out


def simulate_observations(
    base: str | Path,
    overrides: Mapping[str, Any] | None = None,
    seed: int = 0,
    days: int = 180,
    names: list[str] | None = None,
    start: dt.date = dt.date(2025, 1, 1),
) -> Observations:
    """Run the model once and return its series as an operator's export would give them (synthetic data)."""
    from sim.model import CommunityModel
    from sim.scenario import load_scenario

    model = CommunityModel(load_scenario(base, overrides=dict(overrides or {})), rng=seed, data_system=False).run(days)
    frame = frame_for_csv(model_observables(model.metrics(), names), start)
    return observations_from_frame(frame, f"synthetic (seed {seed})")
