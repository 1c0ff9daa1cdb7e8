"""The calendar: activities and planned events on Mesa's event calendar, campaigns, and the dates of the run.

Reads the `[[activities]]` and `[[campaigns]]` lists, `kol.leave_day` and the `[calendar]`
section; owns the activities' effects, their habituation and the last day each running
activity runs, the days each sales campaign runs, and each day's date factors (weekend,
festivals). An event for day d fires at time d - 0.5,
between the steps of days d-1 and d, so that it shapes day d.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from mesa.time import Priority, Schedule

from sim.rules import activities as activity_rules
from sim.rules import campaigns as campaign_rules
from sim.rules.activities import habituate, recover
from sim.rules.dates import day_factors, festivals

if TYPE_CHECKING:
    import mesa

    from sim.rules.activities import ActivityEffect
    from sim.rules.campaigns import CampaignEffect
    from sim.scenario.schema import CampaignPlan, Scenario


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
                money_scale=a.money_scale,
                habituation=a.habituation,
                recovery_days=a.recovery_days,
            )
            for a in scenario.activities
        ]
        self.until: dict[int, int] = {}  # activity index -> last day it runs
        self.strength: dict[int, float] = {}  # activity index -> strength of its current occurrence
        self._habituated: dict[int, float] = {}  # activity index -> habituation after its last occurrence
        self._last_start: dict[int, int] = {}
        # Mesa keeps only a weak reference to the callable: self._starts keeps it alive
        self._starts = [partial(self._start, i, eff.duration) for i, eff in enumerate(self.effects)]
        for plan, eff, start in zip(scenario.activities, self.effects, self._starts, strict=True):
            model.schedule_recurring(
                start,
                Schedule(interval=eff.every, start=plan.start - 0.5, end=None if plan.end is None else plan.end - 0.5),
                priority=Priority.HIGH,
            )
        cal = scenario.calendar
        self.start_date = cal.start_date
        self._weekend = (cal.weekend_activity, cal.weekend_buying)
        self._festivals = festivals(cal) if cal.festivals else ()
        #: each campaign: (first day, its effect); it runs on first .. first + duration - 1
        self.campaigns: list[tuple[int, CampaignEffect]] = [
            (
                _first_day(c, cal.start_date),
                campaign_rules.effect(c.kind, duration=c.duration, lift=c.lift, annoyance=c.annoyance),
            )
            for c in scenario.campaigns
        ]
        if scenario.kol.leave_day is not None:
            model.schedule_event(planned_kol_departure, at=scenario.kol.leave_day - 0.5, priority=Priority.HIGH)

    def _start(self, index: int, duration: int) -> None:
        """Start an occurrence: it runs on days steps+1 .. steps+duration, at the strength habituation leaves."""
        now, eff = self.model.steps, self.effects[index]
        habituated = 0.0
        if index in self._last_start:
            habituated = recover(self._habituated[index], now - self._last_start[index], eff.recovery_days)
        self.strength[index] = 1.0 - habituated
        self._habituated[index] = habituate(habituated, eff.habituation)
        self._last_start[index] = now
        self.until[index] = now + duration

    def date_of(self, day: int) -> dt.date | None:
        """Return the calendar date of `day` (1 = the first step, dated `start_date`), or None without dates."""
        return None if self.start_date is None else self.start_date + dt.timedelta(days=day - 1)

    def date_factors(self, day: int) -> tuple[float, float]:
        """Return the (activity, buying) factors of `day`'s date: 1 and 1 when the run has no dates."""
        date = self.date_of(day)
        if date is None:
            return 1.0, 1.0
        return day_factors(date, *self._weekend, self._festivals)

    def campaign_effect(self, day: int) -> tuple[float, float]:
        """Return the (buying lift, annoyance) of the campaigns running on `day`: (0, 0) when none runs."""
        return campaign_rules.combined(eff for first, eff in self.campaigns if first <= day < first + eff.duration)

    def running(self, day: int) -> list[int]:
        """Return the indexes of the activities running on `day`."""
        return [i for i, until in self.until.items() if day <= until]

    def running_effects(self, indexes: list[int]) -> list[ActivityEffect]:
        """Return the effects of these running activities, their benefits at today's strength."""
        return [self.effects[i].at_strength(self.strength[i]) for i in indexes]

    def effects_of(self, indexes: tuple[int, ...]) -> list[ActivityEffect]:
        """Return the effects of the activities with these indexes."""
        return [self.effects[i] for i in indexes]


def _first_day(plan: CampaignPlan, start_date: dt.date | None) -> int:
    """Return the day number of a campaign's first day, given as a day or as a date (day 1 = `start_date`)."""
    if plan.date is not None and start_date is not None:
        return (plan.date - start_date).days + 1
    assert plan.day is not None  # the schema wants a day or a date
    return plan.day
