"""DayContext: what happened so far today, passed from one phase of the day to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.groups import grow_culture
from sim.population import ACTIVE, NEW, POTENTIAL
from sim.rules import value as value_rules
from sim.rules.daystep import ChainRates, DayPlan, auto_substeps, plan_day

if TYPE_CHECKING:
    from sim.model import CommunityModel
    from sim.scenario.schema import Scenario

_EMPTY_ROWS = np.zeros(0, dtype=np.intp)


def _rows() -> np.ndarray:
    return _EMPTY_ROWS.copy()


@dataclass
class Trend:
    """The population terms of today's hazards, placed within the day rather than at its start.

    Hazards that depend on the population (referrers A/M, the share who left R/M, the
    active share a) change during a day; evaluating them at the start of the day would
    bias a day-long step by O(1 day). Two predictors, by the value-feedback switch:

    - feedback off: every member of a stage shares its hazards, so today's course is
      planned from the counts at the start of the day and the member chain itself, in
      `substeps` sub-steps (`sim.rules.daystep.plan_day`); members move with the plan's
      day transition (the product of the sub-steps').
    - feedback on: hazards differ member by member; the terms move linearly over the
      day, at yesterday's pace (its flows, joins excluded) plus today's expected joins,
      and are taken at the midpoint of each sub-step. On day 1, "yesterday's" flows are
      those the chain plan expects at the bare rates.
    """

    rates: ChainRates
    feedback: bool = True
    substeps: int = 1
    engaged_change: float = 0.0  # change of new + active members yesterday, joins excluded
    members_change: float = 0.0  # change of members yesterday, joins excluded
    exits: float = 0.0  # members who left or were kicked yesterday
    pass_share: float = 1.0  # share of yesterday's arrivals who passed the threshold and found room
    gone: int = 0  # people who left or were kicked, all days so far (R)
    plan: DayPlan | None = None  # today's plan (feedback off)
    _seen_a_day: bool = False

    @classmethod
    def of(cls, sc: Scenario) -> Trend:
        """Build the predictor for a scenario: its bare rates, feedback switch and sub-steps (0 = auto)."""
        # read here, not from sim.meanfield.Rates, so that `verify` compares two independent readings
        acq, pool = sc.acquisition, float(sc.population.potential_pool)
        rates = ChainRates(
            pool=pool,
            external=acq.external_rate + acq.channel_inflow_per_day / pool,
            referral=acq.referral_rate * (1.0 + acq.referral_incentive),
            base_leave=sc.churn.base_rate,
            peer_leave=sc.churn.peer_rate,
            dormant_multiplier=sc.churn.dormant_multiplier,
            decay=sc.activity.decay_rate,
            reactivation=sc.activity.reactivation_rate,
            peer_reactivation=sc.activity.peer_reactivation_rate,
        )
        fb = sc.dynamics.value_feedback
        substeps = sc.dynamics.substeps or (1 if fb else auto_substeps(rates.largest))
        return cls(rates=rates, feedback=fb, substeps=substeps)

    @property
    def plans_today(self) -> bool:
        """True when today's terms come from a day plan (feedback off, or the first day): it needs the counts."""
        return not self.feedback or not self._seen_a_day

    def begin(self, potential: int, engaged: int, dormant: int, awaken: float) -> None:
        """Open the day from the counts at its start: plan it (feedback off), or seed day 1's flows."""
        if not self.plans_today:
            return
        start = (potential, engaged, dormant, self.gone)
        plan = plan_day(start, self.rates, self.substeps, pass_share=self.pass_share, awaken=awaken)
        if self.feedback:
            self.engaged_change, self.members_change, self.exits = plan.changes
        else:
            self.plan = plan

    def update(self, record: dict[str, float], ctx: DayContext) -> None:
        """Remember today's flows for tomorrow."""
        engaged_end = record["new"] + record["active"]
        self.engaged_change = engaged_end - ctx.engaged_rows.size - record["joined"]
        self.members_change = record["members"] - ctx.member_rows.size - record["joined"]
        self.exits = record["left_today"] + record["kicked_today"]
        self.pass_share = record["joined"] / ctx.applicants if ctx.applicants else 1.0
        self.gone = int(record["left"] + record["kicked"])
        self._seen_a_day = True

    def midday_engaged(self, start: int, joins: float) -> float:
        """Return new + active members at mid-day (the referrers of the join hazard).

        With a plan: averaged over the day's sub-steps; otherwise start + (joins +
        yesterday's other change) / 2.
        """
        if self.plan is not None:
            return self.plan.referrers
        return max(0.0, start + 0.5 * (joins + self.engaged_change))

    def terms(self, members: int, engaged: int, joins: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(active share a, left share R/M) at the midpoint of each sub-step of today.

        `members` and `engaged` count them at the start of the day, `joins` today's.
        """
        if self.plan is not None:
            return self.plan.active_shares, self.plan.left_shares
        actives, lefts = [], []
        for k in range(self.substeps):
            t = (k + 0.5) / self.substeps
            n = max(0.0, members + t * (joins + self.members_change))
            e = max(0.0, engaged + t * (joins + self.engaged_change))
            actives.append(min(1.0, e / n) if n else 0.0)
            lefts.append((self.gone + t * self.exits) / self.rates.pool)
        return tuple(actives), tuple(lefts)


@dataclass
class DayContext:
    """State of one day in progress. Per-group arrays are indexed by group id."""

    day: int
    member_rows: np.ndarray  # members at the start of the day
    engaged_rows: np.ndarray  # new or active members at the start of the day
    activities: list[int]  # indexes of the activities running today
    start_counts: np.ndarray  # members by stage at the start of the day
    lift: float = 0.0
    novelty_refresh: float = 0.0
    activity_ties: float = 0.0
    awaken: float = 0.0
    # acquisition
    applicants: int = 0
    refused_threshold: int = 0
    refused_full: int = 0
    joined_rows: np.ndarray = field(default_factory=_rows)
    joined_channel: int = 0
    joined_referral: int = 0
    joined_organic: int = 0
    groups_opened: int = 0
    review_minutes: float = 0.0
    sizes: np.ndarray | None = None  # members per group once today's newcomers are placed
    occupied: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # groups with members
    kol_activity_g: list = field(default_factory=list)  # activity minutes each serving KOL gives a group today
    # output and posting
    quality_posts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    content_posts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    admin_capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    kol_help: np.ndarray = field(default_factory=lambda: np.zeros(0))  # KOL minutes helping admins, per group
    messages_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ads_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    replies: int = 0
    spam_rows: np.ndarray = field(default_factory=_rows)
    spam_ads: np.ndarray = field(default_factory=_rows)
    poster_rows: np.ndarray = field(default_factory=_rows)
    poster_rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    posts_log: list = field(default_factory=list)  # (row, rate) of posters, agents engine only
    ads_log: list = field(default_factory=list)  # (row, ads) of spammers, agents engine only
    # moderation
    coverage: np.ndarray = field(default_factory=lambda: np.zeros(0))  # share of moderation work done
    enforcement: np.ndarray = field(default_factory=lambda: np.zeros(0))  # coverage x strictness
    focus: np.ndarray = field(default_factory=lambda: np.zeros(0))  # share of off-topic chatter deleted
    off_topic_removed: int = 0
    ads_removed_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    welcomed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    welcomed_rows: set = field(default_factory=set)  # agents engine only
    false_flags: int = 0
    kicked_today: int = 0
    warnings_today: int = 0
    # value terms per group (after moderation)
    size_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    engaged_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    engaged_list: list = field(default_factory=list)  # engaged_g as a list, for per-KOL lookups
    content_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chat_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    annoyance_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    crowd_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tie_rate_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    identity_g: np.ndarray = field(default_factory=lambda: np.zeros(0))  # commitment from topical focus
    left_shares: tuple[float, ...] = ()  # R/M, share of the pool who left or were kicked, in each sub-step
    active_shares: tuple[float, ...] = ()  # a, share of members who are new or active, in each sub-step
    # moves
    left_today: int = 0
    first_day_left: int = 0
    new_to_active: int = 0
    active_to_dormant: int = 0
    dormant_to_active: int = 0
    new_spammers: int = 0
    # money
    fee_revenue: float = 0.0
    product_revenue: float = 0.0
    purchases: int = 0
    operator_money: float = 0.0
    # KOLs and groups
    kols_quit: int = 0
    kols_cultivated: int = 0
    splits: int = 0

    @classmethod
    def start(cls, model: CommunityModel, day: int) -> DayContext:
        """Open the day: who is a member, who is engaged, which activities run."""
        people = model.people
        rows = people.members()
        st = people.stage[rows]
        running = [i for i, until in model.activity_until.items() if day <= until]
        ctx = cls(
            day=day,
            member_rows=rows,
            engaged_rows=rows[(st == NEW) | (st == ACTIVE)],
            activities=running,
            start_counts=np.bincount(st, minlength=7),
        )
        for i in running:
            eff = model.effects[i]
            ctx.lift += eff.lift
            ctx.novelty_refresh = 1.0 - (1.0 - ctx.novelty_refresh) * (1.0 - eff.novelty)
            ctx.activity_ties += eff.ties / eff.duration
            ctx.awaken = 1.0 - (1.0 - ctx.awaken) * (1.0 - eff.awaken)
        engaged, trend = ctx.engaged_rows.size, model.trend
        potential = int(np.count_nonzero(people.stage == POTENTIAL)) if trend.plans_today else 0
        trend.begin(potential, engaged, rows.size - engaged, ctx.awaken)
        return ctx


def group_terms(model: CommunityModel, ctx: DayContext, size: np.ndarray, engaged: np.ndarray) -> None:
    """Set the day's per-group value terms, the same whichever engine runs the members.

    `size` and `engaged` count members and new-or-active members per group after
    today's joins and kicks. Also draws which messages are replies (a message is a
    reply with probability equal to how lively the conversation is), and places the
    population terms of the hazards (active share a, left share R/M) within the day.
    """
    sc = model.params
    val = sc.value
    ctx.size_g, ctx.engaged_g = size, engaged
    ctx.content_g = value_rules.content_value(ctx.quality_posts, val.content_saturation)
    visible_messages = ctx.messages_g * (1.0 - val.off_topic_share * ctx.focus)
    ctx.chat_g = value_rules.chat_value(visible_messages, size, val.chat_saturation, val.crowd_size)
    ctx.tie_rate_g = val.tie_rate * (1.0 - val.off_topic_share * ctx.focus)  # off-topic chatter builds ties
    ctx.identity_g = sc.moderation.focus_commitment * ctx.focus  # a focused group binds to its topic
    ctx.replies = int(model.rng.binomial(ctx.messages_g.astype(np.int64), np.clip(ctx.chat_g, 0, 1)).sum())
    visible = ctx.ads_g - (1.0 - sc.moderation.removed_ad_visibility) * ctx.ads_removed_g
    ctx.annoyance_g = value_rules.annoyance(visible, size, val.ad_annoyance, val.ad_saturation)
    ctx.crowd_g = value_rules.crowd_factor(size, val.crowd_size)
    ctx.active_shares, ctx.left_shares = model.trend.terms(
        ctx.member_rows.size, ctx.engaged_rows.size, ctx.joined_rows.size
    )


def update_groups(model: CommunityModel, ctx: DayContext) -> None:
    """Culture grows with participation; the 7-day mean of messages per member is updated."""
    n_groups = model.groups.count
    size, sc = ctx.size_g, model.params
    participation = np.divide(ctx.engaged_g, size, out=np.zeros(n_groups), where=size > 0)
    model.groups.culture = grow_culture(model.groups.culture, participation, sc.groups.culture_growth)
    per_member = np.divide(ctx.messages_g, size, out=np.zeros(n_groups), where=size > 0)
    ema = model.groups.chat_per_member
    seen = np.isfinite(ema)
    ema[seen] += (per_member[seen] - ema[seen]) / 7.0
    ema[~seen] = per_member[~seen]
