"""Trend: yesterday's flows, to place today's population terms at mid-day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.engines.day import DayContext


@dataclass
class Trend:
    """Yesterday's flows, to place today's population terms at mid-day.

    Hazards that depend on the population (referrers A/M, the share who left R/N, the
    active share a) change during a day. Evaluating them at the start of the day biases
    a day-long step by O(1 day); evaluating them at mid-day, predicted from the start
    state plus half a day's change, leaves an O(1 day^2) error (a predictor-corrector
    step). Today's expected joins are known at the start of the day; the other changes
    are predicted by yesterday's.
    """

    engaged_change: float = 0.0  # change of new + active members yesterday, joins excluded
    members_change: float = 0.0  # change of members yesterday, joins excluded
    exits: float = 0.0  # members who left or were kicked yesterday
    pass_share: float = 1.0  # share of yesterday's arrivals who passed the threshold and found room
    gone: int = 0  # people who left or were kicked, all days so far (R)

    def update(self, record: dict[str, float], ctx: DayContext) -> None:
        """Remember today's flows for tomorrow."""
        engaged_end = record["new"] + record["active"]
        self.engaged_change = engaged_end - ctx.engaged_rows.size - record["joined"]
        self.members_change = record["members"] - ctx.member_rows.size - record["joined"]
        self.exits = record["left_today"] + record["kicked_today"]
        self.pass_share = record["joined"] / ctx.applicants if ctx.applicants else 1.0
        self.gone = int(record["left"] + record["kicked"])

    def midday_engaged(self, start: int, joins: float) -> float:
        """Return new + active members at mid-day: start + (joins + yesterday's other change) / 2."""
        return max(0.0, start + 0.5 * (joins + self.engaged_change))

    def midday_members(self, start: int, joins: float) -> float:
        """Members at mid-day."""
        return max(0.0, start + 0.5 * (joins + self.members_change))

    def midday_gone(self) -> float:
        """People who have left or were kicked, at mid-day."""
        return self.gone + 0.5 * self.exits
