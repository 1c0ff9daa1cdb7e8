"""A member's daily move between stages: the hazards of leaving, going dormant, coming back.

Written once for one member (floats) or all members (arrays): both engines call it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.rules.hazards import decay_hazard, leave_hazard, reactivation_hazard

Hazard = NDArray[np.float64] | float


def transition_hazards(
    dormant: ArrayLike,
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
) -> tuple[Hazard, Hazard]:
    """(leave hazard, move hazard) of a member; move is decay when engaged, reactivation when dormant.

    With feedback off, satisfaction, patience and commitment play no part: the hazards
    are the bare rates of the classic models (irSIR's v * R/N, Ribeiro's g and r + b*a).
    """
    dormant = np.asarray(dormant, dtype=bool)
    if feedback:
        leave = leave_hazard(base_rate, peer_rate, left_share, multiplier, patience, commitment)
    else:
        multiplier = np.ones_like(np.asarray(multiplier, dtype=float))
        leave = (base_rate + peer_rate * left_share) * multiplier
    leave = leave * np.where(dormant, dormant_multiplier, 1.0)
    move = np.where(
        dormant,
        reactivation_hazard(reactivation_rate, peer_reactivation_rate, active_share, multiplier, awaken),
        decay_hazard(decay_rate, multiplier),
    )
    return leave, move


def impression(first_value: ArrayLike, welcomed: ArrayLike, ritual: bool, welcome_effect: float,
               ritual_effect: float) -> Hazard:
    """A newcomer's first-24-hours impression: the first day's value, the welcome and the ritual."""
    return np.asarray(first_value) + welcome_effect * np.asarray(welcomed) + ritual_effect * ritual
