"""A member's daily move between stages: leaving, going dormant, coming back.

A member is a continuous-time Markov chain over engaged (new or active), dormant and
left, with constant hazards within a day. Its exact one-day transition probabilities
come from the matrix exponential of that chain, so a member may go dormant and come
back within the same day, and a day-long step does not bias the long-run shares
(1 - exp(-h) alone would, whenever both directions are possible).

Written once for one member (floats) or all members (arrays): both engines call it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.rules.hazards import decay_hazard, leave_hazard, reactivation_hazard

Hazard = NDArray[np.float64] | float

STAY, LEAVE, SWITCH = 0, 1, 2


class MemberHazards(NamedTuple):
    """The four hazards (per day) of a member's chain."""

    leave_engaged: Hazard
    leave_dormant: Hazard
    decay: Hazard  # engaged -> dormant
    reactivate: Hazard  # dormant -> engaged


def member_hazards(
    multiplier: ArrayLike,
    patience: ArrayLike,
    commitment: ArrayLike,
    *,
    feedback: bool,
    base_rate: float,
    peer_rate: float,
    left_share: float,
    dormant_multiplier: float,
    decay_rate: float,
    reactivation_rate: float,
    peer_reactivation_rate: float,
    active_share: float,
    awaken: float,
) -> MemberHazards:
    """The hazards of one member (or each member) for today.

    With feedback off, satisfaction, patience and commitment play no part: the hazards
    are the bare rates of the classic models (irSIR's v * R/N, Ribeiro's g and r + b*a).
    """
    if feedback:
        leave = leave_hazard(base_rate, peer_rate, left_share, multiplier, patience, commitment)
    else:
        multiplier = np.ones_like(np.asarray(multiplier, dtype=float))
        leave = (base_rate + peer_rate * left_share) * multiplier
    return MemberHazards(
        leave_engaged=leave,
        leave_dormant=leave * dormant_multiplier,
        decay=decay_hazard(decay_rate, multiplier),
        reactivate=reactivation_hazard(reactivation_rate, peer_reactivation_rate, active_share, multiplier, awaken),
    )


def day_probabilities(h: MemberHazards, dormant: ArrayLike, exposure: ArrayLike = 1.0) -> tuple[Hazard, Hazard]:
    """(P(left by the end of the day), P(in the other stage at the end)) for a member.

    Exact for constant hazards over `exposure` days: with a = decay + leave_engaged and
    d = reactivate + leave_dormant, the transient block B = [[-a, decay], [reactivate, -d]]
    has exp(B t) = e^(m t) (cosh(s t) I + sinh(s t)/s (B - m I)), m = -(a + d)/2,
    s = sqrt(((a - d)/2)^2 + decay * reactivate), computed from the eigenvalues m +- s.
    """
    t = np.asarray(exposure, dtype=float)
    decay, react = np.asarray(h.decay), np.asarray(h.reactivate)
    a = decay + np.asarray(h.leave_engaged)
    d = react + np.asarray(h.leave_dormant)
    half_gap = (a - d) * 0.5
    s = np.sqrt(half_gap * half_gap + decay * react)
    mean = (a + d) * -0.5
    # with eigenvalues mean +- s: e^(mean t) cosh(s t) = (e1 + e2)/2, e^(mean t) sinh(s t)/s = (e1 - e2)/(2 s)
    e1, e2 = np.exp((mean + s) * t), np.exp((mean - s) * t)
    cosh = (e1 + e2) * 0.5
    tiny = s * t < 1e-8
    if np.any(tiny):  # sinh(s t)/s -> t as s -> 0
        sinh = np.asarray((e1 - e2) / (2.0 * np.maximum(s, 1e-300)))
        sinh[tiny] = np.broadcast_to(t * e1, sinh.shape)[tiny]
    else:
        sinh = (e1 - e2) / (2.0 * s)
    # arithmetic blends rather than np.where: several times faster on large arrays
    dormant = np.asarray(dormant, dtype=bool)
    stay = cosh + (2.0 * dormant - 1.0) * sinh * half_gap
    switch = sinh * (decay + dormant * (react - decay))
    left = np.clip(1.0 - stay - switch, 0.0, 1.0)
    return left, switch


def day_move(u: ArrayLike, left: ArrayLike, switch: ArrayLike) -> NDArray[np.int8]:
    """Where a member ends the day, from one uniform draw: STAY, LEAVE or SWITCH."""
    u, left = np.asarray(u), np.asarray(left)
    leave = u < left
    switch_ = (u < left + np.asarray(switch)) & ~leave
    return (leave * LEAVE + switch_ * SWITCH).astype(np.int8)


def join_day_exposure(feedback: bool) -> float:
    """Days of the member chain a newcomer lives through on its join day.

    With feedback on, the first-24-hours rule decides instead (0). With feedback off,
    arrivals are spread over the day, so on average they face half a day of hazard (0.5).
    """
    return 0.0 if feedback else 0.5


def impression(
    first_value: ArrayLike, welcomed: ArrayLike, ritual: bool, welcome_effect: float, ritual_effect: float
) -> Hazard:
    """A newcomer's first-24-hours impression: the first day's value, the welcome and the ritual."""
    return np.asarray(first_value) + welcome_effect * np.asarray(welcomed) + ritual_effect * ritual
