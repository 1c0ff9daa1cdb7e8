"""The vectorized engine: the member day (`sim.engines.member_day`) over every member's row at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.engines import member_day

if TYPE_CHECKING:
    from sim.mechanisms.day import Day
    from sim.world import Community


def post(model: Community, day: Day) -> None:
    """Members post messages and spammers post ads."""
    member_day.close_posting(model, day, *member_day.post(model, day, model.people.members()))


#: members per slice of the second phase (`live`); its few dozen member-sized temporaries then
#: stay within a few megabytes, however large the community
LIVE_CHUNK = 1 << 16


def live(model: Community, day: Day) -> None:
    """Members take the day's value and move between stages, `LIVE_CHUNK` members at a time.

    The phase is the same for any subset of members (the agents engine applies it to one
    at a time; every draw is keyed by the member), so slicing changes no result, and a
    million members need no more temporary memory than 65,536.
    """
    member_day.group_terms(model, day)
    rows = model.people.members()  # after today's joins and kicks; fixed while the slices run
    for start in range(0, max(rows.size, 1), LIVE_CHUNK):
        member_day.live(model, day, rows[start : start + LIVE_CHUNK])
