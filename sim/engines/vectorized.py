"""The vectorized engine: the member day (`sim.engines.member_day`) over every member's row at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.engines import member_day

if TYPE_CHECKING:
    from sim.engines.day import DayContext
    from sim.world import Community


def post(model: Community, ctx: DayContext) -> None:
    """Members post messages and spammers post ads."""
    member_day.close_posting(model, ctx, *member_day.post(model, ctx, model.people.members()))


def feel_and_move(model: Community, ctx: DayContext) -> None:
    """Members take the day's value and move between stages."""
    member_day.group_terms(model, ctx)
    member_day.live(model, ctx, model.people.members())  # after today's joins and kicks
    member_day.update_groups(model, ctx)
