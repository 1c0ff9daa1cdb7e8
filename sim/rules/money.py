"""Monetization: buying the product, and paying a periodic fee (entry-fee renewal, the membership tier).

A member becomes a customer with their first purchase (conversion, seed 003's 转化率)
and buys again at the repurchase hazard (回购). A paid membership tier (会员制, seed 003
§money) is bought by customers who can afford it, renewed or left to lapse at its end
by the same rule as an entry fee.
"""

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
    bought = np.asarray(bought_before, dtype=bool)
    shapes = {np.shape(a) for a in (bought, multiplier, interest, wtp)}
    if bought.ndim == 0 or len(shapes) > 1:
        first = conversion * np.asarray(multiplier) * np.asarray(interest) * np.minimum(1.0, np.asarray(wtp) / price)
        again = repurchase * np.asarray(multiplier)
        return np.where(bought, again, first)
    afford = np.divide(wtp, price)  # arrays of members: the same operations in place
    np.minimum(1.0, afford, out=afford)
    hazard = np.multiply(conversion, multiplier)
    np.multiply(hazard, interest, out=hazard)
    hazard *= afford
    np.copyto(hazard, np.multiply(repurchase, multiplier), where=bought)
    return hazard


def affords(wtp: ArrayLike, interest: ArrayLike, price: float) -> NDArray[np.bool_] | bool:
    """Willingness to pay a price, raised by interest: wtp * (0.5 + interest) >= price (as at a paid entry)."""
    return np.asarray(wtp) * (0.5 + np.asarray(interest)) >= price


def tier_hazard(
    customer: ArrayLike, multiplier: ArrayLike, wtp: ArrayLike, interest: ArrayLike, *, price: float, uptake: float
) -> NDArray[np.float64]:
    """Return the hazard/day of buying the membership tier: uptake * multiplier for customers who afford it, else 0.

    Only customers buy it: a membership pays off for those who already buy the product.
    """
    able = np.asarray(customer, dtype=bool) & affords(wtp, interest, price)
    return np.where(able, uptake * np.asarray(multiplier, dtype=float), 0.0)


def renews(
    satisfaction: ArrayLike, wtp: ArrayLike, interest: ArrayLike, *, fee: float, min_satisfaction: float
) -> NDArray[np.bool_] | bool:
    """Decide whether a member renews a periodic fee.

    They renew when satisfied enough and still willing to pay it (the same willingness
    test as at entry: wtp * (0.5 + interest) >= fee).
    """
    return (np.asarray(satisfaction) >= min_satisfaction) & affords(wtp, interest, fee)
