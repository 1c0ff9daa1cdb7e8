"""The agent-by-agent member day: the way a Mesa user would write it.

Every member is a Mesa agent and the day is `members.shuffle_do("post", ctx)`, then
moderation, then `members.shuffle_do("live", ctx)`: one Python method call per member
per day (`Member.post`, `Member.live` in `sim.agents`). It applies the same rules as
the vectorized engine, one member at a time, so both engines draw outcomes from the
same distributions; this one is the readable reference and the speed baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engines.day import DayContext, group_terms, update_groups
from sim.population import ACTIVE, NEW

if TYPE_CHECKING:
    from sim.model import CommunityModel


def post(model: CommunityModel, ctx: DayContext) -> None:
    """Each member, in random order, writes its messages or ads for the day."""
    G = model.groups.count
    ctx.messages_g, ctx.ads_g = np.zeros(G), np.zeros(G)
    ctx.posts_log, ctx.ads_log = [], []
    model.members.shuffle_do("post", ctx)
    ctx.poster_rows = np.array([row for row, _ in ctx.posts_log], dtype=np.intp)
    ctx.poster_rates = np.array([rate for _, rate in ctx.posts_log], dtype=float)
    ctx.spam_rows = np.array([row for row, _ in ctx.ads_log], dtype=np.intp)
    ctx.spam_ads = np.array([ads for _, ads in ctx.ads_log], dtype=np.int64)


def feel_and_move(model: CommunityModel, ctx: DayContext) -> None:
    """Each member, in random order, takes the day's value and moves between stages."""
    G = model.groups.count
    members = model.members
    size, engaged = np.zeros(G, dtype=np.int64), np.zeros(G, dtype=np.int64)
    for member in members:
        g = member.group
        size[g] += 1
        engaged[g] += model.people.stage[member.row] in (NEW, ACTIVE)
    group_terms(model, ctx, size, engaged)
    ctx.welcomed_rows = set(ctx.joined_rows[ctx.welcomed].tolist()) if ctx.welcomed.size else set()
    members.shuffle_do("live", ctx)
    update_groups(model, ctx)
