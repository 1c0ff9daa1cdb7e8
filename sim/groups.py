"""Groups (chat groups): capacity, culture, and the copy/split policies (ISOOC's copy element).

Group-level state is small (one entry per group), so it lives in plain numpy arrays
grown as groups are opened. Which members belong to which group is the people
table's `group` column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class GroupTable:
    """Per-group state; group ids are indexes into these arrays."""

    culture: np.ndarray = field(default_factory=lambda: np.zeros(0))
    opened_day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    last_split: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    chat_per_member: np.ndarray = field(default_factory=lambda: np.zeros(0))  # 7-day EMA

    @property
    def count(self) -> int:
        """Number of groups ever opened (groups are never closed; empty ones stay empty)."""
        return self.culture.size

    def open(self, culture: float, day: int) -> int:
        """Open a new group and return its id."""
        self.culture = np.append(self.culture, culture)
        self.opened_day = np.append(self.opened_day, np.int32(day))
        self.last_split = np.append(self.last_split, np.int32(day))
        self.chat_per_member = np.append(self.chat_per_member, np.inf)
        return self.count - 1


def inherited_culture(parent_culture: float, seeded_core: bool, inheritance: float, core_inheritance: float) -> float:
    """Culture of a new group: only part of the parent's subculture carries over.

    A seeded core of KOLs and admins carries more of it (seed 002, the three questions
    before copying: self-organisation, a core group, a shared subculture).
    """
    return parent_culture * (core_inheritance if seeded_core else inheritance)


def grow_culture(culture: np.ndarray, participation: np.ndarray, rate: float) -> np.ndarray:
    """Culture grows toward 1 with participation (share of members engaged)."""
    return culture + rate * participation * (1.0 - culture)


def groups_to_split(
    policy: str,
    sizes: np.ndarray,
    chat_per_member: np.ndarray,
    last_split: np.ndarray,
    day: int,
    *,
    dunbar_size: int,
    low_activity_messages: float,
    low_activity_min_size: int,
    cooldown: int,
) -> np.ndarray:
    """Ids of groups the policy splits in two today.

    - dunbar: groups above the emotional boundary (about 150, Dunbar);
    - low_activity: groups of at least `low_activity_min_size` whose messages per member
      per day (7-day average) fell below the threshold, at most once per `cooldown` days;
    - none and at_capacity never split (at_capacity opens new groups for newcomers).
    """
    if policy == "dunbar":
        return np.flatnonzero(sizes > dunbar_size)
    ready = (day - last_split) >= cooldown
    if policy == "low_activity":
        return np.flatnonzero(ready & (sizes >= low_activity_min_size) & (chat_per_member < low_activity_messages))
    return np.zeros(0, dtype=np.intp)


def route_newcomers(preferred: np.ndarray, sizes: np.ndarray, capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """Place newcomers in groups with room.

    A newcomer goes to the preferred group (an inviter's) if it has room, else to the
    open group with the fewest members. `preferred` holds a group id or -1 per newcomer.
    Returns (assigned group or -1 for those who found no room, the new sizes).
    """
    sizes = sizes.astype(np.int64, copy=True)
    out = np.full(preferred.size, -1, dtype=np.int32)
    has_pref = np.flatnonzero(preferred >= 0)
    if has_pref.size:
        order = has_pref[np.argsort(preferred[has_pref], kind="stable")]
        g = preferred[order]
        first = np.searchsorted(g, g, side="left")
        rank = np.arange(g.size) - first
        ok = rank < (capacity - sizes[g])
        out[order[ok]] = g[ok]
        np.add.at(sizes, g[ok], 1)
    rest = np.flatnonzero(out < 0)
    if rest.size == 0:
        return out, sizes
    room = capacity - sizes
    start = 0
    for gid in np.argsort(sizes, kind="stable"):
        if start >= rest.size:
            break
        take = int(min(room[gid], rest.size - start))
        if take <= 0:
            continue
        out[rest[start : start + take]] = gid
        sizes[gid] += take
        start += take
    return out, sizes
