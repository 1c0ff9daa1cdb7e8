"""A member's daily move between stages: leaving, going dormant, coming back.

A member is a continuous-time Markov chain over engaged (new or active), dormant and
left, with constant hazards within a day. Its exact one-day transition probabilities
come from the matrix exponential of that chain, so a member may go dormant and come
back within the same day, and a day-long step does not bias the long-run shares
(1 - exp(-h) alone would, whenever both directions are possible). When the population
terms of the hazards move within a day, the day is cut into sub-steps with hazards
constant within each, and the day's transition is the product of theirs (`day_block`).

Written once for one member (floats) or all members (arrays): both engines call it.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    """Return the hazards of one member (or each member) for today.

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


class Block(NamedTuple):
    """The transient block of a member's transition matrix over a stretch of time.

    Rows are where the member starts, columns where it ends: `ee` engaged -> engaged,
    `ed` engaged -> dormant, `de` dormant -> engaged, `dd` dormant -> dormant; what a
    row lacks to sum to 1 is the probability of having left.
    """

    ee: Hazard
    ed: Hazard
    de: Hazard
    dd: Hazard


STILL = Block(1.0, 0.0, 0.0, 1.0)  # no time passed: the identity


def _exponential(h: MemberHazards, exposure: ArrayLike) -> tuple[Hazard, Hazard, Hazard]:
    """(e^(m t) cosh(s t), e^(m t) sinh(s t)/s, (x - y)/2): the pieces of exp(B t) (see `transient_block`)."""
    t = np.asarray(exposure, dtype=float)
    decay, react = np.asarray(h.decay), np.asarray(h.reactivate)
    x = decay + np.asarray(h.leave_engaged)
    y = react + np.asarray(h.leave_dormant)
    if x.ndim and x.shape == y.shape and t.ndim == 0:
        return _exponential_in_place(decay, react, x, y, t)
    half_gap = (x - y) * 0.5
    s = np.sqrt(half_gap * half_gap + decay * react)
    mean = (x + y) * -0.5
    # with eigenvalues mean +- s: e^(mean t) cosh(s t) = (e1 + e2)/2, e^(mean t) sinh(s t)/s = (e1 - e2)/(2 s)
    e1, e2 = np.exp((mean + s) * t), np.exp((mean - s) * t)
    cosh = (e1 + e2) * 0.5
    tiny = s * t < 1e-8
    if np.any(tiny):  # sinh(s t)/s -> t as s -> 0
        sinh = np.where(tiny, t * e1, (e1 - e2) / (2.0 * np.maximum(s, 1e-300)))
    else:
        sinh = (e1 - e2) / (2.0 * s)
    return cosh, sinh, half_gap


def _exponential_in_place(
    decay: np.ndarray, react: np.ndarray, x: np.ndarray, y: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_exponential` for arrays of members and one exposure: the same operations, in place where they can be.

    Every value is computed by the same floating-point operations in the same order
    as in `_exponential` (a product with an exposure of exactly 1 is left out: x * 1 is
    x), so the results are identical; only fresh member-sized temporaries are saved,
    which at 100k members cost more than the arithmetic. `x` and `y` are overwritten.
    """
    half_gap = x - y
    half_gap *= 0.5
    s = half_gap * half_gap
    s += decay * react
    np.sqrt(s, out=s)
    mean = x  # x and y are not needed again: their memory takes the eigenvalues
    mean += y
    mean *= -0.5
    e1 = mean + s
    e2 = np.subtract(mean, s, out=y)
    unit = t == 1.0
    if not unit:
        e1 *= t
        e2 *= t
    np.exp(e1, out=e1)
    np.exp(e2, out=e2)
    cosh = e1 + e2
    cosh *= 0.5
    tiny = (s if unit else s * t) < 1e-8
    if np.any(tiny):  # sinh(s t)/s -> t as s -> 0
        return cosh, np.where(tiny, t * e1, (e1 - e2) / (2.0 * np.maximum(s, 1e-300))), half_gap
    sinh = np.subtract(e1, e2, out=e1)
    sinh /= 2.0 * s
    return cosh, sinh, half_gap


def transient_block(h: MemberHazards, exposure: ArrayLike = 1.0) -> Block:
    """exp(B t) for the transient block B = [[-x, decay], [reactivate, -y]] over t = `exposure` days.

    Exact for constant hazards: with x = decay + leave_engaged and y = reactivate +
    leave_dormant, exp(B t) = e^(m t) (cosh(s t) I + sinh(s t)/s (B - m I)), m = -(x + y)/2,
    s = sqrt(((x - y)/2)^2 + decay * reactivate), computed from the eigenvalues m +- s.
    """
    cosh, sinh, half_gap = _exponential(h, exposure)
    return Block(
        cosh - sinh * half_gap, sinh * np.asarray(h.decay), sinh * np.asarray(h.reactivate), cosh + sinh * half_gap
    )


def compose(first: Block, then: Block) -> Block:
    """Chain `first` then `then`: the matrix product first @ then."""
    return Block(
        first.ee * then.ee + first.ed * then.de,
        first.ee * then.ed + first.ed * then.dd,
        first.de * then.ee + first.dd * then.de,
        first.de * then.ed + first.dd * then.dd,
    )


def arrival_block(h: MemberHazards, tau: float) -> Block:
    """Return the block of a member who arrives at a uniform time within `tau` days of hazards `h`.

    The average of exp(B u) over the remaining time u, by Simpson's rule:
    (I + 4 exp(B tau/2) + exp(B tau)) / 6 (error of order (h tau)^5).
    """
    half, full = transient_block(h, 0.5 * tau), transient_block(h, tau)
    return Block(
        (1.0 + 4.0 * half.ee + full.ee) / 6.0,
        (4.0 * half.ed + full.ed) / 6.0,
        (4.0 * half.de + full.de) / 6.0,
        (1.0 + 4.0 * half.dd + full.dd) / 6.0,
    )


def day_block(steps: Sequence[MemberHazards]) -> Block:
    """Return the day's block of a member when the day is cut into len(steps) equal sub-steps.

    Sub-step k has the constant hazards `steps[k]`; the day's block is the product of the
    sub-steps' blocks, so a member's move over the day stays one draw.
    """
    tau = 1.0 / len(steps)
    block = transient_block(steps[0], tau)
    for h in steps[1:]:
        block = compose(block, transient_block(h, tau))
    return block


def block_probabilities(block: Block, dormant: ArrayLike) -> tuple[Hazard, Hazard]:
    """(P(left by the end), P(in the other stage at the end)) from a block, for members (not) dormant."""
    dormant = np.asarray(dormant, dtype=bool)
    stay = np.where(dormant, block.dd, block.ee)
    switch = np.where(dormant, block.de, block.ed)
    return np.clip(1.0 - stay - switch, 0.0, 1.0), switch


def day_probabilities(h: MemberHazards, dormant: ArrayLike, exposure: ArrayLike = 1.0) -> tuple[Hazard, Hazard]:
    """(P(left by the end of the day), P(in the other stage at the end)) for a member.

    The entries of `transient_block` for the member's stage, written out for speed on
    large arrays.
    """
    cosh, sinh, half_gap = _exponential(h, exposure)
    decay, react = np.asarray(h.decay), np.asarray(h.reactivate)
    # arithmetic blends rather than np.where: several times faster on large arrays
    dormant = np.asarray(dormant, dtype=bool)
    if np.ndim(cosh) and dormant.shape == np.shape(cosh) == decay.shape == react.shape:
        # arrays of members: the same operations in place (a * b is b * a, a + b is b + a)
        stay = np.multiply(dormant, 2.0)
        stay -= 1.0
        stay *= sinh
        stay *= half_gap
        stay += cosh
        switch = react - decay
        switch *= dormant
        switch += decay
        switch *= sinh
        left = np.subtract(1.0, stay, out=stay)
        left -= switch
        return np.clip(left, 0.0, 1.0, out=left), switch
    stay = cosh + (2.0 * dormant - 1.0) * sinh * half_gap
    switch = sinh * (decay + dormant * (react - decay))
    left = np.clip(1.0 - stay - switch, 0.0, 1.0)
    return left, switch


def substep_probabilities(steps: Sequence[MemberHazards], dormant: ArrayLike) -> tuple[Hazard, Hazard]:
    """Return `day_probabilities` over a day of len(steps) sub-steps with the hazards of each (`day_block`)."""
    if len(steps) == 1:
        return day_probabilities(steps[0], dormant)
    return block_probabilities(day_block(steps), dormant)


def day_move(u: ArrayLike, left: ArrayLike, switch: ArrayLike) -> NDArray[np.int8]:
    """Where a member ends the day, from one uniform draw: STAY, LEAVE or SWITCH."""
    u, left = np.asarray(u), np.asarray(left)
    leave = u < left
    switch_ = (u < left + np.asarray(switch)) & ~leave
    if leave.ndim == 0:
        return (leave * LEAVE + switch_ * SWITCH).astype(np.int8)
    move = np.where(leave, np.int8(LEAVE), np.int8(STAY))  # int8 throughout: no int64 temporaries of members
    move[switch_] = SWITCH
    return move


def impression(
    first_value: ArrayLike, welcomed: ArrayLike, ritual: bool, welcome_effect: float, ritual_effect: float
) -> Hazard:
    """Return a newcomer's first-24-hours impression: the first day's value, the welcome and the ritual."""
    return np.asarray(first_value) + welcome_effect * np.asarray(welcomed) + ritual_effect * ritual
