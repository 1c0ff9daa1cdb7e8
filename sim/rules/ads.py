"""The ad-spam spiral (seed 002, section 3) and the moderation that breaks it.

A member who gets no value from the group and no longer fears being kicked posts ads
"to recoup sunk time"; ads lower everyone else's value, which makes more members
disaffected. Admins find ads within their attention and apply the ad policy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: how credible a kick is under each policy, before admin coverage
POLICY_THREAT = {"tolerate": 0.0, "warn_then_kick": 0.6, "kick": 1.0}


def kick_fear(threat: ArrayLike, enforcement: ArrayLike, stake: ArrayLike, weight: float) -> NDArray[np.float64]:
    """Fear of being kicked, 0..1: 1 - exp(-weight * threat * enforcement * (1 + stake)).

    `threat` is the policy's credibility, `enforcement` the share of ads admins actually
    catch in the group (coverage x strictness), `stake` what the member would lose
    (commitment, ties).
    """
    x = weight * np.asarray(threat) * np.asarray(enforcement) * (1.0 + np.asarray(stake))
    return -np.expm1(-x)


def spam_hazard(
    satisfaction: ArrayLike, fear: ArrayLike, spam_rate: float, spam_satisfaction: float
) -> NDArray[np.float64]:
    """Hazard of turning spammer: spam_rate * (1 - fear) for members below the value floor."""
    low = np.asarray(satisfaction) < spam_satisfaction
    return spam_rate * low * (1.0 - np.asarray(fear))


def moderation_coverage(minutes_available: ArrayLike, minutes_needed: ArrayLike) -> NDArray[np.float64]:
    """Share of the day's moderation work (ads, welcomes, reviews) admins get done."""
    need = np.asarray(minutes_needed, dtype=float)
    avail = np.asarray(minutes_available, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(need > 0, np.clip(avail / need, 0.0, 1.0), 1.0)


def moderation_minutes(
    messages: ArrayLike,
    ads: ArrayLike,
    *,
    minutes_per_message_read: float,
    minutes_per_ad: float,
    bot_share: float = 0.0,
) -> NDArray[np.float64]:
    """Admin minutes the day's chat needs per group: reading every message and ad, handling each ad.

    A bot deletes `bot_share` of the ads before anybody reads them; the admins read and
    handle the rest.
    """
    ads_left = np.asarray(ads, dtype=float) * (1.0 - bot_share)
    return minutes_per_message_read * (np.asarray(messages, dtype=float) + ads_left) + minutes_per_ad * ads_left


def with_bot(enforcement: ArrayLike, bot_share: float) -> NDArray[np.float64]:
    """Share of ads removed when a bot deletes `bot_share` by rule and the admins catch `enforcement` of the rest."""
    enforcement = np.asarray(enforcement, dtype=float)
    return enforcement if bot_share == 0 else 1.0 - (1.0 - bot_share) * (1.0 - enforcement)


def detection_probability(policy: str, enforcement: ArrayLike) -> NDArray[np.float64]:
    """Probability that one ad is found and removed: enforcement (coverage x strictness), 0 if tolerated."""
    return np.asarray(enforcement, dtype=float) * (policy != "tolerate")


def sanction(policy: str, warnings: ArrayLike, warnings_before_kick: int) -> NDArray[np.bool_]:
    """Mark where a caught poster is kicked (their warning count already includes this catch)."""
    w = np.asarray(warnings)
    if policy == "kick":
        return np.ones(w.shape, dtype=bool)
    if policy == "warn_then_kick":
        return w > warnings_before_kick
    return np.zeros(w.shape, dtype=bool)
