"""Content output: admins share out their attention and post; KOLs write within their time budgets.

Reads the `[output]` section (the agents read their own); publishes `Output`. Today's
activities take their cost per occurrence spread over the days they run: admin
minutes from each occupied group's attention, KOL minutes shared among the KOLs
serving the group, money per occupied group. Praising KOLs in public (`kol.praise`) takes
`staff.praise_minutes` per KOL from the attention of the groups the KOL serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import KOL, Admin
from sim.mechanisms.day import Day, Output

if TYPE_CHECKING:
    from sim.mechanisms.calendar import ActivityCalendar
    from sim.world import Community


class ContentOutput:
    """The staff's posts and attention per group, day by day."""

    def __init__(self, model: Community, calendar: ActivityCalendar) -> None:
        self.model = model
        self.calendar = calendar

    def step(self, day: Day) -> None:
        """Admins work and KOLs write, in Mesa's shuffled order; activities take their share of the time."""
        model = self.model
        n_groups = model.groups.count
        sizes = day.arrivals.sizes
        if sizes is None:
            sizes = np.bincount(model.people.group[day.start.member_rows], minlength=n_groups)
        out = Output(
            quality_posts=np.zeros(n_groups),
            content_posts=np.zeros(n_groups),
            admin_capacity=np.zeros(n_groups),
            kol_help=np.zeros(n_groups),
            occupied=sizes > 0,
        )
        day.output = out
        running = self.calendar.effects_of(day.start.activities)
        kols = model.kols
        out.kol_activity = [0.0] * n_groups
        if running and kols:
            serving = np.zeros(n_groups)
            for kol in kols:
                serving[kol.groups] += 1
            per_group = sum(e.kol_minutes / e.duration for e in running)
            out.kol_activity = np.divide(per_group, serving, out=np.zeros(n_groups), where=serving > 0).tolist()
        for kind, method in ((Admin, "work"), (KOL, "write")):
            if (agents := model.agents_of_role(kind)) is not None:
                agents.shuffle_do(method, day)
        admin_load = np.full(n_groups, float(sum(e.admin_minutes / e.duration for e in running)))
        praise = model.params.kol.praise * model.params.staff.praise_minutes  # admin minutes per KOL praised
        if praise > 0:
            for kol in kols:
                if kol.groups:
                    admin_load[kol.groups] += praise / len(kol.groups)
        staffed = out.admin_capacity > 0
        out.admin_capacity = np.maximum(0.0, out.admin_capacity - admin_load * (out.occupied & staffed))
        out.admin_capacity += out.kol_help
        out.kol_posts = sum(k.posts_today for k in kols)
        day.tally.operator_money += sum(e.money / e.duration for e in running) * int(out.occupied.sum())
        day.tally.operator_money += model.params.kol.reward_per_post * out.kol_posts
