"""The agent-by-agent engine: the member day one member at a time, the way a Mesa user writes it.

Every member is a Mesa agent and the day is `members.shuffle_do("post", day, log)`, then
moderation, then `members.shuffle_do("live", day)`: one Python method call per member
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
    from sim.mechanisms.day import Day
    from sim.world import Community


def _in_shuffled_order(model: Community, day: Day, phase: str) -> mesa.agent.AgentSet:
    return mesa.agent.AgentSet(model.members, random=model.draws.random(f"engine.order.{phase}", day.day))


def post(model: Community, day: Day) -> None:
    """Each member, in random order, writes its messages or ads for the day."""
    log: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    _in_shuffled_order(model, day, "post").shuffle_do("post", day, log)
    parts = [np.concatenate(column) for column in zip(*log, strict=True)] if log else []
    posters, rates, spammers, ads = parts or member_day.post(model, day, np.zeros(0, dtype=np.intp))
    by_poster, by_spammer = np.argsort(posters), np.argsort(spammers)
    member_day.close_posting(model, day, posters[by_poster], rates[by_poster], spammers[by_spammer], ads[by_spammer])


def live(model: Community, day: Day) -> None:
    """Each member, in random order, takes the day's value and moves between stages."""
    member_day.group_terms(model, day)
    _in_shuffled_order(model, day, "live").shuffle_do("live", day)
