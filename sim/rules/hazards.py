"""Hazards and the probabilities of daily transitions.

Every transition of the model is a hazard (a rate per day). A day is a step, so a
hazard h becomes the exact per-step probability 1 - exp(-h); competing hazards are
resolved together so that their sum, not each alone, sets the chance that anything
happens. With value feedback off these are the hazards of the classic models (Bass,
irSIR, active-dormant); with it on, satisfaction multiplies them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

MAX_MULTIPLIER = 20.0


def step_probability(hazard: ArrayLike) -> NDArray[np.float64] | float:
    """Probability that an event with constant `hazard` (per day) happens within one day."""
    h = np.asarray(hazard, dtype=float)
    if h.ndim == 0:
        return -np.expm1(-h)
    p = np.negative(h)  # the same three operations on one fresh array: member-sized temporaries cost more
    np.expm1(p, out=p)
    return np.negative(p, out=p)


def satisfaction_multiplier(
    satisfaction: ArrayLike, reference: float, sensitivity: float
) -> NDArray[np.float64] | float:
    """exp(sensitivity * (s - reference)), bounded: how much more engaged than reference.

    Engagement hazards (posting, referring, reactivating, buying) are multiplied by it,
    disengagement hazards (decay, leaving) divided by it.
    """
    s = np.asarray(satisfaction, dtype=float)
    if s.ndim == 0:
        return np.clip(np.exp(sensitivity * (s - reference)), 1.0 / MAX_MULTIPLIER, MAX_MULTIPLIER)
    x = s - reference  # the same operations in place on one fresh array (x * c is c * x)
    x *= sensitivity
    np.exp(x, out=x)
    return np.clip(x, 1.0 / MAX_MULTIPLIER, MAX_MULTIPLIER, out=x)


def join_hazard(external_rate: float, referral_rate: float, referrers: float, pool: float) -> float:
    """Bass join hazard of one potential person: p + q * A / M.

    `referrers` is the number of active members weighted by how willing they are to
    refer (exactly A when feedback is off), `pool` is M, the whole potential pool.
    """
    return external_rate + referral_rate * referrers / pool if pool > 0 else 0.0


def leave_hazard(
    base_rate: float,
    peer_rate: float,
    left_share: float,
    multiplier: ArrayLike,
    patience: ArrayLike,
    commitment: ArrayLike,
) -> NDArray[np.float64] | float:
    """Leave hazard: (base + v * R/N) / (multiplier * patience * (1 + commitment)).

    The peer term v * R/N is the contagious leaving of irSIR (Cannarella & Spechler 2014):
    the more people have left, the more leave. Patience and commitment (from the entry
    threshold, "if I paid, I cherish it") slow leaving.
    """
    rate = base_rate + peer_rate * left_share
    denom = np.multiply(multiplier, patience)
    if np.ndim(denom) == 0 or np.shape(commitment) != np.shape(denom):
        return rate / (denom * (1.0 + np.asarray(commitment)))
    denom *= np.add(commitment, 1.0)  # arrays of members: the same operations in place
    return np.divide(rate, denom, out=denom)


def decay_hazard(decay_rate: float, multiplier: ArrayLike) -> NDArray[np.float64] | float:
    """Active -> dormant hazard g / multiplier (Ribeiro 2014's decay, slowed by value)."""
    return decay_rate / np.asarray(multiplier)


def reactivation_hazard(
    reactivation_rate: float, peer_rate: float, active_share: float, multiplier: ArrayLike, awaken: float = 0.0
) -> NDArray[np.float64] | float:
    """Dormant -> active hazard (r + b * a) * multiplier, plus an activity's awakening.

    `active_share` is a, the share of members who are active: active members pull
    dormant ones back (Ribeiro 2014). `awaken` is the probability that today's
    activity (red packet, sharing session) wakes a dormant member, as a hazard.
    """
    return (reactivation_rate + peer_rate * active_share) * np.asarray(multiplier) - np.log1p(-awaken)
