"""The agents: Member (a view on one row of the people table), KOL and Admin.

Members are many, so their state lives in the model's arrays and a `Member` only reads
and writes its row; it is still a full Mesa agent (selectable with AgentSet tools,
usable by DataCollector agent reporters). KOLs and admins are few and ordinary agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.engines import member_day
from sim.population import DORMANT, NEW, SOURCE_NAMES, STAGE_NAMES
from sim.rules import kol as kol_rules
from sim.rules.hazards import step_probability

if TYPE_CHECKING:
    from sim.mechanisms.day import Day
    from sim.world import Community


def _column(name: str, doc: str) -> property:
    def get(self: Member) -> Any:
        return getattr(self.model.people, name)[self.row].item()

    def set_(self: Member, value: Any) -> None:
        getattr(self.model.people, name)[self.row] = value

    return property(get, set_, doc=doc)


class Member(mesa.Agent):
    """A member of the community: a Mesa agent that reads and writes row `row` of the people table."""

    interest = _column("interest", "interest match to the group topic, 0..1")
    propensity = _column("propensity", "messages/day when engaged")
    patience = _column("patience", "divides the leave hazard")
    wtp = _column("wtp", "willingness to pay, currency")
    group = _column("group", "id of the member's group")
    satisfaction = _column("satisfaction", "running memory of daily value")
    novelty = _column("novelty", "novelty left, 1 on joining")
    ties = _column("ties", "ties to other members")
    commitment = _column("commitment", "commitment from the entry threshold")
    spammer = _column("spammer", "posts ads")
    warnings = _column("warnings", "warnings received")
    join_day = _column("join_day", "day the member joined (0 = founding member)")
    purchases = _column("purchases", "products bought")

    def __init__(self, model: Community, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def stage(self) -> str:
        """Lifecycle stage: new, active or dormant (left, kicked and promoted members have no view)."""
        return STAGE_NAMES[self.model.people.stage[self.row]]

    @stage.setter
    def stage(self, name: str) -> None:
        self.model.people.stage[self.row] = STAGE_NAMES.index(name)

    @property
    def source(self) -> str:
        """How the member came: initial, channel or referral."""
        return SOURCE_NAMES[self.model.people.source[self.row]]

    @property
    def invited_by(self) -> int | None:
        """Row of the member who invited this one (fission), or None."""
        row = int(self.model.people.invited_by[self.row])
        return None if row < 0 else row

    # ------------------------------------------------------------ behaviour (agents engine)
    def post(self, day: Day, log: list[tuple[np.ndarray, ...]]) -> None:
        """Write today's messages (engaged members) or ads (spammers): the member-day pipeline on this row.

        What the member wrote goes on `log`, for the engine to count once everybody has posted.
        """
        log.append(member_day.post(self.model, day, np.array([self.row])))

    def live(self, day: Day) -> None:
        """Take the day's value, then move: first-day exit, leave, decay or reactivate, renew, spam, buy."""
        if NEW <= self.model.people.stage[self.row] <= DORMANT:
            member_day.live(self.model, day, np.array([self.row]))

    def __repr__(self) -> str:
        """Show the row, stage, group and satisfaction."""
        return f"Member(row={self.row}, stage={self.stage}, group={self.group}, satisfaction={self.satisfaction:.2f})"


class KOL(mesa.Agent):
    """An opinion leader: writes content for the groups it serves within a time budget.

    Motivation follows recognition (audience replies, praise, money) and falls with
    overload; below the burnout threshold the KOL may quit.
    """

    def __init__(self, model: Community, groups: list[int], from_member: int | None = None) -> None:
        super().__init__(model)
        self.serial = model.new_serial("kol")  # this KOL's identity in keyed draws: the n-th KOL of the run
        self.groups = list(groups)
        self.from_member = from_member
        self.motivation = 0.8
        self.overload = 0.0
        self.minutes_worked = 0.0
        self.posts_today = 0

    def write(self, day: Day) -> None:
        """Write today's posts for the groups served, within the time budget.

        Posts are planned on a cadence (`output.regularity`), scaled by motivation, and
        cut to what the budget leaves after helping admins and running activities.
        """
        sc, draws = self.model.params, self.model.draws
        self.posts_today, self.minutes_worked, self.overload = 0, 0.0, 0.0
        if not self.groups:
            return
        budget = sc.roles.kol_hours_per_day * 60.0
        on_cadence = draws.one("output.kol_cadence", day.day, self.serial) < sc.output.regularity
        planned = sc.output.kol_posts_per_day if on_cadence else 0.0
        lam = planned * kol_rules.output_factor(self.motivation)
        posts = draws.poisson_one("output.kol_posts", day.day, self.serial, lam)
        out = day.output
        activity = sum(out.kol_activity[g] for g in self.groups)
        fixed = len(self.groups) * sc.kol.moderation_minutes + activity
        need = kol_rules.planned_minutes(posts, sc.kol.minutes_per_post, len(self.groups), sc.kol.moderation_minutes)
        need += activity
        if need > budget:
            posts = min(posts, int(max(0.0, budget - fixed) // sc.kol.minutes_per_post))
        self.overload = max(0.0, need / budget - 1.0) if budget > 0 else float(need > 0)
        self.posts_today = posts
        self.minutes_worked = min(need, budget)
        share = 1.0 / len(self.groups)
        help_minutes = min(sc.kol.moderation_minutes, budget * share)
        for g in self.groups:  # a KOL serves few groups: a loop beats numpy's fancy indexing here
            out.quality_posts[g] += posts * sc.output.quality * share
            out.content_posts[g] += posts * share
            out.kol_help[g] += help_minutes

    def reflect(self, day: Day) -> None:
        """End of day: motivation follows recognition, overload wears it down; a burnt-out KOL may quit (is removed)."""
        params = self.model.params
        sc = params.kol
        engaged = day.terms.engaged
        audience = float(sum(int(engaged[g]) for g in self.groups))
        money = kol_rules.money_per_post(
            sc.reward_per_post, params.staff.kol_pay_per_month, params.output.kol_posts_per_day
        )
        rec = kol_rules.recognition(audience, sc.praise, money, sc.reward_scale, sc.audience_scale)
        self.motivation = kol_rules.update_motivation(
            self.motivation, rec, self.overload, sc.motivation_memory, sc.overload_fatigue
        )
        h = kol_rules.quit_hazard(self.motivation, sc.burnout_threshold, sc.quit_rate)
        if h > 0 and self.model.draws.one("roles.kol_quit", day.day, self.serial) < step_probability(h):
            self.remove()

    def __repr__(self) -> str:
        """Show the id, groups and motivation."""
        return f"KOL(id={self.unique_id}, groups={self.groups}, motivation={self.motivation:.2f})"


class Admin(mesa.Agent):
    """An admin (operator): moderates, welcomes, reviews and runs activities in the groups it manages.

    Attention is limited: `minutes_per_day` is split evenly over the managed groups
    ("one person cannot manage N groups", seed 002).
    """

    def __init__(self, model: Community, groups: list[int], minutes_per_day: float) -> None:
        super().__init__(model)
        self.serial = model.new_serial("admin")  # this admin's identity in keyed draws
        self.groups = list(groups)
        self.minutes_per_day = minutes_per_day

    def work(self, day: Day) -> None:
        """Share attention over the managed groups and post announcements."""
        sc = self.model.params
        if not self.groups:
            return
        share = self.minutes_per_day / len(self.groups)
        lam = sc.output.admin_posts_per_day * sc.output.regularity
        draws = self.model.draws
        out = day.output
        for g in self.groups:
            n = draws.poisson_one("output.admin_posts", day.day, g, lam, slot=self.serial)
            out.admin_capacity[g] += share
            out.quality_posts[g] += n * sc.output.quality
            out.content_posts[g] += n

    def __repr__(self) -> str:
        """Show the id and groups."""
        return f"Admin(id={self.unique_id}, groups={self.groups})"
