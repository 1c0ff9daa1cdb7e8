"""Acquisition channels and referral rewards: what money buys in arrivals and invitations.

Pure rules (numbers in, numbers out) read by `sim.mechanisms.acquisition` and by the
planners (`sim.engines.trend`, `sim.meanfield`), so that all three agree.
"""

from __future__ import annotations

import math


def channel_reach(spend: float, cost_per_arrival: float, saturation: float | None) -> float:
    """People per day (at full pool) that a daily spend buys on a channel.

    Without a saturation the channel sells arrivals at a fixed price: spend / cost. With
    one, returns diminish as the channel's reachable audience is used up, after the
    negative-exponential advertising response curve: saturation * (1 - exp(-spend /
    (cost * saturation))). The first arrival still costs `cost_per_arrival`, the reach
    never exceeds `saturation`, and the marginal cost rises as exp(spend / (cost *
    saturation)) (Hanssens, Parsons & Schultz 2001, ch. 3; Jin et al. 2017, shape effects
    in media-mix models).
    """
    if spend <= 0:
        return 0.0
    if cost_per_arrival <= 0:
        raise ValueError("a channel bought by spend needs a cost per arrival > 0")
    if saturation is None:
        return spend / cost_per_arrival
    return saturation * -math.expm1(-spend / (cost_per_arrival * saturation))


def referral_multiplier(incentive: float, reward: float, reward_lift: float, reward_scale: float) -> float:
    """Factor on the referral rate (Bass q) and on network invitations from incentives and rewards.

    (1 + incentive) * (1 + reward_lift * ln(1 + reward / reward_scale)): a reward per
    successful referral raises the willingness to invite, with diminishing returns in the
    amount (log response, Bernoulli 1738); Ryu & Feick 2007 find that referral rewards
    raise referral likelihood. No reward leaves the rate as the incentive alone sets it.
    """
    return (1.0 + incentive) * (1.0 + reward_lift * math.log1p(reward / reward_scale))
