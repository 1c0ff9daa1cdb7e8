"""Sales campaigns on the calendar (presale 预售, flash sale 秒杀, launch 新品发布): they lift buying and annoy.

A campaign runs on consecutive days; while it runs, every purchase hazard (first
purchases and repurchases) is multiplied by 1 + lift, and every member's daily value
loses `annoyance` (marketing pushes in the group are a cost to members, like ads, so
they lower satisfaction and, through it, raise the leave hazard). Campaigns running
on the same day add their lifts and their annoyances.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CampaignEffect:
    """What one campaign does on each day it runs."""

    duration: int  # days it runs
    lift: float  # relative lift of purchase hazards
    annoyance: float  # value units taken from each member's daily value


#: each kind's effect when the scenario leaves it out (values: calibration)
DEFAULTS = {
    "presale": CampaignEffect(duration=7, lift=0.5, annoyance=0.02),  # a week of pre-orders, mild pushes
    "flash_sale": CampaignEffect(duration=1, lift=3.0, annoyance=0.08),  # one day, deep discount, loud
    "launch": CampaignEffect(duration=3, lift=1.0, annoyance=0.03),  # a new product's first days
}


def effect(kind: str, *, duration: int | None, lift: float | None, annoyance: float | None) -> CampaignEffect:
    """Return a campaign's effect: the given values, the kind's defaults for those left out."""
    base = DEFAULTS[kind]
    return CampaignEffect(
        duration=base.duration if duration is None else duration,
        lift=base.lift if lift is None else lift,
        annoyance=base.annoyance if annoyance is None else annoyance,
    )


def combined(effects: Iterable[CampaignEffect]) -> tuple[float, float]:
    """Return the (lift, annoyance) of the campaigns running on one day: both add up."""
    lift = annoyance = 0.0
    for e in effects:
        lift += e.lift
        annoyance += e.annoyance
    return lift, annoyance
