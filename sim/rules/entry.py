"""Entry thresholds (门槛): who passes, and how committed they are once in.

A threshold filters arrivals by interest or willingness to pay, which slows inflow and
raises the mean interest of those who join; passing it also raises commitment ("if I
paid, I cherish it", seed 002), which slows leaving and deters spamming.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: commitment of a member who passed each threshold, when the scenario does not set one
DEFAULT_COMMITMENT = {"free": 0.0, "paid": 1.0, "invite": 0.3, "review": 0.5, "task": 0.2}


def pass_probability(
    threshold: str,
    interest: ArrayLike,
    wtp: ArrayLike,
    referred: ArrayLike,
    *,
    fee: float = 0.0,
    invite_code_share: float = 0.0,
    review_min_interest: float = 0.0,
    task_effort: float = 0.0,
) -> NDArray[np.float64]:
    """Probability that an arriving person passes the entry threshold.

    - free: everyone passes;
    - paid: those whose willingness to pay, raised by interest, covers the fee:
      wtp * (0.5 + interest) >= fee;
    - invite: referred people (invited by a member) and channel arrivals with a code;
    - review: a reviewer accepts interest >= review_min_interest;
    - task: people do the task (share a poster, fill a survey) in proportion to how
      far their interest exceeds the effort: (interest - effort) / (1 - effort).
    """
    interest = np.asarray(interest, dtype=float)
    if threshold == "free":
        return np.ones_like(interest)
    if threshold == "paid":
        return (np.asarray(wtp) * (0.5 + interest) >= fee).astype(float)
    if threshold == "invite":
        return np.where(np.asarray(referred, dtype=bool), 1.0, invite_code_share)
    if threshold == "review":
        return (interest >= review_min_interest).astype(float)
    if threshold == "task":
        return np.clip((interest - task_effort) / (1.0 - task_effort), 0.0, 1.0)
    raise ValueError(f"unknown entry threshold {threshold!r}")


def commitment(threshold: str, configured: float | None) -> float:
    """Return the commitment of a member who passed `threshold` (the configured value wins)."""
    return DEFAULT_COMMITMENT[threshold] if configured is None else configured


def first_day_leave_probability(
    max_leave: ArrayLike, impression: ArrayLike, scale: float
) -> NDArray[np.float64] | float:
    """First-24-hours rule (seed 003): a newcomer leaves with max_leave * exp(-impression/scale).

    The impression is the welcome, the onboarding ritual and the value of the first day.
    """
    return np.asarray(max_leave) * np.exp(-np.maximum(np.asarray(impression, dtype=float), 0.0) / scale)
