"""The agents: Member (a view on one row of the people table), KOL and Admin.

Members are many, so their state lives in the model's arrays and a `Member` only reads
and writes its row; it is still a full Mesa agent (selectable with AgentSet tools,
usable by DataCollector agent reporters). KOLs and admins are few and ordinary agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

from sim.population import SOURCE_NAMES, STAGE_NAMES

if TYPE_CHECKING:
    from sim.model import CommunityModel


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

    def __init__(self, model: CommunityModel, row: int) -> None:
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

    def __repr__(self) -> str:
        return f"Member(row={self.row}, stage={self.stage}, group={self.group}, satisfaction={self.satisfaction:.2f})"


class KOL(mesa.Agent):
    """An opinion leader: writes content for the groups it serves within a time budget.

    Motivation follows recognition (audience replies, praise, money) and falls with
    overload; below the burnout threshold the KOL may quit.
    """

    def __init__(self, model: CommunityModel, groups: list[int], from_member: int | None = None) -> None:
        super().__init__(model)
        self.groups = list(groups)
        self.from_member = from_member
        self.motivation = 0.8
        self.minutes_worked = 0.0
        self.posts_today = 0

    def __repr__(self) -> str:
        return f"KOL(id={self.unique_id}, groups={self.groups}, motivation={self.motivation:.2f})"


class Admin(mesa.Agent):
    """An admin (operator): moderates, welcomes, reviews and runs activities in the groups it manages.

    Attention is limited: `minutes_per_day` is split evenly over the managed groups
    ("one person cannot manage N groups", seed 002).
    """

    def __init__(self, model: CommunityModel, groups: list[int], minutes_per_day: float) -> None:
        super().__init__(model)
        self.groups = list(groups)
        self.minutes_per_day = minutes_per_day

    def __repr__(self) -> str:
        return f"Admin(id={self.unique_id}, groups={self.groups})"
