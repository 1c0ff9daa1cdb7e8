"""The per-group daily record: one row per group and day, and its weekly and monthly roll-ups.

Every count comes from what the day already has (the people table's group column, the
day's hand-offs: arrivals, posting, output, moderation), one `bincount` each, so the
record stays cheap with a thousand groups. The rows of one day add up to the
community's daily metrics (`sim.metrics`): members by stage, joins by source, leaves,
kicks, messages, content posts, ads posted and removed, spammers; with
`groups.max_groups_per_member` > 1 the people in a group (members by stage, spammers)
count every membership, so they add up to more than the community's. Each group's ISOOC
health score (seed 002, `sim.rules.isooc`) is read from the same counts, and
`community_isooc` weighs the groups into the community's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.groups import ALIVE, FATE_NAMES, PHASE_NAMES, TIER_NAMES, padded
from sim.memory import narrow, widen
from sim.population import ACTIVE, CHANNEL, DORMANT, KICKED, LEFT, NEW, ORGANIC, REFERRAL
from sim.rules import isooc
from sim.rules.isooc import ELEMENTS

if TYPE_CHECKING:
    from sim.mechanisms.day import Day
    from sim.world import Community

#: the per-group columns, in order, with their meaning
GROUP_COLUMNS: dict[str, str] = {
    "day": "simulated day (1 = first step)",
    "group": "group id (0 = the first founding group)",
    "phase": "lifecycle phase: inception, growth, maturity, decline or dead (docs/ODD.md §7.11)",
    "fate": "alive, or how the group died: silent, ads (an ad group) or empty",
    "closed": "the operator closed the group (archived, dissolved or merged): it takes no newcomers",
    "members": "new + active + dormant members of the group (a person in several groups counts in each)",
    "also_elsewhere": "members of the group who are also in another group (groups.max_groups_per_member > 1)",
    "new": "members in their first onboarding.new_days days",
    "active": "active members past onboarding",
    "dormant": "dormant members",
    "joined": "people who joined the group today",
    "joined_channel": "joined today from public channels",
    "joined_referral": "joined today invited by a member",
    "joined_organic": "joined today on their own",
    "left_today": "members who left the group and the community today (leavers of a dissolved group included)",
    "kicked_today": "members kicked today",
    "messages": "member messages today",
    "content_posts": "KOL and admin content posts today",
    "ad_messages": "ad messages posted today",
    "ads_removed": "ad messages removed by admins today",
    "ads_visible": "ad messages members saw today (posted − removed, removed_ad_visibility counted)",
    "spammers": "members posting ads",
    "mean_satisfaction": "mean satisfaction of the group's members (empty: undefined)",
    "culture": "the group's shared subculture, 0..1",
    "admins": "admins serving the group",
    "kols": "KOLs serving the group",
    "appeal": "the group's appeal (quality of founders and staff, 1 = typical)",
    "mean_interest": "mean interest (同好) of the group's members, 0..1",
    "mean_tie_value": "mean tie value of the group's members, 1 - exp(-ties / value.ties_saturation), 0..1",
    "coverage": "share of the day's moderation work the group's admins got done (1 when there was none)",
    **{f"isooc_{e}": f"ISOOC {e} of the group, 0..1 (docs/ODD.md §9.5)" for e in ELEMENTS},
    "isooc_score": "ISOOC score of the group: the mean of its five elements, 0..1",
    "tier": "free (a traffic group newcomers join) or paid (a core group members are promoted into)",
    "returned": "people who had left the community and came back into this group today",
    "promoted_in": "members promoted into this (paid) group today",
}

#: per-group columns summed over a period; the rest are stocks (last day) or means
GROUP_FLOWS = (
    "joined",
    "joined_channel",
    "joined_referral",
    "joined_organic",
    "left_today",
    "kicked_today",
    "messages",
    "content_posts",
    "ad_messages",
    "ads_removed",
    "ads_visible",
    "returned",
    "promoted_in",
)
GROUP_MEANS = (
    "mean_satisfaction",
    "mean_interest",
    "mean_tie_value",
    "coverage",
    *(f"isooc_{e}" for e in ELEMENTS),
    "isooc_score",
)


def _count(groups: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(groups, weights=weights, minlength=n)


def _mean(total: np.ndarray, members: np.ndarray) -> np.ndarray:
    return np.divide(total, members, out=np.full(members.size, np.nan), where=members > 0)


def record_groups(model: Community, day: Day) -> dict[str, np.ndarray]:
    """Return the day's per-group record (columns of GROUP_COLUMNS, one entry per group), at the end of the day."""
    people, table, n = model.people, model.groups, model.groups.count
    end = day.close(people, n, model.params.value.ties_saturation)  # shared with the other records
    if people.multi:  # one entry per membership: every group counts its members
        at, g = end.memberships()
        by_stage = _count(g * 3 + (end.stage[at] - NEW), 3 * n).reshape(n, 3)
        members = by_stage.sum(axis=1)
        elsewhere = _count(g[end.group_counts()[at] > 1], n)
    else:
        at, g, by_stage, members = None, end.group, end.by_stage, end.sizes
        elsewhere = np.zeros(n, dtype=np.int64)

    def column(name: str) -> np.ndarray:
        """Return the member column `name`, one entry per membership."""
        values = end.column(name)
        return values if at is None else values[at]

    joined_g, source = day.arrivals.joined_groups, people.source[day.arrivals.joined_rows]
    exited = np.flatnonzero(people.exit_day == day.day)
    exit_stage, exit_group = people.stage[exited], people.last_group[exited]
    exit_group = np.where(exit_group >= 0, exit_group, n)  # exits from no group land in a spare bin
    posted, removed = padded(day.posting.ads, n), padded(day.moderation.ads_removed, n)
    satisfaction = _count(g, n, column("satisfaction"))
    admins, kols = model.admin_table.per_group(n), model.kol_table.per_group(n)
    interest = _mean(_count(g, n, column("interest")), members)
    tie_value = _mean(_count(g, n, end.tie_value() if at is None else end.tie_value()[at]), members)
    content = padded(day.output.content_posts, n)
    coverage = np.concatenate([day.moderation.coverage, np.ones(n - day.moderation.coverage.size)])  # no work: 1
    elements = {
        "isooc_interest": interest,
        "isooc_structure": isooc.structure(admins + kols, members, tie_value),
        "isooc_output": isooc.output(content, by_stage[:, NEW - NEW] + by_stage[:, ACTIVE - NEW], members),
        "isooc_operation": isooc.operation(coverage, admins > 0, posted, removed),
        "isooc_copy": np.where(members > 0, table.culture, np.nan),
    }
    back_group, promoted_group = np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if day.tally.returned:
        back = np.flatnonzero((people.join_day == day.day) & (people.returns > 0))
        back_group = np.where(people.group[back] >= 0, people.group[back], people.last_group[back])
    if day.tally.promoted_to_paid:
        promoted_group = people.group[people.promoted_day == day.day]
    return {
        "day": np.full(n, day.day, dtype=np.int32),
        "group": np.arange(n, dtype=np.int32),
        "phase": table.phase.copy(),
        "fate": table.fate.copy(),
        "closed": table.closed.copy(),
        "members": members,
        "also_elsewhere": elsewhere,
        "new": by_stage[:, NEW - NEW],
        "active": by_stage[:, ACTIVE - NEW],
        "dormant": by_stage[:, DORMANT - NEW],
        "joined": _count(joined_g, n),
        "joined_channel": _count(joined_g[source == CHANNEL], n),
        "joined_referral": _count(joined_g[source == REFERRAL], n),
        "joined_organic": _count(joined_g[source == ORGANIC], n),
        "left_today": _count(exit_group[exit_stage == LEFT], n + 1)[:n],
        "kicked_today": _count(exit_group[exit_stage == KICKED], n + 1)[:n],
        "messages": padded(day.posting.messages, n),
        "content_posts": content,
        "ad_messages": posted,
        "ads_removed": removed,
        "ads_visible": padded(day.terms.visible_ads, n),
        "spammers": _count(g[column("spammer")], n),  # the few spammers' groups, counted
        "mean_satisfaction": _mean(satisfaction, members),
        "culture": table.culture.copy(),
        "admins": admins,
        "kols": kols,
        "appeal": table.appeal.copy(),
        "mean_interest": interest,
        "mean_tie_value": tie_value,
        "coverage": coverage,
        **elements,
        "isooc_score": isooc.score(*elements.values()),
        "tier": table.tier.copy(),
        "returned": _count(back_group, n),
        "promoted_in": _count(promoted_group, n),
    }


def community_isooc(record: dict[str, np.ndarray], opened_day: np.ndarray) -> dict[str, float]:
    """Return the community's ISOOC elements and score from the day's per-group record.

    Interest, structure, output and operation are the groups' values weighted by their
    members; copy is the share of the groups opened as copies or splits (opened after
    day 0) that are alive (`isooc.copy_survival`).
    """
    members = record["members"].astype(float)
    weighted = {
        e: float(np.average(record[f"isooc_{e}"][members > 0], weights=members[members > 0]))
        if members.sum() > 0
        else np.nan
        for e in ELEMENTS[:-1]
    }
    copies = opened_day[: members.size] > 0
    weighted["copy"] = isooc.copy_survival(int(copies.sum()), int((copies & (record["fate"] == ALIVE)).sum()))
    out = {f"isooc_{e}": v for e, v in weighted.items()}
    out["isooc_score"] = float(isooc.score(*weighted.values()))
    return out


_CODES = ("phase", "fate", "tier")


def keep(record: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return the day's per-group record as the model keeps it until `frame`, in about two thirds of the memory.

    Counts (the int64 columns) are kept as int32 and the phase, fate and tier codes as
    int8; the group ids (0, 1, ...) and the day (the same on every row) are implied. At a
    million members a run keeps some 3,000 groups for each of 365 days. `frame` gives back
    the same table: the kept int32 columns are exactly the counts.
    """
    kept = {name: narrow(values) for name, values in record.items() if name != "group"}
    kept.update({name: record[name].astype(np.int8) for name in _CODES})
    kept["day"] = record["day"][:1].copy()  # a copy: a view would keep the whole column
    return kept


def frame(records: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """Return the per-group records (as `keep` kept them) as one DataFrame, one row per group and day.

    The columns are those of GROUP_COLUMNS.
    """
    if not records:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in GROUP_COLUMNS})
    sizes = [r["members"].size for r in records]
    implied = {
        "day": np.concatenate([np.repeat(r["day"], n) for r, n in zip(records, sizes, strict=True)]),
        "group": np.concatenate([np.arange(n, dtype=np.int32) for n in sizes]),
    }
    df = pd.DataFrame(
        {
            name: implied[name] if name in implied else widen(np.concatenate([r[name] for r in records]))
            for name in GROUP_COLUMNS
        }
    )
    df["phase"] = pd.Categorical.from_codes(df["phase"], categories=list(PHASE_NAMES))
    df["fate"] = pd.Categorical.from_codes(df["fate"], categories=list(FATE_NAMES))
    df["tier"] = pd.Categorical.from_codes(df["tier"], categories=list(TIER_NAMES))
    return df


def rollup(daily: pd.DataFrame, days: int = 7) -> pd.DataFrame:
    """Roll the per-group record up into periods of `days` days (7: weeks, 30: months), per group.

    Flows are summed, mean satisfaction averaged, the rest (members, phase, fate, staff,
    culture) taken on the period's last day. `period` counts from 1; `day` is the
    period's last day.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    period = ((daily["day"] - 1) // days + 1).rename("period")
    columns = [c for c in daily.columns if c != "group"]
    how = {c: "sum" if c in GROUP_FLOWS else "mean" if c in GROUP_MEANS else "last" for c in columns}
    out = daily.groupby([period, daily["group"]], observed=True, sort=True).agg(how)
    return out.reset_index()
