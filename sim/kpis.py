"""The KPI registry: every daily column and whole-run outcome, defined once.

Each `Kpi` holds what the model, the reports and the CLI say about one number: its
name, its definition in plain words, its unit, its kind (how it is formatted and how a
change of it is said), whether more of it is better, its label in tables and the words
of the report's sentences. `sim.metrics` builds `DAILY_COLUMNS`, `SUMMARY_KEYS` and the
roll-up rules from it, `sim.report.wording` speaks of KPIs with it, `community-sim kpis`
lists it, and docs/ODD.md §9 is generated from it (`python docs/hooks.py`).

`format_kpi` is the terminal format of `community-sim run`, `analyze` and the reports:
shares and rates as percentages, money with two decimals, counts with thousands
separators, an undefined KPI as a dash.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "DAILY",
    "KINDS",
    "KPIS",
    "REGISTRY",
    "SUMMARY",
    "Kpi",
    "format_kpi",
    "jsonable",
    "kpi",
]

Kind = Literal["count", "share", "money", "days", "level"]
KINDS: tuple[Kind, ...] = ("count", "share", "money", "days", "level")
"""count: people, messages, groups; share: a fraction shown in %; money: currency;
days: a duration or a day number; level: a mean or any other amount."""

Direction = Literal["higher is better", "lower is better", "neutral"]
Rollup = Literal["sum", "mean", "last"]


@dataclass(frozen=True)
class Kpi:
    """One KPI: a daily column (`scope` "daily") or a whole-run outcome (`scope` "run")."""

    name: str
    definition: str
    """What it counts, in plain words (ODD §9, `community-sim kpis`)."""
    unit: str
    kind: Kind
    scope: Literal["daily", "run"]
    label: str = ""
    """Short name for tables, e.g. "Joins" (default: the name in words)."""
    direction: Direction = "neutral"
    rollup: Rollup = "last"
    """Daily columns: how a period of days is rolled up (flows summed, means averaged, stocks on the last day)."""
    noun: str = ""
    """What changes, for sentences, e.g. "joins" (default: the label in lower case)."""
    up: str = "higher"
    down: str = "lower"
    relative: bool = False
    """Say a change in % of the reference (else as an amount, with `template`)."""
    template: str = "{noun} {dir} by {amount}"
    undefined: str = "undefined"
    """What a missing value means, e.g. "activity never halves"."""

    def __post_init__(self) -> None:
        """Fill the label and noun from the name when they are not given."""
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ").capitalize())
        if not self.noun:
            object.__setattr__(self, "noun", self.label.lower())

    @property
    def title(self) -> str:
        """Label with unit, e.g. "Joins (people)"."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


BETTER: Direction = "higher is better"
WORSE: Direction = "lower is better"


def _daily(
    name: str,
    definition: str,
    unit: str,
    kind: Kind = "count",
    direction: Direction = "neutral",
    rollup: Rollup = "last",
) -> Kpi:
    return Kpi(name, definition, unit, kind, "daily", direction=direction, rollup=rollup)


def _flow(name: str, definition: str, unit: str, kind: Kind = "count", direction: Direction = "neutral") -> Kpi:
    return _daily(name, definition, unit, kind, direction, rollup="sum")


def _mean(name: str, definition: str, unit: str, kind: Kind = "level", direction: Direction = "neutral") -> Kpi:
    return _daily(name, definition, unit, kind, direction, rollup="mean")


def _count(name: str, definition: str, unit: str, label: str, noun: str = "", **more: Any) -> Kpi:
    words = {"up": "more", "down": "fewer", "relative": True, "template": "{amount} {dir} {noun}"}
    return Kpi(name, definition, unit, "count", "run", label=label, noun=noun, **{**words, **more})


ISOOC_WORDS = {
    "interest": "同好: members' mean interest",
    "structure": "结构: staff per member and ties",
    "output": "输出: content per member and members engaged",
    "operation": "运营: admins' coverage and ads removed",
    "copy": "复制: copied or split groups still alive",
}
"""The five elements of seed 002's ISOOC model and what measures each."""

ISOOC_WINDOW = 30
"""Days at the end of a run over which the whole-run ISOOC outcomes average the daily values."""

DAILY: tuple[Kpi, ...] = (
    _daily("day", "simulated day (1 = first step)", "day", "days"),
    _daily("potential", "people who have not joined (potential stage)", "people"),
    _daily("new", "members in their first onboarding.new_days days", "members"),
    _daily("active", "active members past onboarding", "members", "count", BETTER),
    _daily("dormant", "dormant members (lurking, muted)", "members"),
    _daily("left", "people who have left, cumulative", "people"),
    _daily("kicked", "people kicked by admins, cumulative", "people"),
    _daily("promoted", "members turned into KOLs, cumulative", "people"),
    _daily("members", "new + active + dormant", "members", "count", BETTER),
    _flow("joined", "people who joined today", "people", "count", BETTER),
    _flow("joined_channel", "joined today from public channels", "people", "count", BETTER),
    _flow("joined_referral", "joined today by referral (fission)", "people", "count", BETTER),
    _flow(
        "joined_organic",
        "joined today on their own (word of mouth outside the group, acquisition.external_rate)",
        "people",
        "count",
        BETTER,
    ),
    _flow("refused", "arrivals who failed the entry threshold or found no group with room", "people", "count", WORSE),
    _flow("left_today", "members who left today (first-day exits included)", "members", "count", WORSE),
    _flow("first_day_left", "newcomers who left within their first 24 hours", "members", "count", WORSE),
    _flow("kicked_today", "members kicked today", "members"),
    _flow("warnings", "warnings given today", "warnings"),
    _flow("false_flags", "members' normal messages wrongly flagged as ads today", "messages", "count", WORSE),
    _flow("messages", "member messages today", "messages", "count", BETTER),
    _flow("replies", "member messages today that are replies", "messages", "count", BETTER),
    _flow("content_posts", "KOL and admin content posts today", "posts"),
    _flow("kol_posts", "KOL content posts today", "posts"),
    _flow("ad_messages", "ad messages posted today", "messages", "count", WORSE),
    _flow("ads_removed", "ad messages removed by admins today", "messages"),
    _flow("off_topic_removed", "off-topic member messages deleted by admins today", "messages"),
    _daily("spammers", "members posting ads", "members", "count", WORSE),
    _flow("new_spammers", "members who turned spammer today", "members", "count", WORSE),
    _flow("went_dormant", "new or active members who went dormant today", "members", "count", WORSE),
    _flow("reactivated", "dormant members who became active today (awakening)", "members", "count", BETTER),
    _flow("applicants", "potential people who arrived today (before the entry threshold)", "people"),
    _flow("kols_quit", "KOLs who quit today (burnout or planned departure)", "KOLs", "count", WORSE),
    _flow("kols_cultivated", "members turned into KOLs today", "KOLs"),
    _flow(
        "kols_eliminated", "KOLs let go today for output below the operator's bar (staff.eliminate_below_posts)", "KOLs"
    ),
    _flow("staff_hired", "admins and KOLs hired today within the staff budget (copied groups, cultivation)", "agents"),
    _daily("groups", "groups with at least one member", "groups"),
    _flow("groups_opened", "groups opened or split off today", "groups"),
    _flow("groups_died", "groups that died today: silent, taken over by ads, or empty (§7.11)", "groups"),
    _flow("groups_closed", "dead groups the operator archived, dissolved or merged today", "groups"),
    _flow("members_moved", "members of dissolved or merged groups who moved into another group today", "people"),
    _daily("groups_alive", "groups that have not died (§7.11): alive, whether or not they have members", "groups"),
    _flow("splinters", "groups founded today by disaffected members of a decaying group (§7.11)", "groups"),
    _flow("returned", "people who had left and came back today (§7.11)", "people", "count", BETTER),
    _flow("promoted_to_paid", "members promoted today from a free group into a paid group (§7.11)", "members"),
    _mean(
        "groups_per_member",
        "mean number of groups a member is in (1 unless groups.max_groups_per_member > 1, §7.11)",
        "groups",
    ),
    _mean("multi_group_share", "share of members in two groups or more (§7.11)", "0..1", "share"),
    _flow(
        "joined_another_group",
        "members who joined a further group today keeping theirs: a decaying group, a friend's invitation, or a "
        "promotion that keeps the free group (§7.11)",
        "members",
    ),
    _flow(
        "groups_dropped",
        "memberships ended today by members who stayed in the community through another group: their leave "
        "hazard fired and they dropped their worst group, or a group of theirs was dissolved or merged (§7.11)",
        "memberships",
    ),
    _daily("max_group_size", "members in the largest group", "members"),
    _mean("mean_satisfaction", "mean satisfaction of members", "value units", "level", BETTER),
    _mean("mean_ties", "mean ties per member", "ties", "level", BETTER),
    _mean(
        "mean_tie_value",
        "mean tie value of members, 1 - exp(-ties / value.ties_saturation), 0..1",
        "0..1",
        "level",
        BETTER,
    ),
    _mean(
        "top1_message_share",
        "share of today's member messages written by the top 1% of members (NaN for well_mixed)",
        "% of messages",
        "share",
    ),
    _mean(
        "top10_message_share",
        "share of today's member messages written by the top 10% of members (NaN for well_mixed)",
        "% of messages",
        "share",
    ),
    _flow("invitations", "invitations sent to friends today (friendship network; 0 for well_mixed)", "invitations"),
    _flow(
        "invitations_accepted",
        "invitations accepted today (before the entry threshold; 0 for well_mixed)",
        "invitations",
        "count",
        BETTER,
    ),
    _flow(
        "joined_friends_0",
        "people who joined today with no friend already in their group (NaN for well_mixed)",
        "people",
    ),
    _flow(
        "joined_friends_1",
        "people who joined today with 1 friend already in their group (NaN for well_mixed)",
        "people",
    ),
    _flow(
        "joined_friends_2",
        "people who joined today with 2 friends already in their group (NaN for well_mixed)",
        "people",
    ),
    _flow(
        "joined_friends_3plus",
        "people who joined today with 3 or more friends already in their group (NaN for well_mixed)",
        "people",
    ),
    _daily("kols", "KOLs", "KOLs"),
    _daily("admins", "admins", "admins"),
    _mean(
        "moderation_coverage",
        "share of moderation work done (member-weighted mean over groups)",
        "% of work",
        "share",
        BETTER,
    ),
    _mean("activity_lift", "participation lift from today's activities (0.1: members post 10% more)", "fraction"),
    _flow("fee_revenue", "entry and renewal fees today", "currency", "money", BETTER),
    _flow("product_revenue", "product sales today", "currency", "money", BETTER),
    _flow("revenue", "fee_revenue + product_revenue + tier_revenue", "currency", "money", BETTER),
    _daily("cumulative_revenue", "revenue summed from day 1", "currency", "money", BETTER),
    _flow("purchases", "product purchases today (first purchases and repurchases)", "purchases", "count", BETTER),
    _flow(
        "first_purchases",
        "members who bought for the first time today: converted into customers (转化)",
        "customers",
        "count",
        BETTER,
    ),
    _flow("repurchases", "purchases today by members who had bought before (回购)", "purchases", "count", BETTER),
    _daily("customers", "members who have bought at least once", "members", "count", BETTER),
    _mean(
        "conversion_cycle",
        "days from joining to the first purchase, mean over today's first purchases by people who joined during "
        "the run (转换周期; NaN when there are none)",
        "days",
        "days",
    ),
    _daily("tier_members", "members whose paid membership tier runs today (会员)", "members", "count", BETTER),
    _flow("tier_revenue", "membership-tier periods bought or renewed today, at membership.price", "currency", "money"),
    _flow("tier_lapsed", "membership-tier periods that ended today without renewal", "members", "count", WORSE),
    _flow(
        "ad_accounts_joined",
        "ad accounts from outside who passed the entry threshold and joined today (ads.outside_accounts)",
        "accounts",
        "count",
        WORSE,
    ),
    _flow("admin_hours", "admin hours today", "hours", "level"),
    _flow("kol_hours", "KOL hours today", "hours", "level"),
    _flow(
        "operator_cost",
        "admin and KOL hours at their rates plus rewards, activity money and channel spend",
        "currency",
        "money",
        WORSE,
    ),
    _flow(
        "acquisition_cost",
        "channel spend and prices per arrival plus referral rewards today (part of operator_cost)",
        "currency",
        "money",
        WORSE,
    ),
    _mean("new_rate", "joined / members at the start of the day (新增率)", "% of members", "share", BETTER),
    _mean(
        "conversion_rate",
        "first purchases today / members at the start of the day who had not bought yet (转化率: into customers)",
        "% of non-customers",
        "share",
        BETTER,
    ),
    _mean(
        "graduation_rate",
        "new members who became active today / new members at the start of the day (past onboarding)",
        "% of new members",
        "share",
        BETTER,
    ),
    _mean(
        "churn_rate",
        "members who left or were kicked today / (members at the start of the day + joined) (流失率)",
        "% of members",
        "share",
        WORSE,
    ),
    _mean(
        "reactivation_rate",
        "dormant members reactivated today / dormant at the start of the day (觉醒率)",
        "% of dormant members",
        "share",
        BETTER,
    ),
    # ISOOC health score of seed 002 (docs/ODD.md §9.5), from the per-group record (sim.group_metrics)
    *(
        _mean(f"isooc_{element}", f"ISOOC {element} ({words}) of the community, 0..1 (§9.5)", "0..1", "level", BETTER)
        for element, words in ISOOC_WORDS.items()
    ),
    _mean("isooc_score", "ISOOC score of the community: the mean of its five elements, 0..1", "0..1", "level", BETTER),
)
"""The daily columns of `model.metrics()`, in order."""

SUMMARY: tuple[Kpi, ...] = (
    Kpi("days", "days simulated", "days", "days", "run", label="Days simulated"),
    _count(
        "peak_members",
        "largest number of members on any day",
        "members",
        "Peak members",
        "peak membership",
        up="higher",
        down="lower",
        direction=BETTER,
    ),
    Kpi(
        "day_of_peak",
        "first day with that many members",
        "day",
        "days",
        "run",
        label="Day of the peak",
        up="later",
        down="earlier",
        template="membership peaks {amount} {dir}",
    ),
    _count("final_members", "members on the last day", "members", "Members at the end", direction=BETTER),
    _count(
        "final_active", "new + active members on the last day", "members", "Active members at the end", direction=BETTER
    ),
    _count("total_joined", "people who joined during the run", "people", "Joins", direction=BETTER),
    Kpi(
        "activity_half_life",
        "days from the peak of messages (7-day mean) until it first falls below half; null if it never does",
        "days",
        "days",
        "run",
        label="Activity half-life",
        direction=BETTER,
        up="longer",
        down="shorter",
        relative=True,
        template="{amount} {dir} {noun}",
        undefined="activity never halves",
    ),
    Kpi(
        "time_to_death",
        "first day the 7-day mean of messages falls below 1% of its peak; null if never",
        "day",
        "days",
        "run",
        label="Day activity dies out",
        direction=BETTER,
        up="later",
        down="earlier",
        template="activity dies out {amount} {dir}",
        undefined="activity never dies out",
    ),
    Kpi(
        "ad_share",
        "ad messages / (member messages + ad messages) over the run",
        "% of messages",
        "share",
        "run",
        label="Ad share",
        direction=WORSE,
        undefined="no messages",
    ),
    Kpi(
        "retention_30d",
        "share of people who joined on day 1..days-30 still members 30 days later",
        "% of joiners",
        "share",
        "run",
        label="30-day retention",
        direction=BETTER,
        undefined="too few days or no joiners",
    ),
    Kpi(
        "revenue_total",
        "fees and product revenue over the run",
        "currency",
        "money",
        "run",
        label="Revenue",
        direction=BETTER,
        up="more",
        down="less",
        relative=True,
        template="{amount} {dir} {noun}",
    ),
    Kpi(
        "operator_cost_total",
        "operator cost over the run",
        "currency",
        "money",
        "run",
        label="Operator cost",
        direction=WORSE,
        relative=True,
        template="{amount} {dir} {noun}",
    ),
    Kpi("profit", "revenue_total - operator_cost_total", "currency", "money", "run", label="Profit", direction=BETTER),
    Kpi(
        "acquisition_cost_total",
        "channel spend and prices per arrival plus referral rewards over the run",
        "currency",
        "money",
        "run",
        label="Acquisition cost",
        direction=WORSE,
        relative=True,
        template="{amount} {dir} {noun}",
    ),
    Kpi(
        "cac",
        "customer acquisition cost: acquisition_cost_total / people who joined during the run",
        "currency/join",
        "money",
        "run",
        label="CAC",
        noun="acquisition cost per join",
        direction=WORSE,
        undefined="no joins",
    ),
    Kpi(
        "cost_per_retained_member",
        "acquisition_cost_total / people who joined during the run and are members at the end",
        "currency/member",
        "money",
        "run",
        label="Cost per retained member",
        direction=WORSE,
        undefined="no joiner stayed",
    ),
    Kpi(
        "ltv",
        "revenue per person who joined during the run, to the run's end (products; the entry fee when paid)",
        "currency/join",
        "money",
        "run",
        label="LTV",
        noun="revenue per join",
        direction=BETTER,
        undefined="no joins",
    ),
    Kpi(
        "mean_satisfaction_final",
        "mean satisfaction of members on the last day",
        "value units",
        "level",
        "run",
        label="Final satisfaction",
        direction=BETTER,
        undefined="no members left",
    ),
    _count("peak_groups", "largest number of groups", "groups", "Peak groups", "groups at the peak"),
    _count("kicked_total", "members kicked over the run", "members", "Kicked", "kicks"),
    _count(
        "first_purchases_total",
        "members who became customers (first purchase) during the run",
        "customers",
        "New customers",
        "new customers",
        direction=BETTER,
    ),
    _count("repurchases_total", "repurchases over the run", "purchases", "Repurchases", direction=BETTER),
    Kpi(
        "conversion_cycle_mean",
        "days from joining to the first purchase, mean over the people who joined and converted during the run",
        "days",
        "days",
        "run",
        label="Conversion cycle",
        up="longer",
        down="shorter",
        relative=True,
        template="{amount} {dir} {noun}",
        undefined="nobody who joined bought",
    ),
    _count(
        "tier_members_final",
        "members of the paid membership tier on the last day",
        "members",
        "Tier members at the end",
        "tier members",
        direction=BETTER,
    ),
    _count(
        "ad_accounts_total",
        "ad accounts from outside who joined during the run",
        "accounts",
        "Ad accounts",
        "ad accounts",
        direction=WORSE,
    ),
    Kpi(
        "referral_share",
        "share of joins that came by referral",
        "% of joins",
        "share",
        "run",
        label="Referral share",
        noun="referral share of joins",
        undefined="no joins",
    ),
    # ISOOC health score of seed 002 (docs/ODD.md §9.5)
    *(
        Kpi(
            f"isooc_{element}_final",
            f"ISOOC {element} ({words}), mean of the last {ISOOC_WINDOW} days, 0..1",
            "0..1",
            "level",
            "run",
            label=f"ISOOC {element}",
            direction=BETTER,
            undefined="no members",
        )
        for element, words in {**ISOOC_WORDS, "score": "the mean of the five"}.items()
    ),
    _count(
        "groups_died_total", "groups that died during the run (silent, ad groups or empty)", "groups", "Groups died"
    ),
    _count("groups_alive_final", "groups alive on the last day", "groups", "Groups alive at the end", direction=BETTER),
    Kpi(
        "median_group_lifetime",
        "median over the groups that died of the days from their opening to their death; null if none died",
        "days",
        "days",
        "run",
        label="Median time to a group's death",
        direction=BETTER,
        up="longer",
        down="shorter",
        relative=True,
        template="{amount} {dir} {noun}",
        undefined="no group died",
    ),
    Kpi(
        "silent_death_share",
        "share of the groups that died which died silent (no genuine messages)",
        "% of dead groups",
        "share",
        "run",
        label="Silent deaths",
        noun="share of silent deaths",
        undefined="no group died",
    ),
    Kpi(
        "ad_death_share",
        "share of the groups that died which died as ad groups (ads dominate what is visible)",
        "% of dead groups",
        "share",
        "run",
        label="Ad-group deaths",
        direction=WORSE,
        noun="share of ad-group deaths",
        undefined="no group died",
    ),
    Kpi(
        "group_size_cv",
        "coefficient of variation (std / mean) of members over the groups with members on the last day",
        "ratio",
        "level",
        "run",
        label="Spread of group sizes",
        undefined="no group with members",
    ),
    _count("splinter_groups", "groups founded by members during the run (splinters)", "groups", "Splinter groups"),
    _count("returned_total", "returns of people who had left, over the run", "people", "Returns", direction=BETTER),
    Kpi(
        "funnel_conversion",
        "share of the people ever in a free group who were promoted into a paid group; null without paid groups",
        "% of free-group members",
        "share",
        "run",
        label="Funnel conversion",
        direction=BETTER,
        noun="funnel conversion",
        undefined="no paid group",
    ),
)
"""The whole-run outcomes of `model.summary()`, in order."""

REGISTRY: tuple[Kpi, ...] = DAILY + SUMMARY
KPIS: dict[str, Kpi] = {k.name: k for k in REGISTRY}
"""Every KPI by name (daily columns and whole-run outcomes share one name space)."""


def kpi(name: str) -> Kpi:
    """Return the registry's entry of `name`; a name without one is spoken of by its name, as a level."""
    return KPIS.get(name) or Kpi(name, "", "", "level", "run", label=name, noun=name.replace("_", " "))


def jsonable(value: Any) -> Any:
    """Convert KPI values to plain JSON: numpy scalars to Python, NaN/inf/NA to None.

    JSON has no NaN, and a KPI that is undefined for a run (say, no half-life
    because activity never halved) is better read back as null than as a number.
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def format_kpi(name: str, value: Any) -> str:
    """Format one KPI for the terminal by its kind: shares as %, money with 2 decimals, counts with separators."""
    value = jsonable(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        kind = kpi(name).kind
        if kind == "share":
            return f"{value:.1%}"
        if kind == "money":
            return f"{value:,.2f}"
        if value.is_integer():
            return f"{value:,.0f}"
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)
