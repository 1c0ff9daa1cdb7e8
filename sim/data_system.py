"""The data system of seed 003 (数据体系), per day, week or month, for the community, per group and per source.

Seed 003 asks operators to track, 日 周 月 (by day, week and month): the four user
groups 潜在、新增、活跃、沉睡 (potential, new, active, dormant); 新粉丝 and 粉丝源 (new
fans and their source); 裂变新增 and 裂变通道 (fission added and its channel); 转化来源
and 转换周期 (conversion source and cycle); and the four rates 新增率、转化率、流失率、
觉醒率 (new rate, conversion rate, churn rate, awakening rate). The seed names them
without formulas; docs/ODD.md §9.6 gives the ones used here:

- new rate = joined / members at the start of the period;
- conversion rate = members who made their first purchase (became customers) /
  (members who were not customers at the start of the period + joined);
- churn rate = (left + kicked) / (members at the start of the period + joined);
- awakening rate = dormant members woken / (dormant at the start of the period +
  members who went dormant during it);
- conversion cycle = mean days from joining to the first purchase, over the
  period's conversions.

A source is how a person came: initial (the founders), channel, referral or
organic; with named acquisition channels (`people.channel`, an index into
`acquisition.channels`) channel arrivals are split by channel name. Fission added
is counted where it came from: by group, the referral joins into the group; by
source, the referral joins whose inviter came from that source (the fission's
channel). Potential people belong to no group and have no source yet: potential
is a column of the community table only.

`DataSystem` keeps one small record per day (a few `bincount`s over the members
and the day's arrivals and exits) and builds the tables on demand; each table's
rows of one day add up to the community's daily metrics (`sim.metrics`).
Stage moves are read stock to stock: a member woken today is one who was dormant
at the end of yesterday and is active at the end of today.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from sim.mechanisms.day import stage_cells
from sim.memory import narrow, widen
from sim.population import ACTIVE, CHANNEL, DORMANT, KICKED, LEFT, NEW, POTENTIAL, REFERRAL, SOURCE_NAMES

if TYPE_CHECKING:
    from sim.mechanisms.day import Day
    from sim.world import Community

By = Literal["community", "group", "source"]
Period = Literal["day", "week", "month"]
PERIOD_DAYS: dict[str, int] = {"day": 1, "week": 7, "month": 30}
"""Days per period (a month is 30 days, as in `sim.metrics.rollup`)."""

BY: tuple[By, ...] = ("community", "group", "source")

#: the columns of a data-system table, in order, with their meaning
DATA_COLUMNS: dict[str, str] = {
    "by": "community, group or source",
    "key": "all (community), the group id, or the source (initial, channel or a channel's name, referral, organic)",
    "period": "period number from 1 (days, weeks of 7 days or months of 30 days)",
    "day": "the period's last simulated day",
    "potential": "people who have not joined (潜在; community table only)",
    "members": "new + active + dormant members at the end of the period",
    "new": "members in their first onboarding.new_days days (新增), end of the period",
    "active": "active members past onboarding (活跃), end of the period",
    "dormant": "dormant members (沉睡), end of the period",
    "customers": "members who have bought at least once, end of the period",
    "joined": "people who joined during the period (新粉丝; by source: 粉丝源)",
    "fission_added": "referral joins (裂变新增): by group into the group, by source brought by that source's members",
    "left": "members who left during the period",
    "kicked": "members kicked during the period",
    "went_dormant": "new or active members who went dormant during the period",
    "reactivated": "dormant members who became active again during the period (唤醒)",
    "conversions": "members who made their first purchase during the period (转化; by source: 转化来源)",
    "conversion_cycle": "mean days from joining to the first purchase over the period's conversions (转换周期)",
    "members_start": "members at the start of the period",
    "dormant_start": "dormant members at the start of the period",
    "prospects_start": "members who had not bought yet at the start of the period",
    "new_rate": "joined / members_start (新增率)",
    "conversion_rate": "conversions / (prospects_start + joined) (转化率)",
    "churn_rate": "(left + kicked) / (members_start + joined) (流失率)",
    "awakening_rate": "reactivated / (dormant_start + went_dormant) (觉醒率)",
}

_STOCKS = ("members", "new", "active", "dormant", "customers")
_FLOWS = (
    "joined",
    "fission_added",
    "left",
    "kicked",
    "went_dormant",
    "reactivated",
    "conversions",
    "conversion_days",
)
_STARTS = ("members_start", "dormant_start", "prospects_start")


def source_keys(model: Community, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Return the source names and the index into them of each person in `rows`.

    Sources are `SOURCE_NAMES` without "none" (-1: not joined); when the scenario names
    its channels (`[[channels]]`), channel arrivals are keyed by their channel's name
    (`Scenario.channel_names`, by `people.channel`) instead of "channel".
    """
    people = model.people
    names = list(SOURCE_NAMES[1:])
    source = people.source[rows]
    key = source.astype(np.intp) - 1
    channel = getattr(people, "channel", None)
    named = model.params.channel_names() if channel is not None and getattr(model.params, "channels", None) else []
    if named and channel is not None:  # the scenario names its channels ([[channels]]): index 0 is the free inflow
        names += named
        ch = channel[rows]
        by_name = (source == CHANNEL) & (ch >= 0) & (ch < len(named))
        key = np.where(by_name, len(SOURCE_NAMES) - 1 + ch, key)
    return names, key


class DataSystem:
    """The seed-003 data system of one run: a record per day, tables on demand (`table`).

    Create it once the founders are in (end of the model's set-up): the founders'
    state is the start of day 1. Each day reads only the members, today's arrivals and
    yesterday's members, never the whole potential pool (but for its count).
    """

    def __init__(self, model: Community) -> None:
        self.model = model
        self.names = source_keys(model, np.zeros(0, dtype=np.intp))[0]
        self.records: list[dict[str, dict[str, np.ndarray]]] = []
        self.days: list[int] = []
        self.potential: list[int] = []
        people = model.people
        self._rows = people.members()  # yesterday's members and their stages
        self._stage = people.stage[self._rows]
        rows = self._rows
        self._end = self._stocks(rows, self._stage, people.group[rows], people.first_purchase_day[rows])

    def _stocks(
        self,
        rows: np.ndarray,
        stage: np.ndarray,
        group: np.ndarray,
        first_purchase_day: np.ndarray,
        by_group: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> dict[str, dict[str, np.ndarray]]:
        """Members (`rows`: their stage, group, first purchase day) by stage and customers, per group and source.

        `by_group`, the members per group and stage and the customers per group when the
        day's end has them (`DayEnd.by_stage`, `DayEnd.customers`), saves counting them again.
        """
        self.names, key = source_keys(self.model, rows)
        n = {"group": self.model.groups.count, "source": len(self.names)}
        index = {"group": group, "source": key}
        customer = first_purchase_day >= 0
        out = {}
        for by in ("group", "source"):
            m, keys = n[by], np.asarray(index[by], dtype=np.intp)
            if by == "group" and by_group is not None:
                by_stage, customers = by_group
            elif keys.size == 0 or (keys.min() >= 0 and keys.max() < m):  # members are new, active or dormant
                by_stage, customers = stage_cells(keys, stage, customer, m)
            else:  # keys out of range (none) are left out
                by_stage = _count(keys * 3 + (stage.astype(np.intp) - NEW), 3 * m).reshape(m, 3)
                customers = _count(keys[customer], m)
            out[by] = {
                "members": by_stage.sum(axis=1),
                "new": by_stage[:, NEW - NEW],
                "active": by_stage[:, ACTIVE - NEW],
                "dormant": by_stage[:, DORMANT - NEW],
                "customers": customers,
            }
        return out

    def record(self, day: Day) -> None:
        """Record the day (call at its end, after every mechanism)."""
        people, d = self.model.people, day.day
        day_end = day.close(people, self.model.groups.count, self.model.params.value.ties_saturation)  # shared
        rows = day_end.member_rows
        start = self._end
        end = self._stocks(
            rows,
            day_end.stage,
            day_end.group,
            day_end.column("first_purchase_day"),
            by_group=(day_end.by_stage, day_end.customers),
        )
        n = {"group": self.model.groups.count, "source": len(self.names)}
        joined, joined_g = day.arrivals.joined_rows, day.arrivals.joined_groups
        referred = people.source[joined] == REFERRAL
        inviters = people.invited_by[joined[referred]]
        inviters = inviters[inviters >= 0]
        seen = np.concatenate([self._rows, joined])  # everyone who was a member at some time today
        exited = seen[people.exit_day[seen] == d]
        left, kicked = exited[people.stage[exited] == LEFT], exited[people.stage[exited] == KICKED]
        before, after = self._stage, people.stage[self._rows]
        to_dormant = self._rows[((before == NEW) | (before == ACTIVE)) & (after == DORMANT)]
        woken = self._rows[(before == DORMANT) & (after == ACTIVE)]
        converted = seen[people.first_purchase_day[seen] == d]
        cycle = (d - people.join_day[converted]).astype(float)
        homes: dict[str, Callable[[np.ndarray], np.ndarray]] = {
            "group": lambda r: np.where(people.group[r] >= 0, people.group[r], people.last_group[r]),
            "source": lambda r: source_keys(self.model, r)[1],
        }
        record = {}
        for by in ("group", "source"):
            home, m = homes[by], n[by]  # a member who left today is counted in their last group
            flows = {
                "joined": _count(joined_g if by == "group" else home(joined), m),
                "fission_added": _count(joined_g[referred] if by == "group" else home(inviters), m),
                "left": _count(home(left), m),
                "kicked": _count(home(kicked), m),
                "went_dormant": _count(home(to_dormant), m),
                "reactivated": _count(home(woken), m),
                "conversions": _count(home(converted), m),
                "conversion_days": _count(home(converted), m, cycle),
            }
            starts = {
                "members_start": _fit(start[by]["members"], m),
                "dormant_start": _fit(start[by]["dormant"], m),
                "prospects_start": _fit(start[by]["members"] - start[by]["customers"], m),
            }
            record[by] = {name: narrow(values) for name, values in {**end[by], **flows, **starts}.items()}
        self.records.append(record)
        self.days.append(d)
        self.potential.append(day_end.stage_count(POTENTIAL))
        self._rows, self._stage, self._end = rows, day_end.stage, end

    def table(self, by: By = "community", period: Period = "day") -> pd.DataFrame:
        """Return the data system by community, group or source, per day, week or month (`DATA_COLUMNS`)."""
        if by not in BY:
            raise ValueError(f"by: unknown value {by!r}; allowed values: {', '.join(BY)}")
        if period not in PERIOD_DAYS:
            raise ValueError(f"period: unknown value {period!r}; allowed values: {', '.join(PERIOD_DAYS)}")
        daily = self._daily("source" if by == "community" else by)
        if by == "community":
            daily = daily.drop(columns="key").groupby("day", sort=True).sum().reset_index()
            daily.insert(1, "potential", self.potential[: len(daily)])
            daily.insert(0, "key", "all")
        days = PERIOD_DAYS[period]
        daily.insert(0, "period", (daily["day"] - 1) // days + 1)
        how = {
            c: "sum" if c in _FLOWS else "first" if c in _STARTS else "last"
            for c in daily.columns
            if c not in ("period", "key")
        }
        out = daily.groupby(["period", "key"], sort=False).agg(how).reset_index()  # days, then keys, in order
        out.insert(0, "by", by)
        out["conversion_cycle"] = _ratio(out["conversion_days"], out["conversions"])
        out["new_rate"] = _ratio(out["joined"], out["members_start"])
        out["conversion_rate"] = _ratio(out["conversions"], out["prospects_start"] + out["joined"])
        out["churn_rate"] = _ratio(out["left"] + out["kicked"], out["members_start"] + out["joined"])
        out["awakening_rate"] = _ratio(out["reactivated"], out["dormant_start"] + out["went_dormant"])
        return out[[c for c in DATA_COLUMNS if c in out.columns]]

    def _daily(self, by: str) -> pd.DataFrame:
        columns = (*_STOCKS, *_FLOWS, *_STARTS)
        if not self.records:
            return pd.DataFrame({c: pd.Series(dtype=float) for c in ("day", "key", *columns)})
        width = len(self.names) if by == "source" else len(self.records[-1][by]["members"])
        keys = self.names if by == "source" else list(range(width))
        parts = {c: widen(np.concatenate([_fit(r[by][c], width) for r in self.records])) for c in columns}
        days = np.repeat(np.asarray(self.days), width)
        return pd.DataFrame({"day": days, "key": np.tile(np.asarray(keys, dtype=object), len(self.records)), **parts})

    def all_tables(self) -> pd.DataFrame:
        """Return the daily tables of the community, per group and per source, one after the other (data_system.csv)."""
        return pd.concat([self.table(by) for by in BY], ignore_index=True)


def _count(index: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Count (or sum `weights`) per key of `index` in 0..n-1; keys outside (-1: none) are left out."""
    index = np.asarray(index, dtype=np.intp)
    w = weights
    if index.size and (index.min() < 0 or index.max() >= n):  # two reductions, cheaper than a mask when all are in
        keep = (index >= 0) & (index < n)
        index, w = index[keep], None if weights is None else weights[keep]
    return np.bincount(index, weights=w, minlength=n)[:n].astype(float if weights is not None else np.int64)


def _fit(values: np.ndarray, n: int) -> np.ndarray:
    """Values of the keys that existed then, zero for those added since (groups opened, channels named)."""
    return np.concatenate([values, np.zeros(n - values.size, dtype=values.dtype)]) if values.size < n else values


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)
