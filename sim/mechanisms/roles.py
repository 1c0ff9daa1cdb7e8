"""Roles: the KOL and admin agents, how they are staffed, how KOLs wear out, quit and are cultivated.

Reads the `[roles]` and `[kol]` sections; owns the count of KOLs lost. The KOLs and
admins themselves are Mesa agents (`sim.agents`), registered with the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import KOL, Admin
from sim.mechanisms.day import Day
from sim.population import ACTIVE, PROMOTED
from sim.rules.hazards import step_probability

if TYPE_CHECKING:
    from sim.mechanisms.staff import Staffing
    from sim.world import Community


class Roles:
    """The staff of the groups: admins and KOLs."""

    def __init__(self, model: Community) -> None:
        self.model = model
        self.roles, self.kol = model.params.roles, model.params.kol
        self.kols_lost = 0  # KOLs who quit or left, all days so far
        self._left_overnight = 0  # the planned departure, counted in the next day's kols_quit
        self.staffing: Staffing | None = None  # the hiring decisions (sim.mechanisms.staff); None = hire freely

    def found(self, n_groups: int) -> None:
        """Day 0: the founding admins and KOLs, shared out over the founding groups."""
        for groups in share_out(n_groups, self.roles.admins):
            Admin(self.model, groups, self.roles.admin_minutes_per_day)
        for groups in share_out(n_groups, self.roles.kols):
            KOL(self.model, groups)

    def staff_copy(self, group: int, parent: int, *, seeded: bool) -> None:
        """Staff a group copied from `parent`: a new admin and KOL if seeded and the staff budget allows each.

        Whoever is not hired is replaced by the parent's staff, who serve the new group too.
        """
        if hire_admin := seeded and (self.staffing is None or self.staffing.hire_admin()):
            Admin(self.model, [group], self.roles.admin_minutes_per_day)
        if hire_kol := seeded and (self.staffing is None or self.staffing.hire_kol()):
            KOL(self.model, [group])
        staff: list[Admin | KOL] = [*([] if hire_admin else self.model.admins), *([] if hire_kol else self.model.kols)]
        for agent in staff:
            if parent in agent.groups:
                agent.groups.append(group)

    def release(self, group: int, target: int) -> None:
        """Release the staff of a closed group: those who served only it follow its members to `target`.

        With no target (a dissolved group) they retire with the group.
        """
        staff: list[Admin | KOL] = [*self.model.admins, *self.model.kols]
        for agent in staff:
            if group not in agent.groups:
                continue
            agent.groups.remove(group)
            if not agent.groups:
                if target >= 0:
                    agent.groups.append(target)
                else:
                    agent.remove()

    def all_kols_leave(self) -> None:
        """Remove every KOL: the planned loss (kol.leave_day); counted in tomorrow's kols_quit."""
        for kol in self.model.kols:
            self.kols_lost += 1
            self._left_overnight += 1
            kol.remove()

    def open_day(self, day: Day) -> None:
        """Count the KOLs who left overnight (the planned departure) in today's kols_quit."""
        day.tally.kols_quit, self._left_overnight = self._left_overnight, 0

    def reflect(self, day: Day) -> None:
        """KOLs' motivation follows recognition and overload; a burnt-out KOL may quit."""
        if (kols := self.model.agents_of_role(KOL)) is None:
            return
        before = len(kols)
        kols.shuffle_do("reflect", day)
        quit_today = before - len(self.model.kols)
        self.kols_lost += quit_today
        day.tally.kols_quit += quit_today

    def cultivate(self, day: Day) -> None:
        """Let the operator turn a highly satisfied, active member into a KOL for their group."""
        sc, people, model = self.kol, self.model.people, self.model
        if sc.cultivation_rate <= 0 or len(model.kols) >= sc.max_kols:
            return
        if model.draws.one("roles.cultivation", day.day) >= step_probability(sc.cultivation_rate):
            return
        rows = people.members()
        eligible = rows[
            (people.stage[rows] == ACTIVE)
            & ~people.spammer[rows]
            & (people.satisfaction[rows] >= sc.cultivation_min_satisfaction)
        ]
        if eligible.size == 0 or (self.staffing is not None and not self.staffing.hire_kol()):
            return
        best = int(eligible[np.argmax(people.satisfaction[eligible] * people.propensity[eligible])])
        group = int(people.group[best])
        people.exit(np.array([best]), PROMOTED, day.day)
        KOL(model, [group], from_member=best)
        day.tally.kols_cultivated += 1


def share_out(n_groups: int, n_agents: int) -> list[list[int]]:
    """Return the groups served by each of `n_agents` founding KOLs or admins.

    Every group gets at least one when there are enough agents, otherwise the groups
    are dealt out in turn.
    """
    if n_agents >= n_groups:
        return [[k % n_groups] for k in range(n_agents)]
    return [list(range(k, n_groups, n_agents)) for k in range(n_agents)]
