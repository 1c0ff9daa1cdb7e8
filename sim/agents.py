"""The agents: Member (a view on one row of the people table), KOL and Admin.

Members are many, so their state lives in the model's arrays and a `Member` only reads
and writes its row; it is still a full Mesa agent (selectable with AgentSet tools,
usable by DataCollector agent reporters). KOLs and admins are views too, on rows of
their role tables (`sim.role_table`), so their day runs over arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.engines import member_day, role_day
from sim.population import DORMANT, NEW, SOURCE_NAMES, STAGE_NAMES

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
    group = _column("group", "id of the member's group (the home group when members may be in several)")
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
        self.model.people.membership_changed()

    @property
    def source(self) -> str:
        """How the member came: initial, channel or referral."""
        return SOURCE_NAMES[self.model.people.source[self.row]]

    @property
    def channel(self) -> str | None:
        """Name of the acquisition channel that brought the member (`Scenario.channel_names`), or None."""
        index = int(self.model.people.channel[self.row])
        return None if index < 0 else self.model.params.channel_names()[index]

    @property
    def member_groups(self) -> list[int]:
        """All the groups the member is in, the home group first (one unless groups.max_groups_per_member > 1)."""
        held = self.model.people.groups_of(np.array([self.row]))[0]
        return [int(g) for g in held if g >= 0]

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


def _role_column(table: str, name: str, doc: str) -> property:
    def get(self: KOL | Admin) -> Any:
        return getattr(getattr(self.model, table), name)[self.row].item()

    def set_(self: KOL | Admin, value: Any) -> None:
        getattr(getattr(self.model, table), name)[self.row] = value

    return property(get, set_, doc=doc)


class _Role(mesa.Agent):
    """A KOL or an admin: a Mesa agent viewing row `row` of its role table (`model.kol_table`/`admin_table`)."""

    table_name = ""
    model: Community

    def __init__(self, model: Community, groups: list[int], **values: float) -> None:
        super().__init__(model)
        table = getattr(model, self.table_name)
        # the agent's identity in keyed draws: the n-th agent of its role in the run
        self.serial = model.new_serial(self.table_name.removesuffix("_table"))
        self.row = table.add(self, self.serial, groups, **values)

    @property
    def groups(self) -> list[int]:
        """The groups served: the table's own list, so changing it in place changes the agent."""
        return getattr(self.model, self.table_name).groups[self.row]

    @groups.setter
    def groups(self, groups: list[int]) -> None:
        getattr(self.model, self.table_name).groups[self.row] = list(groups)

    def remove(self) -> None:
        """Leave the community: the row is marked inactive, the agent deregistered."""
        getattr(self.model, self.table_name).active[self.row] = False
        super().remove()


class KOL(_Role):
    """An opinion leader: writes content for the groups it serves within a time budget.

    Motivation follows recognition (audience replies, praise, money) and falls with
    overload; below the burnout threshold the KOL may quit. The state is row `row`
    of `model.kol_table`; the vectorized engine works on the table directly, these
    methods apply the same functions (`sim.engines.role_day`) to this row alone.
    """

    table_name = "kol_table"
    motivation = _role_column("kol_table", "motivation", "motivation, 0..1 (starts at 0.8)")
    overload = _role_column("kol_table", "overload", "today's minutes needed over the budget, minus 1 (0 if within)")
    minutes_worked = _role_column("kol_table", "minutes_worked", "minutes worked today")
    posts_today = _role_column("kol_table", "posts_today", "posts written today")

    def __init__(self, model: Community, groups: list[int], from_member: int | None = None) -> None:
        super().__init__(model, groups, motivation=0.8, from_member=-1 if from_member is None else from_member)

    @property
    def from_member(self) -> int | None:
        """People-table row of the member cultivated into this KOL, or None."""
        row = int(self.model.kol_table.from_member[self.row])
        return None if row < 0 else row

    @from_member.setter
    def from_member(self, row: int | None) -> None:
        self.model.kol_table.from_member[self.row] = -1 if row is None else row

    def write(self, day: Day, log: list[role_day.Contribution] | None = None) -> None:
        """Write today's posts for the groups served, within the time budget.

        Posts are planned on a cadence (`output.regularity`), scaled by motivation, and
        cut to what the budget leaves after helping admins and running activities.
        What the KOL adds to its groups goes on `log` (to be delivered in the order of
        rows once every KOL has written), or straight into today's output without one.
        """
        part = role_day.write(self.model, day, np.array([self.row]))
        if log is None:
            role_day.deliver(day.output, [], [part])
        else:
            log.append(part)

    def reflect(self, day: Day) -> None:
        """End of day: motivation follows recognition, overload wears it down; a burnt-out KOL may quit (is removed)."""
        role_day.reflect(self.model, day, np.array([self.row]))

    def __repr__(self) -> str:
        """Show the id, groups and motivation."""
        return f"KOL(id={self.unique_id}, groups={self.groups}, motivation={self.motivation:.2f})"


class Admin(_Role):
    """An admin (operator): moderates, welcomes, reviews and runs activities in the groups it manages.

    Attention is limited: `minutes_per_day` is split evenly over the managed groups
    ("one person cannot manage N groups", seed 002). The state is row `row` of
    `model.admin_table`.
    """

    table_name = "admin_table"
    minutes_per_day = _role_column("admin_table", "minutes_per_day", "minutes of attention a day, over all groups")

    def __init__(self, model: Community, groups: list[int], minutes_per_day: float) -> None:
        super().__init__(model, groups, minutes_per_day=minutes_per_day)

    def work(self, day: Day, log: list[role_day.Contribution] | None = None) -> None:
        """Share attention over the managed groups and post announcements (on `log`, as `KOL.write`)."""
        part = role_day.work(self.model, day, np.array([self.row]))
        if log is None:
            role_day.deliver(day.output, [part], [])
        else:
            log.append(part)

    def __repr__(self) -> str:
        """Show the id and groups."""
        return f"Admin(id={self.unique_id}, groups={self.groups})"
