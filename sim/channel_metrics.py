"""What each way in costs and yields: CAC, cost per retained member and LTV by channel and cohort.

One row per source of joins (each acquisition channel, referral, organic) and cohort
(the whole run, then 30-day windows of join days): joins, members at the end, 30-day
retention, acquisition cost, revenue, and the ratios a strategist compares (docs/ODD.md
§9.3). `run` writes it as channels.csv. Founding members (day 0) are in no row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.population import CHANNEL, DORMANT, NEW, ORGANIC, PROMOTED, REFERRAL

if TYPE_CHECKING:
    from sim.mechanisms.channels import ChannelBook
    from sim.population import PeopleTable
    from sim.scenario.schema import Scenario

COHORT_DAYS = 30
"""Width of a cohort of join days in the table."""

CHANNEL_COLUMNS = (
    "source",
    "channel",
    "cohort_first_day",
    "cohort_last_day",
    "joined",
    "members_end",
    "retained_30d",
    "cost",
    "revenue",
    "cac",
    "cost_per_retained",
    "ltv",
)
"""Columns of the per-channel table (channels.csv), in order."""


def member_revenue(people: PeopleTable, sc: Scenario) -> np.ndarray:
    """Money each person has brought so far: products bought and, under a paid threshold, the entry fee.

    Renewal fees are not attributed to members (the people table does not count them).
    """
    revenue = sc.monetization.product_price * people.purchases.astype(float)
    if sc.entry.threshold == "paid":
        revenue += sc.entry.fee * (people.join_day >= 1)
    return revenue


def retained(people: PeopleTable) -> np.ndarray:
    """Mark the people who are members at the end of the run (KOLs cultivated from members count)."""
    return ((people.stage >= NEW) & (people.stage <= DORMANT)) | (people.stage == PROMOTED)


def channel_table(people: PeopleTable, sc: Scenario, book: ChannelBook, days: int) -> pd.DataFrame:
    """Rows of (source, channel, cohort) with joins, retention, cost, revenue, CAC, cost per retained member, LTV."""
    joined_any = people.join_day >= 1
    revenue, still_in = member_revenue(people, sc), retained(people)
    daily_cost = np.array(book.daily_cost).reshape(-1, len(book.names))
    reward = sc.acquisition.referral_reward
    ways = [("channel", name, (people.source == CHANNEL) & (people.channel == i)) for i, name in enumerate(book.names)]
    ways += [("referral", "", people.source == REFERRAL), ("organic", "", people.source == ORGANIC)]
    cohorts = [(1, days), *((a, min(a + COHORT_DAYS - 1, days)) for a in range(1, days + 1, COHORT_DAYS))]
    rows = []
    for i, (source, name, who) in enumerate(ways):
        for first, last in cohorts:
            mine = who & joined_any & (people.join_day >= first) & (people.join_day <= last)
            n = int(mine.sum())
            if source == "channel":
                cost = float(daily_cost[first - 1 : last, i].sum())
            else:
                cost = reward * n if source == "referral" else 0.0
            kept = int((mine & still_in).sum())
            money = float(revenue[mine].sum())
            rows.append(
                {
                    "source": source,
                    "channel": name,
                    "cohort_first_day": first,
                    "cohort_last_day": last,
                    "joined": n,
                    "members_end": kept,
                    "retained_30d": _retention(people, mine, days),
                    "cost": cost,
                    "revenue": money,
                    "cac": cost / n if n else np.nan,
                    "cost_per_retained": cost / kept if kept else np.nan,
                    "ltv": money / n if n else np.nan,
                }
            )
    return pd.DataFrame.from_records(rows, columns=list(CHANNEL_COLUMNS))


def _retention(people: PeopleTable, who: np.ndarray, days: int, horizon: int = 30) -> float:
    """Share of `who` that joined by day days - horizon and stayed `horizon` days (as `metrics.retention`)."""
    eligible = who & (people.join_day <= days - horizon)
    if not eligible.any():
        return np.nan
    stay = people.exit_day[eligible]
    joined = people.join_day[eligible]
    return float(((stay < 0) | (stay - joined >= horizon) | (people.stage[eligible] == PROMOTED)).mean())
