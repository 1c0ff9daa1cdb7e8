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
    _flow("revenue", "fee_revenue + product_revenue", "currency", "money", BETTER),
    _daily("cumulative_revenue", "revenue summed from day 1", "currency", "money", BETTER),
    _flow("purchases", "product purchases today", "purchases", "count", BETTER),
    _flow("admin_hours", "admin hours today", "hours", "level"),
    _flow("kol_hours", "KOL hours today", "hours", "level"),
    _flow(
        "operator_cost",
        "admin and KOL hours at their rates plus rewards and activity money",
        "currency",
        "money",
        WORSE,
    ),
    _mean("new_rate", "joined / members at the start of the day (新增率)", "% of members", "share", BETTER),
    _mean(
        "conversion_rate",
        "new members who became active today / new members (转化率)",
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
