"""The vectorized engine: the member day (`sim.engines.member_day`) over every member's row at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.engines import member_day

if TYPE_CHECKING:
    from sim.mechanisms.day import Day
    from sim.world import Community


def post(model: Community, day: Day) -> None:
    """Members post messages and spammers post ads."""
    member_day.close_posting(model, day, *member_day.post(model, day, model.people.members()))


def live(model: Community, day: Day) -> None:
    """Members take the day's value and move between stages."""
    member_day.group_terms(model, day)
    member_day.live(model, day, model.people.members())  # after today's joins and kicks
