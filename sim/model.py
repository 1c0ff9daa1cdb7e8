"""CommunityModel: a Mesa model of a community of chat groups; one step is one day.

The model owns the shared state (the people table: members as numpy columns; the
groups; the keyed random numbers; the day plan) and runs the day's mechanisms
(`sim.mechanisms`) in an explicit order, `day_order`:

1. acquisition: potential people arrive from channels and referrals and pass (or not)
   the entry threshold; newcomers are routed to groups, new groups opened if needed;
2. content output: KOLs and admins post content within their time budgets;
3. the member day, first phase: members post messages and ads;
4. moderation: admins, within their attention, remove ads, warn and kick, welcome;
5. the member day, second phase: members take value, update satisfaction, and move
   between stages;
6. groups: culture grows, the groups' message averages are updated;
7. roles: KOLs' motivation, burnout and quitting; cultivation of new KOLs;
8. groups split per policy;
9. groups: each group's phase is measured; dead groups are kept, archived, dissolved or merged;
10. the day's metrics are recorded, the community's and each group's.

Each mechanism reads its own scenario section, owns its state and publishes what it
did on the day's hand-offs (`sim.mechanisms.day`). A new mechanism is a new module
and one entry in `day_order`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim import channel_metrics, group_metrics, metrics
from sim.agents import KOL, Admin, Member
from sim.data_system import By, DataSystem, Period
from sim.engines.trend import Trend
from sim.groups import FATE_NAMES, TIER_NAMES
from sim.mechanisms.acquisition import Acquisition
from sim.mechanisms.calendar import ActivityCalendar
from sim.mechanisms.day import Day, DayStart
from sim.mechanisms.groups import GroupPolicy
from sim.mechanisms.members import ENGINES, MemberDay
from sim.mechanisms.moderation import AdModeration
from sim.mechanisms.network import Friendships
from sim.mechanisms.output import ContentOutput
from sim.mechanisms.returns import Returns
from sim.mechanisms.roles import Roles
from sim.mechanisms.staff import Staffing
from sim.memory import reuse_freed_memory
from sim.network.graph import SocialGraph
from sim.network.observables import cascades as cascade_table
from sim.population import ACTIVE, INITIAL, LEFT, NEW, draw_people
from sim.random import Draws, seed_integer
from sim.role_table import RoleTable
from sim.scenario.schema import Scenario

__all__ = ["ENGINES", "CommunityModel"]


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
    data_system:
        keep seed 003's data system (`data_system`), 5% of a run; runs of an experiment,
        which store only the daily metrics, KPIs and the per-group record, go without.
    """

    def __init__(
        self, scenario: Scenario, rng: Any = None, engine: str = "vectorized", data_system: bool = True
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine: unknown engine {engine!r}; allowed values: {', '.join(ENGINES)}")
        reuse_freed_memory()
        seed = scenario.run.seed if rng is None else rng
        self.draws = Draws(seed_integer(seed))  # every draw of the run, keyed (sim.random)
        super().__init__(rng=seed)
        self.params = scenario
        self.engine = engine
        self._serials: dict[str, int] = {}
        self.people = draw_people(scenario.population, self.draws.generator("population"))
        self.people.allow_groups(scenario.groups.max_groups_per_member)  # nothing allocated at 1
        self.records: list[dict[str, float]] = []
        self.group_records: list[dict[str, np.ndarray]] = []
        self.trend = Trend.of(scenario)
        self._views: dict[int, Member] = {}
        # the mechanisms, each with its own section, state and step
        self.kol_table, self.admin_table = RoleTable(), RoleTable()  # the KOL and Admin agents' state
        self.roles = Roles(self)
        self.staffing = Staffing(self)
        self.roles.staffing = self.staffing
        self.calendar = ActivityCalendar(self, scenario, self.roles.all_kols_leave)
        self.group_policy = GroupPolicy(self, self.roles)
        self.groups = self.group_policy.table
        self.acquisition = Acquisition(self, self.group_policy)
        self.output = ContentOutput(self, self.calendar)
        self.member_day = MemberDay(self, engine)
        self.moderation = AdModeration(self)
        # the friendship network: None for well_mixed (today's well-mixed referral, ties and irSIR terms)
        self.friendships = Friendships(self) if scenario.network.source != "well_mixed" else None
        self.acquisition.friendships = self.group_policy.friendships = self.friendships
        f = self.friendships
        gp, groups = self.group_policy, scenario.groups
        # returns, splinters and the funnel run only when the scenario asks for them
        self.returns = Returns(self, gp, self.acquisition, f) if groups.return_rate > 0 else None
        self.day_order: tuple[Callable[[Day], None], ...] = (
            self.roles.open_day,
            self.acquisition.step,
            self.acquisition.admit_ad_accounts,
            *((self.returns.step,) if self.returns else ()),
            *((f.count_joins,) if f else ()),
            self.output.step,
            self.member_day.post,
            self.moderation.step,
            *((f.bind,) if f else ()),
            self.member_day.live,
            *((f.close_day,) if f else ()),
            self.group_policy.grow,
            self.roles.reflect,
            self.staffing.step,
            self.roles.cultivate,
            self.group_policy.split,
            self.group_policy.review,
            *((gp.splinter,) if groups.splinter_rate > 0 else ()),
            *((gp.join_another,) if groups.extra_group_rate > 0 else ()),
            *((gp.invite_across,) if f and groups.extra_group_invitations > 0 else ()),
            *((gp.promote,) if gp.funnel else ()),
        )
        self._found(scenario)
        self.data = DataSystem(self) if data_system else None  # the seed-003 data system, from the founders on
        self.draws.release()

    # ---------------------------------------------------------------- set-up
    def _found(self, sc: Scenario) -> None:
        """Day 0: the founding members, groups, admins and KOLs."""
        n0 = sc.population.initial_members
        n_groups = max(1, math.ceil(n0 / sc.groups.capacity))
        for _ in range(n_groups):
            self.group_policy.open(sc.groups.initial_culture, 0)
        n_left = sc.population.initial_left
        rows = self.draws.generator("founding").choice(self.people.size, size=n0 + n_left, replace=False)
        if self.friendships is not None:
            rows = self.friendships.choose_founders(rows, n0)
        self.acquisition.withdraw(rows)
        rows, former = rows[:n0], rows[n0:]
        self.acquisition.admit(rows, np.arange(n0, dtype=np.int32) % n_groups, day=0, source=INITIAL)
        self.people.stage[rows] = ACTIVE
        self.people.source[former] = INITIAL
        self.people.join_day[former] = 0
        self.people.exit(former, LEFT, 0)
        self.trend.gone = n_left
        self.roles.found(n_groups)

    def new_serial(self, kind: str) -> int:
        """Return the next serial number of an agent of `kind` ("kol", "admin"): its identity in keyed draws.

        Mesa's `unique_id` would not do: Member views, made on demand, take ids too.
        """
        serial = self._serials.get(kind, 0)
        self._serials[kind] = serial + 1
        return serial

    # ---------------------------------------------------------------- Mesa API
    def agents_of_role(self, kind: type) -> mesa.agent.AgentSet | None:
        """Return the agents of a role type (KOL, Admin), or None; Member views are not brought up to date."""
        return super().agents_by_type.get(kind)

    @property
    def kols(self) -> list[KOL]:
        """The KOL agents currently in the community."""
        return list(self.agents_of_role(KOL) or [])

    @property
    def kols_lost(self) -> int:
        """KOLs who quit or left, all days so far."""
        return self.roles.kols_lost

    @property
    def admins(self) -> list[Admin]:
        """The admin agents currently in the community."""
        return list(self.agents_of_role(Admin) or [])

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
        """One day of the community: the mechanisms of `day_order`, then the day's metrics."""
        running = self.calendar.running(self.steps)
        effects, factors = self.calendar.running_effects(running), self.calendar.date_factors(self.steps)
        campaign = self.calendar.campaign_effect(self.steps)
        start = DayStart.of(self.people, self.steps, running, effects, factors, campaign)
        engaged, trend = start.engaged_rows.size, self.trend
        potential = self.acquisition.count_potential()
        trend.begin(potential if trend.plans_today else 0, engaged, start.member_rows.size - engaged, start.awaken)
        day = Day(start)
        for mechanism in self.day_order:
            mechanism(day)
        groups = group_metrics.record_groups(self, day)
        self.records.append(
            metrics.record_day(self, day) | group_metrics.community_isooc(groups, self.groups.opened_day)
        )
        self.group_records.append(group_metrics.keep(groups))
        if self.data is not None:
            self.data.record(day)
        trend.update(self.records[-1], start.member_rows.size, engaged, day.tally.applicants)

    @property
    def network(self) -> SocialGraph | None:
        """The friendship graph as it stands (friendships plus ties formed by talking), or None for well_mixed.

        CSR arrays `indptr`/`indices` over people-table rows; `to_networkx()` for analysis.
        """
        return None if self.friendships is None else self.friendships.ties()

    def invitations(self) -> pd.DataFrame:
        """Return every invitation of the run (inviter, invitee, day, friends_inside, accepted, joined).

        Empty for well_mixed.
        """
        if self.friendships is None:
            return pd.DataFrame(columns=["inviter", "invitee", "day", "friends_inside", "accepted", "joined"])
        return self.friendships.invitations()

    def cascades(self) -> pd.DataFrame:
        """Return the invitation forest: one row per tree (root, size, depth, Wiener index...); none for well_mixed."""
        if self.friendships is None:
            return cascade_table([], [], [], [])
        return self.friendships.cascades()

    def member_network(self) -> pd.DataFrame | None:
        """Return each person who ever joined: degree, friends in the group, ties, messages; None for well_mixed."""
        return None if self.friendships is None else self.friendships.members()

    def metrics(self) -> pd.DataFrame:
        """Return the daily metrics, one row per simulated day (see `sim.metrics.DAILY_COLUMNS`)."""
        return metrics.frame(self.records)

    def group_metrics(self, days: int = 1) -> pd.DataFrame:
        """Return the per-group record, one row per group and day (`sim.group_metrics.GROUP_COLUMNS`).

        `days` > 1 rolls it up into periods (7: weeks, 30: months), per group.
        """
        daily = group_metrics.frame(self.group_records)
        return daily if days == 1 else group_metrics.rollup(daily, days)

    def channel_table(self) -> pd.DataFrame:
        """Return CAC, cost per retained member and LTV by source, channel and cohort (`sim.channel_metrics`)."""
        return channel_metrics.channel_table(self.people, self.params, self.acquisition.channels, self.steps)

    def data_system(self, by: By = "community", period: Period = "day") -> pd.DataFrame:
        """Return seed 003's data system by community, group or source, per day, week or month.

        Potential, new, active, dormant; joins by source and fission; the four rates
        (new, conversion, churn, awakening) and the conversion cycle (`sim.data_system`).
        """
        return self._data_system().table(by, period)

    def data_system_tables(self) -> pd.DataFrame:
        """Return the data system's daily tables by community, group and source, one after another (data_system.csv)."""
        return self._data_system().all_tables()

    def _data_system(self) -> DataSystem:
        if self.data is None:
            raise ValueError("data_system: this model was built with data_system=False; build it with the default True")
        return self.data

    def group_table(self) -> pd.DataFrame:
        """Return the groups today, one row each: members, engaged members, culture, admins and KOLs, and its life.

        `members` counts everyone in the group (with `groups.max_groups_per_member` > 1, a
        person in two groups counts in both); `also_elsewhere` those of them also in another group.

        Its life: the day it opened and the day it died (-1 while alive), its fate, tier,
        the group it came from (-1 for a founding group) and the member who founded it
        (-1 unless a splinter).
        """
        people = self.people
        rows = people.members()
        n_groups = self.groups.count
        st = people.stage[rows]
        engaged = (st == NEW) | (st == ACTIVE)
        admins, kols = self.admin_table.per_group(n_groups), self.kol_table.per_group(n_groups)
        return pd.DataFrame(
            {
                "group": np.arange(n_groups),
                "members": people.group_sizes(rows, n_groups),
                "engaged": people.group_sizes(rows, n_groups, engaged),
                "also_elsewhere": people.group_sizes(rows, n_groups, people.group_count(rows) > 1),
                "culture": self.groups.culture,
                "opened_day": self.groups.opened_day,
                "admins": admins,
                "kols": kols,
                "died_day": self.groups.died_day,
                "fate": pd.Categorical.from_codes(self.groups.fate, categories=list(FATE_NAMES)),
                "tier": pd.Categorical.from_codes(self.groups.tier, categories=list(TIER_NAMES)),
                "parent": self.groups.parent,
                "owner": self.groups.owner,
            }
        )

    def summary(self) -> dict[str, Any]:
        """Whole-run outcomes (see `sim.metrics.summarize`)."""
        return metrics.summarize(self.metrics(), self.people, self.steps, self.groups, self.params)
