"""KOLs (opinion leaders): time budget, motivation from recognition, burnout.

Seed 003: keep KOLs by public praise, private thanks and real money; without
recognition and with too much work, motivation falls and they quit.
"""

from __future__ import annotations

import math

#: days in the month of `staff.money_per_month` and `staff.kol_pay_per_month`
MONTH_DAYS = 30.0


def planned_minutes(posts: float, minutes_per_post: float, groups: int, help_minutes: float) -> float:
    """Minutes a KOL needs today: writing posts plus helping admins in each group served."""
    return posts * minutes_per_post + groups * help_minutes


def recognition(
    audience: float, praise: float, reward_per_post: float, reward_scale: float, audience_scale: float
) -> float:
    """Recognition, 0..1: 0.4 replies + 0.3 praise + 0.3 money + 0.2 replies x praise, capped at 1.

    `audience` is the number of engaged members reached; replies = 1 - exp(-audience /
    audience_scale) and money = 1 - exp(-reward_per_post / reward_scale) saturate.
    """
    replies = 1.0 - math.exp(-audience / audience_scale)
    money = 1.0 - math.exp(-reward_per_post / reward_scale)
    return min(1.0, 0.4 * replies + 0.3 * praise + 0.3 * money + 0.2 * replies * praise)


def update_motivation(
    motivation: float, recognition_today: float, overload: float, memory: float, overload_fatigue: float
) -> float:
    """Motivation follows recognition with a memory of `memory` days; overload wears it down."""
    m = motivation + (recognition_today - motivation) / memory - overload_fatigue * overload
    return min(1.0, max(0.0, m))


def output_factor(motivation: float) -> float:
    """Share of planned output a KOL delivers: full above motivation 0.5, less below."""
    return min(1.0, motivation / 0.5)


def quit_hazard(motivation: float, burnout_threshold: float, quit_rate: float) -> float:
    """Hazard/day a KOL quits: quit_rate once motivation falls below the burnout threshold."""
    return quit_rate if motivation < burnout_threshold else 0.0


def money_per_post(reward_per_post: float, pay_per_month: float, posts_per_day: float) -> float:
    """Money recognition of a KOL per post: the reward per post plus the salary spread over the planned posts."""
    if pay_per_month <= 0:
        return reward_per_post
    return reward_per_post + pay_per_month / MONTH_DAYS / max(posts_per_day, 1.0)


def eliminated(posts: list[int], bar: float) -> bool:
    """Return whether a KOL is eliminated (淘汰): their mean posts/day over the judged days is below `bar`."""
    return sum(posts) < bar * len(posts)
