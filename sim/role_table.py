"""The KOLs or the admins of a run as columns: one row per agent ever staffed, in order of arrival.

KOLs and admins are a few hundred once groups are copied, and calling a Python method
on each of them every day cost as much as the member day of 30,000 members. So their
state lives here, in numpy columns that the day's work (`sim.engines.role_day`)
updates all at once; `KOL` and `Admin` (`sim.agents`) stay Mesa agents, views on
their row, like `Member` on the people table. Rows are never reused: an agent who
quits or retires keeps its row, marked inactive.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np


class RoleTable:
    """Column store of one role's agents (KOLs or admins).

    Columns (numpy arrays, one entry per row): `serial` (the agent's identity in keyed
    draws), `active`, `motivation`, `overload`, `minutes_worked`, `minutes_per_day`,
    `posts_today`, `from_member` (the people-table row of a cultivated KOL, -1 if
    none). `groups[row]` is the list of groups the agent serves (a list, so it can
    be changed in place), `agents[row]` the Mesa agent viewing the row.
    """

    FLOATS = ("motivation", "overload", "minutes_worked", "minutes_per_day")
    INTS = ("serial", "posts_today", "from_member")

    def __init__(self) -> None:
        self.motivation, self.overload = np.zeros(0), np.zeros(0)
        self.minutes_worked, self.minutes_per_day = np.zeros(0), np.zeros(0)
        self.serial = np.zeros(0, dtype=np.int64)
        self.posts_today = np.zeros(0, dtype=np.int64)
        self.from_member = np.zeros(0, dtype=np.int64)
        self.active = np.zeros(0, dtype=bool)
        self.groups: list[list[int]] = []
        self.agents: list[Any] = []

    @property
    def size(self) -> int:
        """Rows ever used (active or not)."""
        return len(self.groups)

    def add(self, agent: Any, serial: int, groups: list[int], **values: float) -> int:
        """Append a row for `agent` serving `groups`; `values` set its columns (others start at 0). Return the row."""
        unknown = set(values) - set(self.FLOATS) - set(self.INTS)
        if unknown:
            raise ValueError(f"RoleTable.add: unknown columns {sorted(unknown)}")
        values = {"from_member": -1, **values, "serial": serial}
        for name in (*self.FLOATS, *self.INTS):
            setattr(self, name, np.append(getattr(self, name), values.get(name, 0)))
        self.active = np.append(self.active, True)
        self.groups.append(list(groups))
        self.agents.append(agent)
        return self.size - 1

    def rows(self) -> np.ndarray:
        """Rows of the active agents, in order of arrival."""
        return np.flatnonzero(self.active)

    def total(self, column: str) -> float:
        """Sum of a float column over the active agents, added one after another in order of arrival."""
        return float(sum(getattr(self, column)[self.rows()].tolist()))

    def served(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (groups served per row, the groups one after another): the rows' group lists as flat arrays.

        The lists are read afresh on every call: they are few, and they may have been
        changed in place (`agent.groups.append(g)`).
        """
        lists = [self.groups[r] for r in rows.tolist()]
        counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        flat = np.fromiter(chain.from_iterable(lists), dtype=np.intp, count=int(counts.sum()))
        return counts, flat

    def per_group(self, n_groups: int) -> np.ndarray:
        """How many active agents serve each of `n_groups` groups."""
        _, flat = self.served(self.rows())
        return np.bincount(flat, minlength=n_groups)
