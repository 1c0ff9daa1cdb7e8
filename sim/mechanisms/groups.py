"""Groups: routing newcomers, copying (opening) groups, splitting them, and their culture.

Reads the `[groups]` section; owns the `GroupTable` (also `model.groups`); asks the
roles mechanism to staff the groups it opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.groups import GroupTable, groups_to_split, grow_culture, inherited_culture, route_newcomers
from sim.mechanisms.day import Day

if TYPE_CHECKING:
    from sim.mechanisms.roles import Roles
    from sim.world import Community


class GroupPolicy:
    """The groups of the community and the operator's policy for opening and splitting them."""

    def __init__(self, model: Community, roles: Roles) -> None:
        self.model = model
        self.roles = roles
        self.section = model.params.groups
        self.table = GroupTable()

    def open(self, culture: float, day: int) -> int:
        """Open a group with this culture (founding groups): return its id."""
        return self.table.open(culture, day)

    def place(self, preferred: np.ndarray, day: Day) -> tuple[np.ndarray, np.ndarray]:
        """Route newcomers to groups; open new groups (copies) when all are full, unless policy is none.

        Returns (each newcomer's group or -1 for those who found no room, members per group after).
        """
        sc, people = self.section, self.model.people
        sizes = np.bincount(people.group[day.start.member_rows], minlength=self.table.count)
        assigned, sizes = route_newcomers(preferred, sizes, sc.capacity)
        while sc.split_policy != "none" and (assigned < 0).any():
            self.copy(parent=int(np.argmax(sizes)), day=day.day)
            day.tally.groups_opened += 1
            sizes = np.append(sizes, 0)
            rest = np.flatnonzero(assigned < 0)
            more, sizes = route_newcomers(np.full(rest.size, -1, dtype=np.int32), sizes, sc.capacity)
            assigned[rest] = more
        return assigned, sizes

    def copy(self, parent: int, day: int) -> int:
        """Open a group copied from `parent`: culture partly inherited, core team if seeded."""
        sc = self.section
        culture = inherited_culture(
            float(self.table.culture[parent]), sc.seed_core, sc.culture_inheritance, sc.core_culture_inheritance
        )
        gid = self.table.open(culture, day)
        self.roles.staff_copy(gid, parent, seeded=sc.seed_core)
        return gid

    def grow(self, day: Day) -> None:
        """Culture grows with participation; the 7-day mean of messages per member is updated."""
        table, terms = self.table, day.terms
        n_groups, size = table.count, terms.size
        participation = np.divide(terms.engaged, size, out=np.zeros(n_groups), where=size > 0)
        table.culture = grow_culture(table.culture, participation, self.section.culture_growth)
        per_member = np.divide(day.posting.messages, size, out=np.zeros(n_groups), where=size > 0)
        ema = table.chat_per_member
        seen = np.isfinite(ema)
        ema[seen] += (per_member[seen] - ema[seen]) / 7.0
        ema[~seen] = per_member[~seen]

    def split(self, day: Day) -> None:
        """Split groups in two per the split policy (dunbar, low_activity)."""
        sc, people, table = self.section, self.model.people, self.table
        rows = people.members()
        sizes = np.bincount(people.group[rows], minlength=table.count)
        split = groups_to_split(
            sc.split_policy,
            sizes,
            table.chat_per_member,
            table.last_split,
            day.day,
            dunbar_size=sc.dunbar_size,
            low_activity_messages=sc.low_activity_messages,
            low_activity_min_size=sc.low_activity_min_size,
            cooldown=sc.split_cooldown,
        )
        for parent in split.tolist():
            in_group = rows[people.group[rows] == parent]
            u = self.model.draws.uniform("groups.split", day.day, in_group)
            movers = in_group[np.argsort(u)[: in_group.size // 2]]
            child = self.copy(parent, day.day)
            people.group[movers] = child
            people.ties[in_group] *= 0.5  # half of one's partners are now in the other group
            table.last_split[[parent, child]] = day.day
            table.chat_per_member[child] = table.chat_per_member[parent]
            day.tally.splits += 1
