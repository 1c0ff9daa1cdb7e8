"""CommunityModel: a Mesa model of a community of chat groups; one step is one day.

The model owns the people table (members as numpy columns), the groups, the KOL and
admin agents and the activities calendar (Mesa events). A day runs in this order:

1. acquisition: potential people arrive from channels and referrals and pass (or not)
   the entry threshold; newcomers are routed to groups, new groups opened if needed;
2. output: KOLs and admins post content within their time budgets;
3. members post messages and ads (the engine);
4. moderation: admins, within their attention, remove ads, warn and kick, welcome;
5. members take value, update satisfaction, and move between stages (the engine);
6. KOLs' motivation, burnout and cultivation; groups split per policy;
7. the day's metrics are recorded.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.time import Priority, Schedule

from sim import metrics
from sim.agents import KOL, Admin, Member
from sim.engines import agents as agent_engine
from sim.engines import vectorized
from sim.engines.day import DayContext
from sim.engines.member_day import engagement
from sim.engines.trend import Trend
from sim.groups import GroupTable, groups_to_split, inherited_culture, route_newcomers
from sim.memory import reuse_freed_memory
from sim.population import (
    ACTIVE,
    CHANNEL,
    INITIAL,
    KICKED,
    LEFT,
    NEW,
    ORGANIC,
    POTENTIAL,
    PROMOTED,
    REFERRAL,
    draw_people,
)
from sim.random import Draws, seed_integer
from sim.rules import activities as activity_rules
from sim.rules import ads as ad_rules
from sim.rules.entry import commitment as threshold_commitment
from sim.rules.entry import pass_probability
from sim.rules.hazards import join_hazard, step_probability
from sim.scenario.schema import Scenario

ENGINES = {"vectorized": vectorized, "agents": agent_engine}


class CommunityModel(mesa.Model):
    """A community of one or more chat groups under the levers of a scenario.

    Parameters
    ----------
    scenario:
        a validated `Scenario` (see `sim.load_scenario`).
    rng:
        seed (int or SeedSequence) or numpy Generator; default: the scenario's `run.seed`.
    engine:
        how member behaviour runs: "vectorized" (default) applies the rules to all
        members at once; "agents" calls `Member.post` and `Member.live` on every
        member agent in random order (`shuffle_do`), the readable reference.
    """

    def __init__(self, scenario: Scenario, rng: Any = None, engine: str = "vectorized") -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine: unknown engine {engine!r}; allowed values: {', '.join(ENGINES)}")
        reuse_freed_memory()
        seed = scenario.run.seed if rng is None else rng
        self.draws = Draws(seed_integer(seed))  # every draw of the run, keyed (sim.random)
        super().__init__(rng=seed)
        self.params = scenario
        self.engine = engine
        self._engine = ENGINES[engine]
        self._serials: dict[str, int] = {}
        self.people = draw_people(scenario.population, self.draws.generator("population"))
        # acquisition by exponential clocks: a potential person arrives on the day the
        # cumulative join hazard (the same for every potential person) passes their clock
        self.cumulative_join_hazard = 0.0
        self.arrival_clock = -np.log1p(-self.draws.uniform("acquisition.clock", 0, np.arange(self.people.size)))
        self.groups = GroupTable()
        self.commitment_on_entry = threshold_commitment(scenario.entry.threshold, scenario.entry.commitment)
        self.records: list[dict[str, float]] = []
        self.activity_until: dict[int, int] = {}
        self.effects = [
            activity_rules.effect(
                a.kind,
                every=a.every,
                lift=a.lift,
                duration=a.duration,
                admin_minutes=a.admin_minutes,
                kol_minutes=a.kol_minutes,
                money=a.money,
                novelty=a.novelty,
                ties=a.ties,
                awaken=a.awaken,
            )
            for a in scenario.activities
        ]
        self.kols_lost = 0
        self._kols_left_overnight = 0
        self.trend = Trend.of(scenario)
        self._views: dict[int, Member] = {}
        self._found(scenario)
        self._schedule_calendar(scenario)

    # ---------------------------------------------------------------- set-up
    def _found(self, sc: Scenario) -> None:
        """Day 0: the founding members, groups, admins and KOLs."""
        n0 = sc.population.initial_members
        n_groups = max(1, math.ceil(n0 / sc.groups.capacity))
        for _ in range(n_groups):
            self.groups.open(sc.groups.initial_culture, 0)
        n_left = sc.population.initial_left
        rows = self.draws.generator("founding").choice(self.people.size, size=n0 + n_left, replace=False)
        self.arrival_clock[rows] = np.inf
        rows, former = rows[:n0], rows[n0:]
        self._admit(rows, np.arange(n0, dtype=np.int32) % n_groups, day=0, source=INITIAL)
        self.people.stage[rows] = ACTIVE
        self.people.source[former] = INITIAL
        self.people.join_day[former] = 0
        self.people.exit(former, LEFT, 0)
        self.trend.gone = n_left
        for groups in _share_out(n_groups, sc.roles.admins):
            Admin(self, groups, sc.roles.admin_minutes_per_day)
        for groups in _share_out(n_groups, sc.roles.kols):
            KOL(self, groups)

    def _schedule_calendar(self, sc: Scenario) -> None:
        """Put activities and planned events on Mesa's event calendar.

        An event for day d fires at time d - 0.5, between the steps of days d-1 and d,
        so that it shapes day d.
        """
        self._calendar = [partial(self._start_activity, i, eff.duration) for i, eff in enumerate(self.effects)]
        for plan, eff, start in zip(sc.activities, self.effects, self._calendar, strict=True):
            # Mesa keeps only a weak reference to the callable: self._calendar keeps it alive
            self.schedule_recurring(
                start,
                Schedule(interval=eff.every, start=plan.start - 0.5, end=None if plan.end is None else plan.end - 0.5),
                priority=Priority.HIGH,
            )
        if sc.kol.leave_day is not None:
            self.schedule_event(self._all_kols_leave, at=sc.kol.leave_day - 0.5, priority=Priority.HIGH)

    def _start_activity(self, index: int, duration: int) -> None:
        self.activity_until[index] = self.steps + duration  # runs on days steps+1 .. steps+duration

    def _all_kols_leave(self) -> None:
        """Remove every KOL: the planned loss (kol.leave_day); counted in tomorrow's kols_quit."""
        for kol in list(self.kols):
            self.kols_lost += 1
            self._kols_left_overnight += 1
            kol.remove()

    def new_serial(self, kind: str) -> int:
        """Return the next serial number of an agent of `kind` ("kol", "admin"): its identity in keyed draws.

        Mesa's `unique_id` would not do: Member views, made on demand, take ids too.
        """
        serial = self._serials.get(kind, 0)
        self._serials[kind] = serial + 1
        return serial

    # ---------------------------------------------------------------- Mesa API
    def _roles(self, kind: type) -> mesa.agent.AgentSet | None:
        """Return the agents of a role type (KOL, Admin), without bringing Member views up to date."""
        return super().agents_by_type.get(kind)

    @property
    def kols(self) -> list[KOL]:
        """The KOL agents currently in the community."""
        return list(self._roles(KOL) or [])

    @property
    def admins(self) -> list[Admin]:
        """The admin agents currently in the community."""
        return list(self._roles(Admin) or [])

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All agents; Member views are brought up to date with the people table first."""
        self._sync_member_views()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        """Agents by type; Member views are brought up to date with the people table first."""
        self._sync_member_views()
        return super().agents_by_type

    @property
    def members(self) -> mesa.agent.AgentSet:
        """The current members (new, active, dormant) as Mesa agents viewing the people table."""
        self._sync_member_views()
        return super().agents_by_type.get(Member) or mesa.agent.AgentSet([], random=self.random)

    def _sync_member_views(self) -> None:
        """Create Member views for rows that became members, remove views of those gone.

        Views are made on demand rather than each day: a run of a million members
        never pays for a million Python objects unless someone asks for them.
        """
        rows = self.people.members()
        current = set(rows.tolist())
        for row in [r for r in self._views if r not in current]:
            self._views.pop(row).remove()
        for row in rows.tolist():
            if row not in self._views:
                self._views[row] = Member(self, row)

    # ---------------------------------------------------------------- running
    def run(self, days: int | None = None) -> CommunityModel:
        """Advance the model by `days` days (default: the scenario's run.days)."""
        days = self.params.run.days if days is None else days
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        for _ in range(days):
            self.step()
        return self

    def step(self) -> None:
        """One day of the community."""
        day = self.steps
        ctx = DayContext.start(self.people, self.activity_until, self.effects, day)
        engaged, trend = ctx.engaged_rows.size, self.trend
        potential = int(np.count_nonzero(self.people.stage == POTENTIAL))
        trend.begin(potential if trend.plans_today else 0, engaged, ctx.member_rows.size - engaged, ctx.awaken)
        ctx.kols_quit, self._kols_left_overnight = self._kols_left_overnight, 0
        self._acquire(ctx, potential)
        self._produce_content(ctx)
        self._engine.post(self, ctx)
        self._moderate(ctx)
        self._engine.feel_and_move(self, ctx)
        self._kol_day(ctx)
        self._cultivate(ctx)
        self._split_groups(ctx)
        self.records.append(metrics.record_day(self, ctx))
        self.trend.update(self.records[-1], ctx)

    def metrics(self) -> pd.DataFrame:
        """Return the daily metrics, one row per simulated day (see `sim.metrics.DAILY_COLUMNS`)."""
        return metrics.frame(self.records)

    def group_table(self) -> pd.DataFrame:
        """Return the groups today, one row each: members, engaged members, culture, day opened, admins and KOLs."""
        people = self.people
        rows = people.members()
        n_groups = self.groups.count
        st = people.stage[rows]
        engaged = (st == NEW) | (st == ACTIVE)
        admins = np.zeros(n_groups, dtype=int)
        kols = np.zeros(n_groups, dtype=int)
        for agent in self.admins:
            np.add.at(admins, agent.groups, 1)
        for agent in self.kols:
            np.add.at(kols, agent.groups, 1)
        return pd.DataFrame(
            {
                "group": np.arange(n_groups),
                "members": np.bincount(people.group[rows], minlength=n_groups),
                "engaged": np.bincount(people.group[rows][engaged], minlength=n_groups),
                "culture": self.groups.culture,
                "opened_day": self.groups.opened_day,
                "admins": admins,
                "kols": kols,
            }
        )

    def summary(self) -> dict[str, Any]:
        """Whole-run outcomes (see `sim.metrics.summarize`)."""
        return metrics.summarize(self.metrics(), self.people, self.steps)

    # ---------------------------------------------------------------- acquisition
    def _acquire(self, ctx: DayContext, n_potential: int) -> None:
        """External inflow and referral (fission) among the `n_potential` people not yet in, filtered by the threshold.

        Each potential person joins with hazard p + channel/M + q * A / M, where A counts
        active members weighted by how willing they are to refer (Bass 1969 with
        feedback off), taken at mid-day (see `Trend`). The hazard is the same for every
        potential person, so a person arrives on the day the cumulative hazard passes
        their exponential clock (drawn once, keyed by their row): the same chance per
        day as a coin per person, and a lever that changes the hazard shifts arrivals
        a little instead of redrawing them. Each arrival is attributed to referral,
        channel or organic (p) in proportion to the three terms, then faces the entry
        threshold; one turned away gets a fresh clock.
        """
        sc, people, draws, day = self.params, self.people, self.draws, ctx.day
        pool = people.size
        if n_potential == 0:
            return
        engaged = ctx.engaged_rows
        weights = engagement(sc.dynamics, people.satisfaction[engaged]) * ~people.spammer[engaged]
        q = sc.acquisition.referral_rate * (1.0 + sc.acquisition.referral_incentive)
        channel = sc.acquisition.channel_inflow_per_day / pool
        referrers = float(weights.sum())
        start_hazard = join_hazard(sc.acquisition.external_rate + channel, q, referrers, pool)
        expected_joins = n_potential * step_probability(start_hazard) * self.trend.pass_share
        # referrers at mid-day: today's joins refer too (a newcomer weighs as one who just joined)
        newcomer_weight = float(engagement(sc.dynamics, np.array([sc.dynamics.initial_satisfaction]))[0])
        per_referrer = referrers / engaged.size if engaged.size else newcomer_weight
        referrers += per_referrer * (self.trend.midday_engaged(engaged.size, float(expected_joins)) - engaged.size)
        referral_part = join_hazard(0.0, q, referrers, pool)
        hazard = sc.acquisition.external_rate + channel + referral_part
        if hazard <= 0:
            return
        self.cumulative_join_hazard += hazard
        arrivals = np.flatnonzero(self.arrival_clock <= self.cumulative_join_hazard)
        n = arrivals.size
        if n == 0:
            return
        u = draws.uniform("acquisition.source", day, arrivals)
        referred = u < referral_part / hazard
        organic = ~referred & (u >= (referral_part + channel) / hazard)
        passed = draws.uniform("entry.pass", day, arrivals) < pass_probability(
            sc.entry.threshold,
            people.interest[arrivals],
            people.wtp[arrivals],
            referred,
            fee=sc.entry.fee,
            invite_code_share=sc.entry.invite_code_share,
            review_min_interest=sc.entry.review_min_interest,
            task_effort=sc.entry.task_effort,
        )
        ctx.applicants = n
        ctx.refused_threshold = int(n - passed.sum())
        self._rearm(arrivals[~passed], day)
        arrivals, referred, organic = arrivals[passed], referred[passed], organic[passed]
        inviters = np.full(arrivals.size, -1, dtype=np.int32)
        if referred.any() and engaged.size:
            cumulative = np.cumsum(weights)
            pick = draws.uniform("acquisition.inviter", day, arrivals[referred]) * cumulative[-1]
            inviters[referred] = engaged[np.minimum(np.searchsorted(cumulative, pick, side="right"), engaged.size - 1)]
        preferred = np.where(inviters >= 0, people.group[np.maximum(inviters, 0)], -1).astype(np.int32)
        groups = self._place(preferred, ctx)
        placed = groups >= 0
        ctx.refused_full = int((~placed).sum())
        self._rearm(arrivals[~placed], day)
        arrivals, referred, inviters, groups = arrivals[placed], referred[placed], inviters[placed], groups[placed]
        organic = organic[placed]
        self._admit(arrivals, groups, day, np.select([referred, organic], [REFERRAL, ORGANIC], CHANNEL))
        people.invited_by[arrivals] = inviters
        has_inviter = inviters >= 0
        people.ties[arrivals[has_inviter]] += 1.0  # a referred newcomer knows its inviter
        ctx.joined_rows = arrivals
        ctx.joined_referral = int(referred.sum())
        ctx.joined_organic = int(organic.sum())
        ctx.joined_channel = int(arrivals.size - ctx.joined_referral - ctx.joined_organic)
        if sc.entry.threshold == "paid":
            ctx.fees_paid += arrivals.size
        ctx.operator_money += sc.acquisition.referral_reward * ctx.joined_referral
        ctx.review_minutes = sc.entry.review_minutes * n if sc.entry.threshold == "review" else 0.0

    def _rearm(self, rows: np.ndarray, day: int) -> None:
        """Arrivals turned away stay potential, with a fresh exponential clock from today's cumulative hazard."""
        if rows.size:
            fresh = -np.log1p(-self.draws.uniform("acquisition.rearm", day, rows))
            self.arrival_clock[rows] = self.cumulative_join_hazard + fresh

    def _place(self, preferred: np.ndarray, ctx: DayContext) -> np.ndarray:
        """Route newcomers to groups; open new groups (copies) when all are full, unless policy is none."""
        sc = self.params
        sizes = np.bincount(self.people.group[ctx.member_rows], minlength=self.groups.count)
        assigned, sizes = route_newcomers(preferred, sizes, sc.groups.capacity)
        while sc.groups.split_policy != "none" and (assigned < 0).any():
            self._open_group(parent=int(np.argmax(sizes)), day=ctx.day)
            ctx.groups_opened += 1
            sizes = np.append(sizes, 0)
            rest = np.flatnonzero(assigned < 0)
            more, sizes = route_newcomers(np.full(rest.size, -1, dtype=np.int32), sizes, sc.groups.capacity)
            assigned[rest] = more
        ctx.sizes = sizes
        return assigned

    def _admit(self, rows: np.ndarray, groups: np.ndarray, day: int, source: Any) -> None:
        """Make `rows` members of `groups` today."""
        people, sc = self.people, self.params
        self.arrival_clock[rows] = np.inf
        people.stage[rows] = NEW
        people.group[rows] = groups
        people.satisfaction[rows] = sc.dynamics.initial_satisfaction
        people.novelty[rows] = 1.0
        people.commitment[rows] = self.commitment_on_entry if day > 0 else 0.0
        people.join_day[rows] = day
        people.source[rows] = source

    def _open_group(self, parent: int, day: int) -> int:
        """Open a group copied from `parent`: culture partly inherited, core team if seeded."""
        sc = self.params.groups
        gid = self.groups.open(
            inherited_culture(
                float(self.groups.culture[parent]), sc.seed_core, sc.culture_inheritance, sc.core_culture_inheritance
            ),
            day,
        )
        if sc.seed_core:
            Admin(self, [gid], self.params.roles.admin_minutes_per_day)
            KOL(self, [gid])
        else:
            staff: list[Admin | KOL] = [*self.admins, *self.kols]
            for agent in staff:
                if parent in agent.groups:
                    agent.groups.append(gid)
        return gid

    # ---------------------------------------------------------------- output
    def _produce_content(self, ctx: DayContext) -> None:
        """Admins share out their attention and post; KOLs write within their time budgets.

        Today's activities take their cost per occurrence spread over the days they run:
        admin minutes from each occupied group's attention, KOL minutes shared among the
        KOLs serving the group, money per occupied group.
        """
        n_groups = self.groups.count
        ctx.quality_posts, ctx.content_posts = np.zeros(n_groups), np.zeros(n_groups)
        ctx.admin_capacity, ctx.kol_help = np.zeros(n_groups), np.zeros(n_groups)
        sizes = (
            ctx.sizes if ctx.sizes is not None else np.bincount(self.people.group[ctx.member_rows], minlength=n_groups)
        )
        ctx.occupied = sizes > 0
        running = [self.effects[i] for i in ctx.activities]
        kols = self.kols
        if running and kols:
            serving = np.zeros(n_groups)
            for kol in kols:
                serving[kol.groups] += 1
            per_group = sum(e.kol_minutes / e.duration for e in running)
            ctx.kol_activity_g = np.divide(per_group, serving, out=np.zeros(n_groups), where=serving > 0).tolist()
        else:
            ctx.kol_activity_g = [0.0] * n_groups
        for kind, method in ((Admin, "work"), (KOL, "write")):
            if (agents := self._roles(kind)) is not None:
                agents.shuffle_do(method, ctx)
        admin_activity = sum(e.admin_minutes / e.duration for e in running)
        staffed = ctx.admin_capacity > 0
        ctx.admin_capacity = np.maximum(0.0, ctx.admin_capacity - admin_activity * (ctx.occupied & staffed))
        ctx.admin_capacity += ctx.kol_help
        ctx.operator_money += sum(e.money / e.duration for e in running) * int(ctx.occupied.sum())
        ctx.operator_money += self.params.kol.reward_per_post * sum(k.posts_today for k in kols)

    # ---------------------------------------------------------------- moderation
    def _moderate(self, ctx: DayContext) -> None:
        """Admins catch ads within their attention and apply the ad policy; they welcome newcomers.

        Attention is shared by all of the day's work (ads, off-topic deletions, welcomes,
        reviews), so coverage falls when spam grows faster than the admins' capacity to
        remove it. Strictness scales what they catch, ads and innocent messages alike
        (newcomers, who do not know the norms yet, are flagged more often).
        """
        sc, people = self.params, self.people
        mod = sc.moderation
        n_groups = self.groups.count
        joined_g = (
            np.bincount(people.group[ctx.joined_rows], minlength=n_groups)
            if ctx.joined_rows.size
            else np.zeros(n_groups)
        )
        off_topic = sc.value.off_topic_share * ctx.messages_g
        review = ctx.review_minutes / max(1, int(ctx.occupied.sum())) * ctx.occupied
        need = mod.minutes_per_ad * ctx.ads_g + review + mod.minutes_per_off_topic * mod.off_topic_removal * off_topic
        if sc.onboarding.welcome:
            need = need + mod.minutes_per_welcome * joined_g
        ctx.coverage = ad_rules.moderation_coverage(ctx.admin_capacity, need)
        ctx.enforcement = ctx.coverage * mod.strictness
        ctx.focus = mod.off_topic_removal * ctx.enforcement
        ctx.off_topic_removed = int((off_topic * ctx.focus).sum())
        p_detect = ad_rules.detection_probability(mod.ad_policy, ctx.enforcement)
        rows, ads = ctx.spam_rows, ctx.spam_ads
        caught = self.draws.binomial("moderation.catch", ctx.day, rows, ads, p_detect[people.group[rows]])
        ctx.ads_removed_g = np.bincount(people.group[rows], weights=caught, minlength=n_groups)
        flagged = rows[caught > 0]
        if mod.false_positive_rate > 0 and mod.ad_policy != "tolerate" and ctx.poster_rows.size:
            g = people.group[ctx.poster_rows]
            newcomer = people.stage[ctx.poster_rows] == NEW
            flag_rate = mod.false_positive_rate * (1.0 + (mod.newcomer_flag_multiplier - 1.0) * newcomer)
            p_flag = step_probability(flag_rate * ctx.enforcement[g] * ctx.poster_rates)
            wrongly = ctx.poster_rows[self.draws.uniform("moderation.flag", ctx.day, ctx.poster_rows) < p_flag]
            people.satisfaction[wrongly] -= mod.wrongful_warning_hurt
            ctx.false_flags = int(wrongly.size)
            flagged = np.concatenate([flagged, wrongly])
        if mod.ad_policy != "tolerate" and flagged.size:
            people.warnings[flagged] += 1
            kick = ad_rules.sanction(mod.ad_policy, people.warnings[flagged], mod.warnings_before_kick)
            kicked = flagged[kick]
            people.exit(kicked, KICKED, ctx.day)
            ctx.kicked_today = int(kicked.size)
            warned = flagged[~kick]
            ctx.warnings_today = int(warned.size)
            deterred = self.draws.uniform("moderation.deterrence", ctx.day, warned) < mod.warn_deterrence
            stop = warned[people.spammer[warned] & deterred]
            people.spammer[stop] = False
        if sc.onboarding.welcome and ctx.joined_rows.size:
            joined, g = ctx.joined_rows, people.group[ctx.joined_rows]
            p_welcome = ctx.coverage[g] * (ctx.admin_capacity[g] > 0)
            ctx.welcomed_rows = joined[self.draws.uniform("moderation.welcome", ctx.day, joined) < p_welcome]

    # ---------------------------------------------------------------- KOLs
    def _kol_day(self, ctx: DayContext) -> None:
        ctx.engaged_list = ctx.engaged_g.tolist()
        if (kols := self._roles(KOL)) is not None:
            kols.shuffle_do("reflect", ctx)

    def _cultivate(self, ctx: DayContext) -> None:
        """Let the operator turn a highly satisfied, active member into a KOL for their group."""
        sc, people = self.params, self.people
        if sc.kol.cultivation_rate <= 0 or len(self.kols) >= sc.kol.max_kols:
            return
        if self.draws.one("roles.cultivation", ctx.day) >= step_probability(sc.kol.cultivation_rate):
            return
        rows = people.members()
        eligible = rows[
            (people.stage[rows] == ACTIVE)
            & ~people.spammer[rows]
            & (people.satisfaction[rows] >= sc.kol.cultivation_min_satisfaction)
        ]
        if eligible.size == 0:
            return
        best = int(eligible[np.argmax(people.satisfaction[eligible] * people.propensity[eligible])])
        group = int(people.group[best])
        people.exit(np.array([best]), PROMOTED, ctx.day)
        KOL(self, [group], from_member=best)
        ctx.kols_cultivated += 1

    # ---------------------------------------------------------------- groups
    def _split_groups(self, ctx: DayContext) -> None:
        """Split groups in two per the split policy (dunbar, low_activity)."""
        sc, people = self.params.groups, self.people
        rows = people.members()
        sizes = np.bincount(people.group[rows], minlength=self.groups.count)
        split = groups_to_split(
            sc.split_policy,
            sizes,
            self.groups.chat_per_member,
            self.groups.last_split,
            ctx.day,
            dunbar_size=sc.dunbar_size,
            low_activity_messages=sc.low_activity_messages,
            low_activity_min_size=sc.low_activity_min_size,
            cooldown=sc.split_cooldown,
        )
        for parent in split.tolist():
            in_group = rows[people.group[rows] == parent]
            u = self.draws.uniform("groups.split", ctx.day, in_group)
            movers = in_group[np.argsort(u)[: in_group.size // 2]]
            child = self._open_group(parent, ctx.day)
            people.group[movers] = child
            people.ties[in_group] *= 0.5  # half of one's partners are now in the other group
            self.groups.last_split[[parent, child]] = ctx.day
            self.groups.chat_per_member[child] = self.groups.chat_per_member[parent]
            ctx.splits += 1


def _share_out(n_groups: int, n_agents: int) -> list[list[int]]:
    """Return the groups served by each of `n_agents` founding KOLs or admins.

    Every group gets at least one when there are enough agents, otherwise the groups
    are dealt out in turn.
    """
    if n_agents >= n_groups:
        return [[k % n_groups] for k in range(n_agents)]
    return [list(range(k, n_groups, n_agents)) for k in range(n_agents)]
