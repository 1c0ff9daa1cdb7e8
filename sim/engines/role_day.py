"""The KOLs' and admins' day, written once over rows of their role tables (`sim.role_table`).

The vectorized engine applies each phase to every active row at once; the agents
engine applies the same functions one agent at a time, in a shuffled order, through
`KOL.write`, `Admin.work` and `KOL.reflect` (`sim.agents`). Every draw is keyed by the
agent's serial (or, for admins' posts, by the group and the admin's serial), and what
the agents add to the groups is handed back as `Contribution`s that `deliver` adds up
in the order of rows, whatever the order of the calls: so both engines give the same
results, to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.rules import kol as kol_rules
from sim.rules.hazards import step_probability

if TYPE_CHECKING:
    from sim.mechanisms.day import Day, Output
    from sim.world import Community


@dataclass(frozen=True)
class Contribution:
    """What some agents add to the groups they serve today: one entry per (agent, group served)."""

    owner: np.ndarray  # row of the agent in its role table
    group: np.ndarray
    quality_posts: np.ndarray
    content_posts: np.ndarray
    minutes: np.ndarray  # admins: attention (admin_capacity); KOLs: help to admins (kol_help)

    @classmethod
    def empty(cls) -> Contribution:
        """No agent, no entry."""
        z = np.zeros(0)
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.intp), z, z, z)


def work(model: Community, day: Day, rows: np.ndarray) -> Contribution:
    """Admins in `rows` share their attention over the groups they manage and post announcements.

    Each admin's `minutes_per_day` is split evenly over its groups ("one person cannot
    manage N groups", seed 002); announcements are Poisson with mean
    `output.admin_posts_per_day x output.regularity` per group, drawn per (group, admin).
    """
    t, sc = model.admin_table, model.params
    n, groups = t.served(rows)
    pos = np.repeat(np.arange(rows.size), n)
    share = t.minutes_per_day[rows] / np.maximum(n, 1)
    lam = sc.output.admin_posts_per_day * sc.output.regularity
    posts = model.draws.poisson_slots("output.admin_posts", day.day, groups, lam, slots=t.serial[rows][pos])
    return Contribution(rows[pos], groups, posts * sc.output.quality, posts.astype(float), share[pos])


def write(model: Community, day: Day, rows: np.ndarray) -> Contribution:
    """KOLs in `rows` write today's posts for the groups they serve, within their time budget.

    Posts are planned on a cadence (`output.regularity`), scaled by motivation, and cut
    to what the budget leaves after helping admins and running activities. Sets the
    rows' `posts_today`, `minutes_worked` and `overload`.
    """
    t, sc, draws = model.kol_table, model.params, model.draws
    t.posts_today[rows], t.minutes_worked[rows], t.overload[rows] = 0, 0.0, 0.0
    n, groups = t.served(rows)
    rows, n = rows[n > 0], n[n > 0]
    if rows.size == 0:
        return Contribution.empty()
    budget, k = sc.roles.kol_hours_per_day * 60.0, sc.kol
    serial = t.serial[rows]
    on_cadence = draws.uniform("output.kol_cadence", day.day, serial) < sc.output.regularity
    lam = np.where(on_cadence, sc.output.kol_posts_per_day, 0.0) * kol_rules.output_factor(t.motivation[rows])
    posts = draws.poisson("output.kol_posts", day.day, serial, lam)
    pos = np.repeat(np.arange(rows.size), n)
    activity = np.bincount(pos, weights=np.asarray(day.output.kol_activity, dtype=float)[groups], minlength=rows.size)
    fixed = n * k.moderation_minutes + activity
    need = kol_rules.planned_minutes(posts, k.minutes_per_post, n, k.moderation_minutes) + activity
    room = (np.maximum(0.0, budget - fixed) // k.minutes_per_post).astype(np.int64)
    posts = np.where(need > budget, np.minimum(posts, room), posts)
    overload = np.maximum(0.0, need / budget - 1.0) if budget > 0 else (need > 0).astype(float)
    t.posts_today[rows], t.minutes_worked[rows], t.overload[rows] = posts, np.minimum(need, budget), overload
    share = 1.0 / n
    help_minutes = np.minimum(k.moderation_minutes, budget * share)
    return Contribution(
        rows[pos], groups, (posts * sc.output.quality * share)[pos], (posts * share)[pos], help_minutes[pos]
    )


def deliver(out: Output, admins: list[Contribution], kols: list[Contribution]) -> None:
    """Add the admins' and then the KOLs' contributions to the day's output, in the order of their rows."""
    for parts, minutes in ((admins, out.admin_capacity), (kols, out.kol_help)):
        if not parts:
            continue
        owner = np.concatenate([p.owner for p in parts])
        order = np.argsort(owner, kind="stable")
        group = np.concatenate([p.group for p in parts])[order]
        for column, target in (("quality_posts", out.quality_posts), ("content_posts", out.content_posts)):
            np.add.at(target, group, np.concatenate([getattr(p, column) for p in parts])[order])
        np.add.at(minutes, group, np.concatenate([p.minutes for p in parts])[order])


def reflect(model: Community, day: Day, rows: np.ndarray) -> int:
    """End of day for the KOLs in `rows`: motivation follows recognition, overload wears it down.

    A burnt-out KOL may quit: its agent is removed. Return how many quit.
    """
    t, params = model.kol_table, model.params
    k = params.kol
    n, groups = t.served(rows)
    pos = np.repeat(np.arange(rows.size), n)
    audience = np.bincount(pos, weights=day.terms.engaged[groups], minlength=rows.size)
    money = kol_rules.money_per_post(k.reward_per_post, params.staff.kol_pay_per_month, params.output.kol_posts_per_day)
    rec = kol_rules.recognition(audience, k.praise, money, k.reward_scale, k.audience_scale)
    t.motivation[rows] = kol_rules.update_motivation(
        t.motivation[rows], rec, t.overload[rows], k.motivation_memory, k.overload_fatigue
    )
    h = kol_rules.quit_hazard(t.motivation[rows], k.burnout_threshold, k.quit_rate)
    u = model.draws.uniform("roles.kol_quit", day.day, t.serial[rows])
    quitting = rows[(h > 0) & (u < step_probability(h))]
    for row in quitting.tolist():
        t.agents[row].remove()
    return int(quitting.size)
