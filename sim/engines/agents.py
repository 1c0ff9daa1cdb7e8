"""The agent-by-agent engine: the member day one member at a time, the way a Mesa user writes it.

Every member is a Mesa agent and the day is `members.shuffle_do("post", ctx)`, then
moderation, then `members.shuffle_do("live", ctx)`: one Python method call per member
per day (`Member.post`, `Member.live` in `sim.agents`), each applying the member-day
pipeline (`sim.engines.member_day`) to the member's own row. Draws are keyed by the
member's row, so the shuffled order changes nothing and this engine gives the same
results as the vectorized one; it is the readable reference and the speed baseline.
The order comes from a Random keyed by the day (not from `model.random`), so the KOLs'
and admins' shuffles see the same `model.random` in both engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.engines import member_day

if TYPE_CHECKING:
    from sim.engines.day import DayContext
    from sim.world import Community


def _in_shuffled_order(model: Community, ctx: DayContext, phase: str) -> mesa.agent.AgentSet:
    return mesa.agent.AgentSet(model.members, random=model.draws.random(f"engine.order.{phase}", ctx.day))


def post(model: Community, ctx: DayContext) -> None:
    """Each member, in random order, writes its messages or ads for the day."""
    ctx.posts_log = []
    _in_shuffled_order(model, ctx, "post").shuffle_do("post", ctx)
    parts = [np.concatenate(column) for column in zip(*ctx.posts_log, strict=True)] if ctx.posts_log else []
    posters, rates, spammers, ads = parts or member_day.post(model, ctx, np.zeros(0, dtype=np.intp))
    by_poster, by_spammer = np.argsort(posters), np.argsort(spammers)
    member_day.close_posting(model, ctx, posters[by_poster], rates[by_poster], spammers[by_spammer], ads[by_spammer])


def feel_and_move(model: Community, ctx: DayContext) -> None:
    """Each member, in random order, takes the day's value and moves between stages."""
    member_day.group_terms(model, ctx)
    _in_shuffled_order(model, ctx, "live").shuffle_do("live", ctx)
    member_day.update_groups(model, ctx)
