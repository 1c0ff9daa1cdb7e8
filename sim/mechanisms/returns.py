"""Returns: people who left come back, by a member's invitation or through a channel.

Reads the return keys of the `[groups]` section (`return_rate`, `return_invited_share`)
and the `[entry]` threshold; places returners with the group policy. Without returns
(`return_rate` = 0, the default) the model does not run this mechanism, so every exit
is permanent as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engines.member_day import engagement
from sim.mechanisms.day import Day
from sim.network.graph import _ranges
from sim.population import ACTIVE, LEFT, NEW

if TYPE_CHECKING:
    from sim.mechanisms.acquisition import Acquisition
    from sim.mechanisms.groups import GroupPolicy
    from sim.mechanisms.network import Friendships
    from sim.world import Community


class Returns:
    """People who left (not those kicked) come back with a small daily hazard."""

    def __init__(
        self, model: Community, groups: GroupPolicy, acquisition: Acquisition, friendships: Friendships | None
    ) -> None:
        self.model = model
        self.groups = groups
        self.acquisition = acquisition
        self.friendships = friendships
        self.section = model.params.groups
        model.people.own("returns")

    def step(self, day: Day) -> None:
        """Today's returns: who comes back, how (invited or by a channel), past the threshold, into which group.

        Each person who left comes back with daily chance `return_rate`; a share
        `return_invited_share` of them are invited by a member (a friend who is a
        member, with a network; an engaged member drawn by willingness to refer, well
        mixed) and join the inviter's group; the others, and the invited without a
        friend inside, come by a channel and choose a group by appeal. Returners face the
        entry threshold again (those invited as referred) and start as newcomers.
        """
        model, sc, entry = self.model, self.section, self.model.params.entry
        people, draws, d = model.people, model.draws, day.day
        gone = np.flatnonzero(people.stage == LEFT)
        back = gone[draws.uniform("returns.hazard", d, gone) < sc.return_rate]
        if back.size == 0:
            return
        invited = draws.uniform("returns.invited", d, back) < sc.return_invited_share
        inviters = self._inviters(back, invited, day)
        invited = inviters >= 0
        passed = self.acquisition.passes(back, invited, d, "returns.entry")
        back, inviters = back[passed], inviters[passed]
        preferred = np.where(inviters >= 0, people.group[np.maximum(inviters, 0)], -1).astype(np.int32)
        sizes = people.group_sizes(people.members(), model.groups.count)
        groups, sizes = self.groups.place(preferred, back, day, sizes=sizes, mechanism="returns.choice")
        day.arrivals.sizes = sizes  # members per group once newcomers and returners are placed
        placed = groups >= 0
        back, inviters, groups = back[placed], inviters[placed], groups[placed]
        people.enter(back)
        people.group[back] = groups
        people.satisfaction[back] = model.params.dynamics.initial_satisfaction
        people.novelty[back] = 1.0
        people.commitment[back] = self.acquisition.commitment_on_entry
        people.join_day[back] = d
        people.exit_day[back] = -1
        people.invited_by[back] = np.where(inviters >= 0, inviters, people.invited_by[back])
        people.returns[back] += 1
        day.tally.returned += back.size
        if entry.threshold == "paid":
            day.tally.fees_paid += back.size

    def _inviters(self, back: np.ndarray, invited: np.ndarray, day: Day) -> np.ndarray:
        """Return the member who invites each returner, or -1 (those not invited, and those with no friend inside)."""
        people, draws, d = self.model.people, self.model.draws, day.day
        inviters = np.full(back.size, -1, dtype=np.int64)
        asked = np.flatnonzero(invited)
        if asked.size == 0:
            return inviters
        if self.friendships is not None:
            graph = self.friendships.graph
            deg = graph.degree()[back[asked]]
            friends = graph.indices[_ranges(graph.indptr[back[asked]], deg)].astype(np.int64)
            owner = np.repeat(np.arange(asked.size), deg)
            inside = (people.stage[friends] == NEW) | (people.stage[friends] == ACTIVE)
            friends, owner = friends[inside], owner[inside]
            u = draws.uniform("returns.inviter", d, back[asked][owner].astype(np.int64) * people.size + friends)
            order = np.lexsort((u, owner))
            first = np.ones(order.size, dtype=bool)
            first[1:] = owner[order][1:] != owner[order][:-1]
            inviters[asked[owner[order[first]]]] = friends[order[first]]
            return inviters
        engaged = day.start.engaged_rows
        engaged = engaged[~people.spammer[engaged]]
        if engaged.size == 0:
            return inviters
        cumulative = np.cumsum(engagement(self.model.params.dynamics, people.satisfaction[engaged]))
        pick = draws.uniform("returns.inviter", d, back[asked]) * cumulative[-1]
        inviters[asked] = engaged[np.minimum(np.searchsorted(cumulative, pick, side="right"), engaged.size - 1)]
        return inviters
