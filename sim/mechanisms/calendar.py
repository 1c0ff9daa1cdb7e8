"""The activities calendar: activities and planned events on Mesa's event calendar.

Reads the `[[activities]]` list and `kol.leave_day`; owns the activities' effects and
the last day each running activity runs. An event for day d fires at time d - 0.5,
between the steps of days d-1 and d, so that it shapes day d.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from mesa.time import Priority, Schedule

from sim.rules import activities as activity_rules

if TYPE_CHECKING:
    import mesa

    from sim.rules.activities import ActivityEffect
    from sim.scenario.schema import Scenario


class ActivityCalendar:
    """Which activities run on which day, and their effects."""

    def __init__(self, model: mesa.Model, scenario: Scenario, planned_kol_departure: Callable[[], None]) -> None:
        self.model = model
        self.effects: list[ActivityEffect] = [
            activity_rules.effect(
                a.kind,
                every=a.every,
                lift=a.lift,
                duration=a.duration,
                admin_minutes=a.admin_minutes,
                kol_minutes=a.kol_minutes,
                money=a.money,
                novelty=a.novelty,
                ties=a.ties,
                awaken=a.awaken,
            )
            for a in scenario.activities
        ]
        self.until: dict[int, int] = {}  # activity index -> last day it runs
        # Mesa keeps only a weak reference to the callable: self._starts keeps it alive
        self._starts = [partial(self._start, i, eff.duration) for i, eff in enumerate(self.effects)]
        for plan, eff, start in zip(scenario.activities, self.effects, self._starts, strict=True):
            model.schedule_recurring(
                start,
                Schedule(interval=eff.every, start=plan.start - 0.5, end=None if plan.end is None else plan.end - 0.5),
                priority=Priority.HIGH,
            )
        if scenario.kol.leave_day is not None:
            model.schedule_event(planned_kol_departure, at=scenario.kol.leave_day - 0.5, priority=Priority.HIGH)

    def _start(self, index: int, duration: int) -> None:
        self.until[index] = self.model.steps + duration  # runs on days steps+1 .. steps+duration

    def running(self, day: int) -> list[int]:
        """Indexes of the activities running on `day`."""
        return [i for i, until in self.until.items() if day <= until]

    def effects_of(self, indexes: tuple[int, ...]) -> list[ActivityEffect]:
        """Return the effects of the activities with these indexes."""
        return [self.effects[i] for i in indexes]
