"""The activities calendar (seed 002, chapter 3): what each kind of activity does and costs.

Each occurrence lifts participation for `duration` days, restores novelty, builds ties
and wakes dormant members, at a cost in admin and KOL minutes and in money.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivityEffect:
    """Default effect and cost of one occurrence of an activity kind (per group)."""

    every: int
    lift: float
    duration: int
    admin_minutes: float
    kol_minutes: float
    money: float
    novelty: float
    ties: float
    awaken: float


DEFAULTS: dict[str, ActivityEffect] = {
    # daily check-in (打卡): small, steady lift, cheap
    "checkin": ActivityEffect(
        every=1, lift=0.1, duration=1, admin_minutes=5, kol_minutes=0, money=0, novelty=0.01, ties=0.0, awaken=0.005
    ),
    # weekly sharing session by a KOL (分享): strong lift, costs KOL time
    "sharing": ActivityEffect(
        every=7, lift=0.6, duration=1, admin_minutes=30, kol_minutes=90, money=0, novelty=0.15, ties=0.2, awaken=0.05
    ),
    # organised topic discussion (讨论)
    "discussion": ActivityEffect(
        every=7, lift=0.4, duration=1, admin_minutes=45, kol_minutes=30, money=0, novelty=0.08, ties=0.3, awaken=0.03
    ),
    # red packets (红包): a brief spike, costs money, wakes many lurkers
    "red_packet": ActivityEffect(
        every=7, lift=1.0, duration=1, admin_minutes=5, kol_minutes=0, money=50, novelty=0.03, ties=0.0, awaken=0.08
    ),
    # offline meetup (线下): rare, expensive, builds strong ties
    "meetup": ActivityEffect(
        every=30,
        lift=0.5,
        duration=2,
        admin_minutes=300,
        kol_minutes=120,
        money=300,
        novelty=0.3,
        ties=2.0,
        awaken=0.05,
    ),
}


def effect(kind: str, **overrides: float | int | None) -> ActivityEffect:
    """Return the effect of `kind` with the scenario's explicit values replacing the defaults."""
    base = DEFAULTS[kind]
    given = {k: v for k, v in overrides.items() if v is not None and hasattr(base, k)}
    return ActivityEffect(**{**base.__dict__, **given})
