"""The activities calendar (seed 002, chapter 3): what each kind of activity does and costs.

Each occurrence lifts participation for `duration` days, restores novelty, builds ties
and wakes dormant members, at a cost in admin and KOL minutes and in money.

Two responses make the money and the repetition matter, not only the cost line:

- where the money is paid out to members (red packets), a larger payout lifts more, with
  diminishing returns: the response is logarithmic in the payout (Bernoulli's 1738
  diminishing marginal utility of money), `money_response`;
- an activity repeated often loses its effect and recovers with rest (habituation:
  response decrement with repetition and spontaneous recovery, Thompson & Spencer 1966;
  Rankin et al. 2009), `habituate` and `recover`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


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
    pays_members: bool = False  # the money is paid out to members (its size scales lift and awaken)
    money_scale: float = 20.0  # payout (currency/group/day) at which the log response bends
    habituation: float = 0.0  # share of the remaining response lost with each occurrence
    recovery_days: float = 14.0  # e-folding time of the recovery of the response with rest

    def at_strength(self, strength: float) -> ActivityEffect:
        """Return this effect with its benefits (lift, novelty, ties, awaken) scaled by `strength`; costs unchanged."""
        return replace(
            self,
            lift=self.lift * strength,
            novelty=self.novelty * strength,
            ties=self.ties * strength,
            awaken=self.awaken * strength,
        )


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
        every=7,
        lift=1.0,
        duration=1,
        admin_minutes=5,
        kol_minutes=0,
        money=50,
        novelty=0.03,
        ties=0.0,
        awaken=0.08,
        pays_members=True,
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
    """Return the effect of `kind` with the scenario's explicit values replacing the defaults.

    Where the kind pays its money out to members, `lift` and `awaken` are their values
    at the kind's default payout, scaled by `money_response` for the payout given.
    """
    base = DEFAULTS[kind]
    given = {k: v for k, v in overrides.items() if v is not None and hasattr(base, k)}
    eff = ActivityEffect(**{**base.__dict__, **given})
    if eff.pays_members and eff.money != base.money:
        response = money_response(eff.money, base.money, eff.money_scale)
        eff = replace(eff, lift=eff.lift * response, awaken=min(1.0, eff.awaken * response))
    return eff


def money_response(money: float, reference: float, scale: float) -> float:
    """Return the response to a payout of `money` relative to one of `reference`: ln(1 + m/s) / ln(1 + ref/s).

    Concave: ten times the money buys much less than ten times the lift; 1 at the
    reference, 0 with no money.
    """
    if money <= 0:
        return 0.0
    return math.log1p(money / scale) / math.log1p(reference / scale)


def habituate(habituated: float, habituation: float) -> float:
    """Return the habituation after one more occurrence: a share `habituation` of what is left is lost."""
    return habituated + (1.0 - habituated) * habituation


def recover(habituated: float, rest_days: float, recovery_days: float) -> float:
    """Return the habituation after `rest_days` without the activity (exponential recovery)."""
    return habituated * math.exp(-rest_days / recovery_days)
