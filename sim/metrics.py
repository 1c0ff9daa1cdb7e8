"""Daily metrics (the data system of seed 003) and whole-run outcomes.

What each column and outcome means, its unit and how it rolls up are in the KPI
registry, `sim.kpis`; this module computes the values.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.channel_metrics import member_revenue, retained
from sim.groups import AD_GROUP, ALIVE, FREE, PAID, SILENT, GroupTable, lifetimes
from sim.kpis import DAILY, ISOOC_WINDOW, ISOOC_WORDS, SUMMARY
from sim.network.observables import message_shares
from sim.population import (
    ACTIVE,
    DORMANT,
    INITIAL,
    KICKED,
    LEFT,
    NEW,
    POTENTIAL,
    PROMOTED,
    PeopleTable,
)

#: the bins of joins by friends already in the group (`joined_friends_*`)
FRIEND_BINS = ("0", "1", "2", "3plus")

if TYPE_CHECKING:
    from sim.mechanisms.day import Day
    from sim.scenario.schema import Scenario
    from sim.world import Community

#: the daily columns, in order, with their definitions (from the KPI registry, `sim.kpis.DAILY`)
DAILY_COLUMNS: dict[str, str] = {k.name: k.definition for k in DAILY}


def record_day(model: Community, day: Day) -> dict[str, float]:
    """One row of daily metrics, read off the model and the day's hand-offs at the end of the day."""
    people, sc = model.people, model.params
    t, start = day.tally, day.start
    end = day.close(people, model.groups.count, sc.value.ties_saturation)  # shared with the other records
    rows = end.member_rows
    sizes, in_groups = end.sizes, None
    if people.multi:  # every membership counts in its group
        sizes, in_groups = np.bincount(end.memberships()[1], minlength=model.groups.count), end.group_counts()
    start_members = start.member_rows.size
    joined = day.arrivals.joined_rows.size
    admin_rows, kol_rows = model.admin_table.rows(), model.kol_table.rows()
    # summed one after another in the agents' order, as the agents themselves would
    admin_hours = sum(model.admin_table.minutes_per_day[admin_rows].tolist()) / 60.0
    kol_hours = sum(model.kol_table.minutes_worked[kol_rows].tolist()) / 60.0
    fee_revenue = sc.entry.fee * t.fees_paid + t.paid_group_fees
    product_revenue = sc.monetization.product_price * t.purchases
    tier_revenue = sc.membership.price * t.tier_fees
    revenue = fee_revenue + product_revenue + tier_revenue
    cost = admin_hours * sc.monetization.admin_hourly_cost + kol_hours * sc.monetization.kol_hourly_cost
    cost += t.operator_money
    coverage_g = day.moderation.coverage
    weights = sizes[: coverage_g.size] if coverage_g.size else np.zeros(0)
    coverage = float(np.average(coverage_g, weights=weights)) if weights.sum() > 0 else 1.0
    first_day = people.first_purchase_day[start.member_rows]
    prospects = int(np.count_nonzero((first_day < 0) | (first_day == day.day)))  # not customers at the day's start
    nan, net = math.nan, day.network
    shares = {0.01: nan, 0.1: nan}
    if net is not None:  # messages per member are counted with a friendship network only
        written = np.zeros(max(start_members, day.posting.poster_messages.size))
        written[: day.posting.poster_messages.size] = day.posting.poster_messages  # who wrote nothing counts 0
        shares = message_shares(written)
    return {
        "day": day.day,
        "potential": end.stage_count(POTENTIAL),
        "new": end.stage_count(NEW),
        "active": end.stage_count(ACTIVE),
        "dormant": end.stage_count(DORMANT),
        "left": end.stage_count(LEFT),
        "kicked": end.stage_count(KICKED),
        "promoted": end.stage_count(PROMOTED),
        "members": int(rows.size),
        "joined": int(joined),
        "joined_channel": t.joined_channel,
        "joined_referral": t.joined_referral,
        "joined_organic": t.joined_organic,
        "refused": t.refused_threshold + t.refused_full,
        "left_today": t.left,
        "first_day_left": t.first_day_left,
        "kicked_today": t.kicked,
        "warnings": t.warnings,
        "false_flags": t.false_flags,
        "messages": int(day.posting.messages.sum()),
        "replies": t.replies,
        "content_posts": float(day.output.content_posts.sum()),
        "kol_posts": day.output.kol_posts,
        "ad_messages": int(day.posting.ads.sum()),
        "ads_removed": int(day.moderation.ads_removed.sum()),
        "off_topic_removed": t.off_topic_removed,
        "spammers": int(np.count_nonzero(end.column("spammer"))),
        "new_spammers": t.new_spammers,
        "went_dormant": t.active_to_dormant,
        "reactivated": t.dormant_to_active,
        "applicants": t.applicants,
        "kols_quit": t.kols_quit,
        "kols_cultivated": t.kols_cultivated,
        "kols_eliminated": t.kols_eliminated,
        "staff_hired": t.staff_hired,
        "groups": int(np.count_nonzero(sizes)),
        "groups_opened": t.groups_opened + t.splits + t.splinters,
        "groups_died": t.groups_died,
        "groups_closed": t.groups_closed,
        "members_moved": t.moved,
        "groups_alive": int(np.count_nonzero(model.groups.fate == ALIVE)),
        "splinters": t.splinters,
        "returned": t.returned,
        "promoted_to_paid": t.promoted_to_paid,
        "groups_per_member": nan if not rows.size else 1.0 if in_groups is None else float(in_groups.mean()),
        "multi_group_share": nan if not rows.size else 0.0 if in_groups is None else float(np.mean(in_groups > 1)),
        "joined_another_group": t.extra_joins,
        "groups_dropped": t.groups_dropped,
        "max_group_size": int(sizes.max()) if sizes.size else 0,
        "mean_satisfaction": float(end.column("satisfaction").mean()) if rows.size else math.nan,
        "mean_ties": float(end.column("ties").mean()) if rows.size else math.nan,
        "mean_tie_value": float(np.mean(end.tie_value())) if rows.size else nan,
        "top1_message_share": shares[0.01],
        "top10_message_share": shares[0.1],
        "invitations": 0 if net is None else net.invitations,
        "invitations_accepted": 0 if net is None else net.accepted,
        **{
            f"joined_friends_{k}": nan if net is None else int(net.joined_by_friends[i])
            for i, k in enumerate(FRIEND_BINS)
        },
        "kols": int(kol_rows.size),
        "admins": int(admin_rows.size),
        "moderation_coverage": coverage,
        "activity_lift": start.lift,
        "fee_revenue": fee_revenue,
        "product_revenue": product_revenue,
        "revenue": revenue,
        "purchases": t.purchases,
        "first_purchases": t.first_purchases,
        "repurchases": t.purchases - t.first_purchases,
        "customers": int(end.customers.sum()),  # members who have bought (first purchase day set), from DayEnd
        "conversion_cycle": _ratio(t.conversion_days, t.converted_joiners),
        "tier_members": int(np.count_nonzero(end.column("tier_until") >= day.day)) if sc.membership.price > 0 else 0,
        "tier_revenue": tier_revenue,
        "tier_lapsed": t.tier_lapsed,
        "ad_accounts_joined": t.ad_accounts_joined,
        "admin_hours": admin_hours,
        "kol_hours": kol_hours,
        "operator_cost": cost,
        "acquisition_cost": t.acquisition_cost,
        "new_rate": _ratio(joined, start_members),
        "conversion_rate": _ratio(t.first_purchases, prospects),
        "graduation_rate": _ratio(t.new_to_active, start.start_counts[NEW]),
        "churn_rate": _ratio(t.left + t.kicked, start_members + joined),
        "reactivation_rate": _ratio(t.dormant_to_active, start.start_counts[DORMANT]),
    }


def _ratio(num: float, den: float) -> float:
    return float(num) / den if den > 0 else math.nan


def frame(records: list[dict[str, float]]) -> pd.DataFrame:
    """Return the daily records as a DataFrame with the columns of DAILY_COLUMNS."""
    df = pd.DataFrame.from_records(records, columns=[c for c in DAILY_COLUMNS if c != "cumulative_revenue"])
    df.insert(df.columns.get_loc("revenue") + 1, "cumulative_revenue", df["revenue"].cumsum())
    return df


#: daily columns that are flows (summed over a period); the rest are stocks or means
FLOW_COLUMNS = tuple(k.name for k in DAILY if k.rollup == "sum")
MEAN_COLUMNS = tuple(k.name for k in DAILY if k.rollup == "mean")


def rollup(daily: pd.DataFrame, days: int = 7) -> pd.DataFrame:
    """Roll daily metrics up into periods of `days` days (7: weeks, 30: months).

    Flows are summed, rates and means averaged, stocks (people by stage, groups,
    KOLs) taken on the period's last day. `period` counts from 1; `day` is the
    period's last day.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    period = (daily["day"] - 1) // days + 1
    how = {c: "sum" if c in FLOW_COLUMNS else "mean" if c in MEAN_COLUMNS else "last" for c in daily.columns}
    out = daily.groupby(period).agg(how)
    out.index.name = "period"
    return out.reset_index()


#: whole-run outcomes, in order, with their definitions (from the KPI registry, `sim.kpis.SUMMARY`)
SUMMARY_KEYS: dict[str, str] = {k.name: k.definition for k in SUMMARY}


def summarize(
    df: pd.DataFrame, people: PeopleTable, days: int, groups: GroupTable, sc: Scenario | None = None
) -> dict[str, Any]:
    """Whole-run outcomes of a run with daily metrics `df`, its people and its groups (their lives, the funnel).

    `sc`, the scenario, prices the members' revenue (LTV).
    """
    out: dict[str, Any] = dict.fromkeys(SUMMARY_KEYS)
    out["days"] = days
    if df.empty:
        return out
    members = df["members"].to_numpy()
    peak = int(members.argmax())
    msgs = df["messages"].rolling(7, min_periods=1).mean().to_numpy()
    msg_peak = int(msgs.argmax())
    total_msgs, total_ads = float(df["messages"].sum()), float(df["ad_messages"].sum())
    joined = int(df["joined"].sum())
    out.update(
        peak_members=int(members[peak]),
        day_of_peak=int(df["day"].iloc[peak]),
        final_members=int(members[-1]),
        final_active=int(df["new"].iloc[-1] + df["active"].iloc[-1]),
        total_joined=joined,
        activity_half_life=_first_below(msgs, msg_peak, 0.5),
        time_to_death=_first_below(msgs, msg_peak, 0.01, absolute=True, days=df["day"].to_numpy()),
        ad_share=total_ads / (total_msgs + total_ads) if total_msgs + total_ads > 0 else None,
        retention_30d=retention(people, days, 30),
        revenue_total=float(df["revenue"].sum()),
        operator_cost_total=float(df["operator_cost"].sum()),
        mean_satisfaction_final=_clean(df["mean_satisfaction"].iloc[-1]),
        peak_groups=int(df["groups"].max()),
        kicked_total=int(df["kicked_today"].sum()),
        referral_share=float(df["joined_referral"].sum()) / joined if joined else None,
        first_purchases_total=int(df["first_purchases"].sum()),
        repurchases_total=int(df["repurchases"].sum()),
        conversion_cycle_mean=conversion_cycle(people),
        tier_members_final=int(df["tier_members"].iloc[-1]),
        ad_accounts_total=int(df["ad_accounts_joined"].sum()),
    )
    out["profit"] = out["revenue_total"] - out["operator_cost_total"]
    spent = float(df["acquisition_cost"].sum())
    joiners = people.join_day >= 1
    kept = int((joiners & retained(people)).sum())
    out.update(
        acquisition_cost_total=spent,
        cac=spent / joined if joined else None,
        cost_per_retained_member=spent / kept if kept else None,
        ltv=float(member_revenue(people, sc)[joiners].sum()) / joined if joined and sc is not None else None,
    )
    last = df.tail(ISOOC_WINDOW)
    for element in (*ISOOC_WORDS, "score"):
        out[f"isooc_{element}_final"] = _clean(float(last[f"isooc_{element}"].mean()))
    out.update(splinter_groups=int(df["splinters"].sum()), returned_total=int(df["returned"].sum()))
    out.update(group_outcomes(groups, people))
    return out


def group_outcomes(groups: GroupTable, people: PeopleTable) -> dict[str, Any]:
    """Return the groups' lives at the end of a run: deaths, how they died, time to death, sizes, funnel conversion."""
    dead = groups.fate != ALIVE
    n_dead = int(dead.sum())
    lives = lifetimes(groups.opened_day, groups.died_day)
    sizes = people.group_sizes(people.members(), groups.count)
    sizes = sizes[sizes > 0]
    out: dict[str, Any] = {
        "groups_died_total": n_dead,
        "groups_alive_final": int(groups.count - n_dead),
        "median_group_lifetime": float(np.median(lives)) if lives.size else None,
        "silent_death_share": float((groups.fate[dead] == SILENT).mean()) if n_dead else None,
        "ad_death_share": float((groups.fate[dead] == AD_GROUP).mean()) if n_dead else None,
        "group_size_cv": float(sizes.std() / sizes.mean()) if sizes.size else None,
        "funnel_conversion": None,
    }
    if (groups.tier == PAID).any():
        ever = people.join_day >= 0
        group = np.where(people.group >= 0, people.group, people.last_group)
        in_free = (group >= 0) & (groups.tier[np.maximum(group, 0)] == FREE)
        promoted = people.promoted_day >= 0
        free = ever & (promoted | in_free)
        out["funnel_conversion"] = float(promoted.sum() / free.sum()) if free.any() else None
    return out


def _first_below(
    series: np.ndarray, start: int, share: float, absolute: bool = False, days: np.ndarray | None = None
) -> int | None:
    peak = series[start]
    if peak <= 0:
        return None
    below = np.flatnonzero(series[start:] < share * peak)
    if below.size == 0:
        return None
    return int(days[start + below[0]]) if absolute and days is not None else int(below[0])


def retention(people: PeopleTable, days: int, horizon: int) -> float | None:
    """Share of people who joined on days 1..days-horizon and were still members `horizon` days later.

    Members promoted to KOL count as retained.
    """
    joined = (people.join_day >= 1) & (people.join_day <= days - horizon) & (people.source != INITIAL)
    if not joined.any():
        return None
    exit_day = people.exit_day[joined]
    stayed = (exit_day < 0) | (exit_day - people.join_day[joined] >= horizon) | (people.stage[joined] == PROMOTED)
    return float(stayed.mean())


def conversion_cycle(people: PeopleTable) -> float | None:
    """Mean days from joining to the first purchase of the people who joined and converted (转换周期); None if none."""
    converted = (people.first_purchase_day >= 0) & (people.source != INITIAL)
    if not converted.any():
        return None
    return float(np.mean(people.first_purchase_day[converted] - people.join_day[converted]))


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)
