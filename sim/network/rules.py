"""Pure rules of life on a friendship network: invitations, acceptance, ties, contagious leaving, posting.

Each function maps plain arrays to plain arrays (the samplers take the Generator they
draw from), so the model's network mechanism is a thin layer that feeds them the day's
state. Sources are cited per function; docs/ODD.md gives the wiring.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _zero_inflated_lognormal(
    rng: np.random.Generator, n: int, mean: float, active_share: float, sigma: float
) -> FloatArray:
    """`n` draws: 0 with probability 1 - active_share, else lognormal; the mean over all is `mean`."""
    if not 0 < active_share <= 1:
        raise ValueError(f"active_share must be in (0, 1], got {active_share}")
    active = rng.random(n) < active_share
    mu = np.log(mean / active_share) - sigma**2 / 2
    out = np.zeros(n)
    out[active] = rng.lognormal(mu, sigma, int(active.sum()))
    return out


def draw_invitation_propensity(
    rng: np.random.Generator, n: int, mean: float, inviter_share: float, sigma: float
) -> FloatArray:
    """Invitations/day each of `n` people sends while engaged: most send none, a few send many.

    A share `inviter_share` are inviters, whose propensity is lognormal(sigma); the rest
    never invite. The mean over everyone is `mean`. ``inviter_share = 1, sigma = 0`` is the
    homogeneous control. Heavy-tailed recruiting: Leskovec, Adamic & Huberman 2007 (viral
    marketing: most recommendations come from few people); Goel, Watts & Goldstein 2012.
    """
    return _zero_inflated_lognormal(rng, n, mean, inviter_share, sigma)


def founder_burst(group_age_days: npt.ArrayLike, burst: float, burst_days: float) -> FloatArray:
    """Multiplier of a founding team's invitation rate: ``1 + burst * exp(-age / burst_days)``.

    The owner and founders invite their circles in a burst when the group starts (seed 003:
    拉群 on day 0), fading with a time constant of `burst_days`.
    """
    age = np.asarray(group_age_days, dtype=np.float64)
    if burst_days <= 0:
        return np.where(age <= 0, 1.0 + burst, 1.0)
    return 1.0 + burst * np.exp(-np.maximum(age, 0.0) / burst_days)


def invitations_sent(rng: np.random.Generator, propensity: npt.ArrayLike, multiplier: npt.ArrayLike = 1.0) -> IntArray:
    """Invitations each person sends today: Poisson(propensity x multiplier)."""
    lam = np.asarray(propensity, dtype=np.float64) * np.asarray(multiplier, dtype=np.float64)
    return rng.poisson(np.maximum(lam, 0.0)).astype(np.int64)


def acceptance_probability(
    interest: npt.ArrayLike, friends_inside: npt.ArrayLike, base: float, per_friend: float
) -> FloatArray:
    """Probability an invitee accepts: ``interest * (1 - (1 - base) * (1 - per_friend) ** k)``.

    `k` is the number of the invitee's friends already in the group. It rises with
    interest and with `k`, each further friend adding less (diminishing returns), and
    never exceeds the invitee's interest: friends persuade, they do not create the need.
    Backstrom, Huttenlocher, Kleinberg & Lan 2006 (joining a community rises with friends
    inside, with diminishing returns); Centola 2010 (reinforcement from several ties).
    """
    p = np.clip(np.asarray(interest, dtype=np.float64), 0.0, 1.0)
    k = np.maximum(np.asarray(friends_inside, dtype=np.float64), 0.0)
    return p * (1.0 - (1.0 - base) * (1.0 - per_friend) ** k)


def tie_value(weighted_friends: npt.ArrayLike, saturation: float) -> FloatArray:
    """Tie value 0..1 from friends in the same group weighted by their engagement: ``1 - exp(-x / saturation)``.

    `weighted_friends` is the sum over a member's friends in the group of each friend's
    engagement (1 active, less when dormant), e.g. `SocialGraph.sum_over_friends`. The
    saturating form is the one of the current `value.ties_saturation` (63% at x = saturation).
    Seed 002 §2.4 (归属感); Ren, Kraut & Kiesler 2007 (bond-based attachment).
    """
    x = np.maximum(np.asarray(weighted_friends, dtype=np.float64), 0.0)
    return 1.0 - np.exp(-x / saturation)


def tie_formation_rate(
    messages: npt.ArrayLike, group_size: npt.ArrayLike, rate: float, crowd_size: float
) -> FloatArray:
    """Return the new ties/day a member forms by talking: ``rate * messages / (1 + group_size / crowd_size)``.

    Ties come from conversation (seed 002 ch. 3.7, 强关系), and fewer per message in a
    crowd where nobody stands out (the crowding of `value.crowd_size`).
    """
    m = np.maximum(np.asarray(messages, dtype=np.float64), 0.0)
    s = np.maximum(np.asarray(group_size, dtype=np.float64), 0.0)
    return rate * m / (1.0 + s / crowd_size)


def talk_ties(
    rng: np.random.Generator,
    group: npt.ArrayLike,
    messages: npt.ArrayLike,
    rate: float,
    crowd_size: float,
) -> tuple[IntArray, IntArray]:
    """Pairs ``(u, v)`` of people who formed a tie today by talking in the same group.

    `group` and `messages` are per person (group -1 = in no group). Each person makes
    Poisson(`tie_formation_rate`) ties, each with a partner who talked in the same
    group, chosen in proportion to that partner's messages. Self pairs are dropped.
    """
    g = np.asarray(group, dtype=np.int64)
    m = np.maximum(np.asarray(messages, dtype=np.float64), 0.0)
    talkers = np.flatnonzero((g >= 0) & (m > 0))
    size = np.bincount(g[g >= 0]) if (g >= 0).any() else np.zeros(0, np.int64)
    counts = rng.poisson(tie_formation_rate(m[talkers], size[g[talkers]], rate, crowd_size))
    return talk_partners(talkers, g[talkers], m[talkers], counts, rng.random(int(counts.sum())))


def talk_partners(
    talkers: npt.ArrayLike,
    group: npt.ArrayLike,
    messages: npt.ArrayLike,
    counts: npt.ArrayLike,
    u: npt.ArrayLike,
) -> tuple[IntArray, IntArray]:
    """Pairs ``(u, v)``: talker k makes `counts[k]` ties, each partner a talker of its group picked by a uniform.

    `talkers` (ascending), `group` and `messages` describe today's talkers; `u` holds
    one uniform per tie, talker by talker in order. A partner is chosen in proportion to
    their messages, by inverting the cumulative messages of the group; self pairs are
    dropped. The samplers (`talk_ties`, the network mechanism's keyed draws) feed it.
    """
    people = np.asarray(talkers, dtype=np.int64)
    g = np.asarray(group, dtype=np.int64)
    m = np.asarray(messages, dtype=np.float64)
    n_ties = np.asarray(counts, dtype=np.int64)
    empty = np.zeros(0, np.int64)
    if len(people) < 2 or n_ties.sum() == 0:
        return empty, empty
    order = np.argsort(g, kind="stable")
    tg = g[order]
    cum = np.concatenate([[0.0], np.cumsum(m[order])])
    start = np.searchsorted(tg, tg, side="left")
    stop = np.searchsorted(tg, tg, side="right")
    pos_of = np.empty(len(people), np.int64)
    pos_of[order] = np.arange(len(people))
    u_pos = np.repeat(pos_of, n_ties)
    lo, hi = cum[start[u_pos]], cum[stop[u_pos]]
    v_pos = np.searchsorted(cum, lo + np.asarray(u, dtype=np.float64) * (hi - lo), side="right") - 1
    v_pos = np.clip(v_pos, start[u_pos], stop[u_pos] - 1)
    keep = v_pos != u_pos
    return people[order[u_pos[keep]]], people[order[v_pos[keep]]]


def tie_decay(weights: npt.ArrayLike, contact: npt.ArrayLike, rate: float) -> FloatArray:
    """Tie strengths after a day: refreshed to 1 by contact, else shrunk by the share `rate`.

    A tie left alone for t days keeps ``(1 - rate) ** t`` of its strength; the caller
    drops ties below a floor (`SocialGraph.remove_weak`). Burt 2000 (decay of ties
    without contact); Roberts & Dunbar 2011 (closeness falls without contact).
    """
    w = np.asarray(weights, dtype=np.float64)
    return np.where(np.asarray(contact, dtype=bool), 1.0, w * (1.0 - rate))


def friend_leave_hazard(friends_left: npt.ArrayLike, degree: npt.ArrayLike, rate: float) -> FloatArray:
    """Extra leave hazard/day from friends who left: ``rate * friends_left / degree``.

    The network form of irSIR's contagious leaving (Cannarella & Spechler 2014): there the
    hazard is v * R / N, the share of everyone who left; here it is the share of one's own
    friends who left, so on a complete graph it is the irSIR term again. Garcia, Mavrodiev &
    Schweitzer 2013 (Friendster: departures cascade through friendships). 0 without friends.
    """
    k = np.asarray(degree, dtype=np.float64)
    left = np.asarray(friends_left, dtype=np.float64)
    return np.where(k > 0, rate * left / np.maximum(k, 1.0), 0.0)


def draw_posting_propensity(
    rng: np.random.Generator, n: int, mean: float, poster_share: float, sigma: float
) -> FloatArray:
    """Messages/day each of `n` members writes while engaged: lurkers write none, a small core most.

    A share 1 - `poster_share` are lurkers (0); posters are lognormal(sigma), the mean over
    everyone is `mean`. Nielsen 2006 (90-9-1 rule); van Mierlo 2014 (the 1% rule in health
    communities); Kraut & Resnick 2012 (participation inequality).
    """
    return _zero_inflated_lognormal(rng, n, mean, poster_share, sigma)


def posting_rate(
    propensity: npt.ArrayLike,
    replies: npt.ArrayLike,
    recognition: npt.ArrayLike,
    reply_gain: float,
    reply_saturation: float,
    recognition_gain: float,
) -> FloatArray:
    """Today's message rate: propensity lifted by replies received and by recognition.

    ``propensity * (1 + reply_gain * (1 - exp(-replies / reply_saturation))) * (1 + recognition_gain * recognition)``.
    Replies lift posting with diminishing returns; recognition (praise, 0..1) lifts it in
    proportion. A lurker (propensity 0) stays silent. Joyce & Kraut 2006 (a reply to a
    newcomer's first post makes a second post likelier); Burke, Marlow & Lento 2009 (feedback
    raises contribution).
    """
    base = np.maximum(np.asarray(propensity, dtype=np.float64), 0.0)
    r = np.maximum(np.asarray(replies, dtype=np.float64), 0.0)
    rec = np.clip(np.asarray(recognition, dtype=np.float64), 0.0, 1.0)
    return base * (1.0 + reply_gain * (1.0 - np.exp(-r / reply_saturation))) * (1.0 + recognition_gain * rec)
