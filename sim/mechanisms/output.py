"""Content output: admins share out their attention and post; KOLs write within their time budgets.

The work itself is `sim.engines.role_day`, over the rows of the role tables at once
(or agent by agent with the agents engine).

Reads the `[output]` section (the agents read their own); publishes `Output`. Today's
activities take their cost per occurrence spread over the days they run: admin
minutes from each occupied group's attention, KOL minutes shared among the KOLs
serving the group, money per occupied group. Praising KOLs in public (`kol.praise`) takes
`staff.praise_minutes` per KOL from the attention of the groups the KOL serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.agents import KOL, Admin
from sim.engines import role_day
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
            sizes = model.people.group_sizes(day.start.member_rows, n_groups)
        out = Output(
            quality_posts=np.zeros(n_groups),
            content_posts=np.zeros(n_groups),
            admin_capacity=np.zeros(n_groups),
            kol_help=np.zeros(n_groups),
            occupied=sizes > 0,
        )
        day.output = out
        running = self.calendar.effects_of(day.start.activities)
        out.kol_activity = np.zeros(n_groups)
        if running:
            serving = model.kol_table.per_group(n_groups)
            per_group = sum(e.kol_minutes / e.duration for e in running)
            out.kol_activity = np.divide(per_group, serving, out=np.zeros(n_groups), where=serving > 0)
        admin_rows, kol_rows = model.admin_table.rows(), model.kol_table.rows()
        if model.engine == "agents":  # the readable reference: one agent at a time, in a keyed shuffled order
            admins: list[role_day.Contribution] = []
            kols: list[role_day.Contribution] = []
            in_shuffled_order(model, day, "output.admins", Admin).shuffle_do("work", day, admins)
            in_shuffled_order(model, day, "output.kols", KOL).shuffle_do("write", day, kols)
        else:
            admins = [role_day.work(model, day, admin_rows)]
            kols = [role_day.write(model, day, kol_rows)]
        role_day.deliver(out, admins, kols)
        admin_load = np.full(n_groups, float(sum(e.admin_minutes / e.duration for e in running)))
        praise = model.params.kol.praise * model.params.staff.praise_minutes  # admin minutes per KOL praised
        if praise > 0 and kol_rows.size:
            n_served, served = model.kol_table.served(kol_rows)
            np.add.at(admin_load, served, np.repeat(praise / np.maximum(n_served, 1), n_served))
        staffed = out.admin_capacity > 0
        out.admin_capacity = np.maximum(0.0, out.admin_capacity - admin_load * (out.occupied & staffed))
        out.admin_capacity += out.kol_help
        out.kol_posts = int(model.kol_table.posts_today[kol_rows].sum())
        day.tally.operator_money += sum(e.money / e.duration for e in running) * int(out.occupied.sum())
        day.tally.operator_money += model.params.kol.reward_per_post * out.kol_posts


def in_shuffled_order(model: Community, day: Day, order: str, kind: type) -> mesa.agent.AgentSet:
    """Return the agents of role `kind` in an order keyed by the day (the agents engine's, not `model.random`)."""
    return mesa.agent.AgentSet(model.agents_of_role(kind) or [], random=model.draws.random(order, day.day))
