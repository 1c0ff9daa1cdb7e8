"""The member day: members post, then take the day's value and move between stages.

Reads the `[dynamics]`, `[value]`, `[activity]`, `[churn]`, `[onboarding]`, `[ads]` and
`[monetization]` sections through the member-day pipeline (`sim.engines.member_day`);
publishes `Posting` and `GroupTerms`. The engine decides only how the pipeline is
applied: to all rows at once, or member by member in Mesa's shuffled order.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from sim.engines import agents as agent_engine
from sim.engines import vectorized
from sim.mechanisms.day import Day

if TYPE_CHECKING:
    from sim.world import Community

ENGINES: dict[str, ModuleType] = {"vectorized": vectorized, "agents": agent_engine}


class MemberDay:
    """The members' two phases of a day, split by moderation."""

    def __init__(self, model: Community, engine: str) -> None:
        """Run the member day with `engine`, a key of `ENGINES` (checked by the model)."""
        self.model = model
        self.engine = ENGINES[engine]
        if model.params.membership.price > 0:
            model.people.own("tier_until")

    def post(self, day: Day) -> None:
        """Engaged members write messages at their rate, spammers post ads."""
        self.engine.post(self.model, day)

    def live(self, day: Day) -> None:
        """Members take the day's value, update satisfaction, novelty and ties, and move."""
        self.engine.live(self.model, day)
