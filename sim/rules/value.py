"""Daily value a member receives, satisfaction as its memory, and novelty wearing off.

Value (ISOOC's output element) = interest match x (content + conversation + ties),
scaled by the group's culture and by novelty, minus annoyance from ads. Units: a
day of value 1 is a very good day; satisfaction is the exponential moving average of
value, so it lives on the same scale.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def saturating(x: ArrayLike, scale: float) -> Array | float:
    """1 - exp(-x / scale): diminishing returns, 63% reached at x = scale."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return -np.expm1(-x / scale)
    y = np.negative(x)  # the same four operations in place on one fresh array (arrays of members)
    y /= scale
    np.expm1(y, out=y)
    return np.negative(y, out=y)


def crowd_factor(size: ArrayLike, crowd_size: float) -> Array | float:
    """1 / (1 + size / crowd_size): the bigger the group, the more its feeling splits."""
    return 1.0 / (1.0 + np.asarray(size, dtype=float) / crowd_size)


def content_value(quality_posts: ArrayLike, saturation: float) -> Array | float:
    """Value of the day's quality-weighted KOL and admin posts in a group."""
    return saturating(quality_posts, saturation)


def chat_value(messages: ArrayLike, size: ArrayLike, saturation: float, crowd_size: float) -> Array | float:
    """Value of members' conversation: messages per member, saturating, diluted by crowding."""
    size = np.maximum(np.asarray(size, dtype=float), 1.0)
    return saturating(np.asarray(messages) / size, saturation) * crowd_factor(size, crowd_size)


def annoyance(visible_ads: ArrayLike, size: ArrayLike, weight: float, saturation: float) -> Array | float:
    """Value lost to ads: each member sees every unremoved ad posted in the group today."""
    return np.asarray(weight * saturating(visible_ads, saturation) * (np.asarray(size) > 0), dtype=np.float64)


def daily_value(
    interest: ArrayLike,
    content: ArrayLike,
    chat: ArrayLike,
    ties: ArrayLike,
    culture: ArrayLike,
    novelty: ArrayLike,
    annoy: ArrayLike,
    exposure: ArrayLike,
    weights: tuple[float, float, float],
    novelty_floor: float,
    ties_saturation: float,
) -> Array | float:
    """Return the value one member (or each member) takes from the group today.

    value = exposure * (interest * (w_c*content + w_m*chat + w_t*tievalue) * (0.5 + culture)
            * (floor + (1 - floor) * novelty) - annoyance)
    `exposure` is 1 for engaged members and below 1 for dormant ones, who glance only.
    The group's part is `group_value`, the member's `member_value`.
    """
    shared, culture_factor = group_value(content, chat, culture, weights)
    return member_value(
        interest, shared, ties, culture_factor, novelty, annoy, exposure, weights[2], novelty_floor, ties_saturation
    )


def group_value(
    content: ArrayLike, chat: ArrayLike, culture: ArrayLike, weights: tuple[float, float, float]
) -> tuple[Array | float, Array | float]:
    """Return the group's part of `daily_value`: (w_c*content + w_m*chat, 0.5 + culture).

    Computed once per group rather than once per member: a member's value from these
    is the very same number (the same operations on the same numbers, in the same order).
    """
    w_c, w_m, _ = weights
    return w_c * np.asarray(content) + w_m * np.asarray(chat), 0.5 + np.asarray(culture)


def member_value(
    interest: ArrayLike,
    shared: ArrayLike,
    ties: ArrayLike,
    culture_factor: ArrayLike,
    novelty: ArrayLike,
    annoy: ArrayLike,
    exposure: ArrayLike,
    tie_weight: float,
    novelty_floor: float,
    ties_saturation: float,
) -> Array | float:
    """Return `daily_value` from its group's part (`group_value`: `shared`, `culture_factor`) and the member's own.

    exposure * (interest * (shared + w_t*tievalue) * culture_factor * (floor + (1 - floor) * novelty) - annoyance);
    for arrays of members in place, by the same operations in the same order.
    """
    tie_value = saturating(ties, ties_saturation)
    parts = (interest, shared, culture_factor, novelty, annoy, exposure)
    if np.ndim(tie_value) == 0 or np.broadcast_shapes(*(np.shape(a) for a in parts)) != np.shape(tie_value):
        gain = np.asarray(interest) * (np.asarray(shared) + tie_weight * tie_value)
        gain = gain * np.asarray(culture_factor) * (novelty_floor + (1.0 - novelty_floor) * np.asarray(novelty))
        return np.asarray(exposure) * (gain - np.asarray(annoy))
    gain = np.asarray(tie_value)  # a fresh array of saturating's: the value is built in it (a * b is b * a)
    gain *= tie_weight
    np.add(gain, shared, out=gain)
    np.multiply(gain, interest, out=gain)
    np.multiply(gain, culture_factor, out=gain)
    fresh = np.multiply(novelty, 1.0 - novelty_floor)
    fresh += novelty_floor
    gain *= fresh
    np.subtract(gain, annoy, out=gain)
    np.multiply(gain, exposure, out=gain)
    return gain


def update_satisfaction(satisfaction: ArrayLike, value: ArrayLike, memory_days: float) -> Array | float:
    """Satisfaction as a running memory of value: s += (value - s) / memory."""
    s = np.asarray(satisfaction, dtype=float)
    step = np.subtract(value, s)
    if np.ndim(step) == 0 or step.shape != s.shape:
        return s + step / memory_days
    step /= memory_days  # arrays of members: the same operations in place (a + b is b + a)
    return np.add(step, s, out=step)


def decay_novelty(novelty: ArrayLike, decay: float, refresh: ArrayLike = 0.0) -> Array | float:
    """Novelty wears off by a share each day; activities restore part of what is lost."""
    n = np.asarray(novelty, dtype=float) * (1.0 - decay)
    lost = np.subtract(1.0, n)
    if np.ndim(lost) == 0 or np.broadcast_shapes(lost.shape, np.shape(refresh)) != lost.shape:
        return n + lost * np.asarray(refresh)
    np.multiply(lost, refresh, out=lost)  # arrays of members: the same operations in place (a + b is b + a)
    return np.add(lost, n, out=lost)


def grow_ties(
    ties: ArrayLike, engagement: ArrayLike, tie_rate: float, crowd: ArrayLike, extra: ArrayLike = 0.0
) -> Array | float:
    """Ties formed today: engaged members meet others, more easily in small groups."""
    met = np.multiply(tie_rate, engagement)
    shapes = (np.shape(a) for a in (met, crowd, ties, extra))
    if np.ndim(met) == 0 or np.broadcast_shapes(*shapes) != np.shape(met):
        return np.asarray(ties) + met * np.asarray(crowd) + np.asarray(extra)
    np.multiply(met, crowd, out=met)  # arrays of members: the same operations in place (a + b is b + a)
    np.add(met, ties, out=met)
    return np.add(met, extra, out=met)
