"""Monetization: buying the product, and renewing a periodic membership fee."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def purchase_hazard(
    bought_before: ArrayLike,
    multiplier: ArrayLike,
    interest: ArrayLike,
    wtp: ArrayLike,
    *,
    price: float,
    conversion: float,
    repurchase: float,
) -> NDArray[np.float64] | float:
    """Return the hazard/day of buying.

    A first purchase has hazard conversion * multiplier * interest * min(1, wtp/price);
    a satisfied buyer buys again at repurchase * multiplier.
    """
    first = conversion * np.asarray(multiplier) * np.asarray(interest) * np.minimum(1.0, np.asarray(wtp) / price)
    again = repurchase * np.asarray(multiplier)
    return np.where(np.asarray(bought_before, dtype=bool), again, first)


def renews(
    satisfaction: ArrayLike, wtp: ArrayLike, interest: ArrayLike, *, fee: float, min_satisfaction: float
) -> NDArray[np.bool_] | bool:
    """Decide whether a member renews a periodic fee.

    They renew when satisfied enough and still willing to pay it (the same willingness
    test as at entry: wtp * (0.5 + interest) >= fee).
    """
    return (np.asarray(satisfaction) >= min_satisfaction) & (np.asarray(wtp) * (0.5 + np.asarray(interest)) >= fee)
