"""Staffing: the operator's staff budget, hiring, management bots, KOL pay and elimination (淘汰).

Reads the `[staff]` section. Staff is a decision, not a free gift: a copied or split
group gets its own admin and KOL only if the budget (hours and money) has room for
them, otherwise the parent's staff serve it too and their attention is split further
(seed 002 §4.4: one person cannot manage N groups). Every day it charges KOL pay,
bots and hiring fees to the cost line and lets go the KOLs whose output stayed below
the operator's bar for the judging window (seed 002 §4.4: 激励和淘汰制度).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.mechanisms.day import Day
from sim.rules.kol import MONTH_DAYS, eliminated

if TYPE_CHECKING:
    from sim.world import Community


class Staffing:
    """The staff budget and the operator's hiring and elimination decisions."""

    def __init__(self, model: Community) -> None:
        self.model = model
        self.section, self.roles, self.money = model.params.staff, model.params.roles, model.params.monetization
        self.refused = 0  # hires the budget did not allow, all days so far
        self._unbilled_hires = 0  # hires since the last day's bill
        self._posts: dict[int, list[int]] = {}  # KOL serial -> posts of the last `elimination_window` days

    # ------------------------------------------------------------ the budget
    def planned_cost_per_day(self) -> float:
        """Money/day the present staff is planned to cost: admin and KOL hours, KOL pay, bots."""
        m, sc = self.money, self.section
        admin_hours = self.model.admin_table.total("minutes_per_day") / 60.0
        kols = self.model.kol_table.rows().size
        kol_hours = kols * self.roles.kol_hours_per_day
        cost = admin_hours * m.admin_hourly_cost + kol_hours * m.kol_hourly_cost
        cost += kols * sc.kol_pay_per_month / MONTH_DAYS
        if sc.bots:
            cost += int((~self.model.groups.closed).sum()) * sc.bot_cost_per_month / MONTH_DAYS
        return cost

    def _fits(self, hours: float, used_hours: float, limit: float | None, cost_per_day: float) -> bool:
        """Whether one more hire of `hours`/day (costing `cost_per_day`) fits the hour and money budgets."""
        if limit is not None and used_hours + hours > limit + 1e-9:
            return False
        money = self.section.money_per_month
        return money is None or (self.planned_cost_per_day() + cost_per_day) * MONTH_DAYS <= money + 1e-9

    def hire_admin(self) -> bool:
        """Decide whether a new admin can be hired; if so count the hire (the caller creates the agent)."""
        hours = self.roles.admin_minutes_per_day / 60.0
        used = self.model.admin_table.total("minutes_per_day") / 60.0
        return self._decide(
            self._fits(hours, used, self.section.admin_hours_per_day, hours * self.money.admin_hourly_cost)
        )

    def hire_kol(self) -> bool:
        """Decide whether a new KOL can be hired or cultivated; if so count the hire (the caller creates the agent)."""
        hours = self.roles.kol_hours_per_day
        used = self.model.kol_table.rows().size * hours
        cost = hours * self.money.kol_hourly_cost + self.section.kol_pay_per_month / MONTH_DAYS
        return self._decide(self._fits(hours, used, self.section.kol_hours_per_day, cost))

    def _decide(self, fits: bool) -> bool:
        """Count a hire (billed in today's step) or a refusal."""
        if fits:
            self._unbilled_hires += 1
        else:
            self.refused += 1
        return fits

    # ------------------------------------------------------------ the day
    def step(self, day: Day) -> None:
        """Bill pay, bots and hires; judge each KOL's output over the window and let go those below the bar."""
        sc, tally, kols = self.section, day.tally, self.model.kols
        tally.operator_money += len(kols) * sc.kol_pay_per_month / MONTH_DAYS
        if sc.bots:
            tally.operator_money += int(day.output.occupied.sum()) * sc.bot_cost_per_month / MONTH_DAYS
        tally.operator_money += self._unbilled_hires * sc.hiring_cost
        tally.staff_hired, self._unbilled_hires = self._unbilled_hires, 0
        if sc.eliminate_below_posts <= 0:
            return
        window = sc.elimination_window
        present = {k.serial for k in kols}
        self._posts = {s: p for s, p in self._posts.items() if s in present}
        for kol in list(kols):
            history = self._posts.setdefault(kol.serial, [])
            history.append(kol.posts_today)
            del history[:-window]
            if len(history) == window and eliminated(history, sc.eliminate_below_posts):
                del self._posts[kol.serial]
                kol.remove()
                tally.kols_eliminated += 1
