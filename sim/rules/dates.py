"""Dates: weekdays, weekends and the festivals that change activity and buying (春节, 618, 双11).

A run may start on a calendar date (`calendar.start_date`); day t of the run is then
`start_date + t`. Each date has an activity factor (message rates) and a buying factor
(purchase hazards): the weekend factor on Saturdays and Sundays, times the factors of
the festivals whose window holds the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

#: the first day of the lunar new year (春节), by year (Hong Kong Observatory calendar tables)
SPRING_FESTIVAL: dict[int, dt.date] = {
    2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
    2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19),
    2035: dt.date(2035, 2, 8),
}
FIRST_YEAR, LAST_YEAR = min(SPRING_FESTIVAL), max(SPRING_FESTIVAL)


@dataclass(frozen=True)
class Festival:
    """A festival: a window of days around its date, with factors on activity and buying."""

    name: str
    first: int  # first day of the window, relative to the festival's date
    last: int  # last day of the window, relative to the festival's date
    activity: float  # factor on message rates in the window
    buying: float  # factor on purchase hazards in the window

    def date_in(self, year: int) -> dt.date:
        """Return the festival's date in `year`."""
        if self.name == "spring_festival":
            return SPRING_FESTIVAL[year]
        month, day = {"618": (6, 18), "double_11": (11, 11)}[self.name]
        return dt.date(year, month, day)

    def holds(self, date: dt.date) -> bool:
        """Return True when `date` is in the festival's window (of this year, or of next year's early window)."""
        for year in (date.year - 1, date.year, date.year + 1):
            if FIRST_YEAR <= year <= LAST_YEAR or self.name != "spring_festival":
                offset = (date - self.date_in(year)).days
                if self.first <= offset <= self.last:
                    return True
        return False


def festivals(levers: Any) -> tuple[Festival, ...]:
    """Return the festivals with their windows and the scenario's factors (`levers`: the `[calendar]` section)."""
    return (
        Festival("spring_festival", -1, 6, levers.spring_festival_activity, levers.spring_festival_buying),
        Festival("618", -2, 0, levers.sales_festival_activity, levers.festival_618_buying),
        Festival("double_11", -2, 0, levers.sales_festival_activity, levers.double_11_buying),
    )


def day_factors(
    date: dt.date, weekend_activity: float, weekend_buying: float, festivals: tuple[Festival, ...]
) -> tuple[float, float]:
    """Return (activity factor, buying factor) of a date: weekend factors times those of its festivals."""
    activity = buying = 1.0
    if date.weekday() >= 5:
        activity, buying = weekend_activity, weekend_buying
    for festival in festivals:
        if festival.holds(date):
            activity *= festival.activity
            buying *= festival.buying
    return activity, buying
