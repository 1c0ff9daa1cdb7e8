"""The vectorized member day: every behaviour rule applied to all members at once.

Two phases, split by moderation: `post` (members write messages, spammers post ads)
and `feel_and_move` (members take value, update satisfaction, novelty and ties, and
move between stages). All draws come from the model's numpy Generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engines.day import DayContext, group_terms, update_groups
from sim.population import ACTIVE, DORMANT, INITIAL, LEFT, NEW
from sim.rules import ads as ad_rules
from sim.rules import value as V
from sim.rules.entry import first_day_leave_probability
from sim.rules.hazards import competing, satisfaction_multiplier, step_probability
from sim.rules.lifecycle import impression, transition_hazards
from sim.rules.money import purchase_hazard, renews

if TYPE_CHECKING:
    from sim.model import CommunityModel


def _multiplier(model: CommunityModel, satisfaction: np.ndarray) -> np.ndarray:
    d = model.params.dynamics
    if not d.value_feedback:
        return np.ones_like(satisfaction)
    return satisfaction_multiplier(satisfaction, d.reference_satisfaction, d.sensitivity)


def post(model: CommunityModel, ctx: DayContext) -> None:
    """Members post messages (Poisson per group) and spammers post ads."""
    P, sc, rng = model.people, model.params, model.rng
    G = model.groups.count
    rows = P.members()
    g = P.group[rows]
    st = P.stage[rows]
    spam = P.spammer[rows]
    engaged = ((st == NEW) | (st == ACTIVE)) & ~spam
    posters = rows[engaged]
    rates = P.propensity[posters] * _multiplier(model, P.satisfaction[posters]) * (1.0 + ctx.lift)
    ctx.poster_rows, ctx.poster_rates = posters, rates
    ctx.messages_g = rng.poisson(np.bincount(P.group[posters], weights=rates, minlength=G)).astype(float)
    ctx.spam_rows = rows[spam]
    ctx.spam_ads = rng.poisson(sc.ads.ads_per_day, size=ctx.spam_rows.size)
    ctx.ads_g = np.bincount(g[spam], weights=ctx.spam_ads, minlength=G).astype(float)


def feel_and_move(model: CommunityModel, ctx: DayContext) -> None:
    """Members take the day's value and move: first-day exits, leave, decay, reactivate, spam, buy."""
    P, sc, rng = model.people, model.params, model.rng
    fb = sc.dynamics.value_feedback
    G = model.groups.count
    rows = P.members()  # after today's joins and kicks
    g = P.group[rows]
    st = P.stage[rows]
    engaged = (st == NEW) | (st == ACTIVE)
    size = np.bincount(g, minlength=G)
    engaged_g = np.bincount(g[engaged], minlength=G)

    # --- value and satisfaction
    val = sc.value
    group_terms(model, ctx, size, engaged_g)
    exposure = np.where(engaged, 1.0, sc.activity.dormant_exposure)
    value_today = V.daily_value(
        P.interest[rows], ctx.content_g[g], ctx.chat_g[g], P.ties[rows], model.groups.culture[g], P.novelty[rows],
        ctx.annoyance_g[g], exposure, (val.content_weight, val.chat_weight, val.ties_weight),
        sc.activity.novelty_floor, val.ties_saturation,
    )
    sat = V.update_satisfaction(P.satisfaction[rows], value_today, sc.dynamics.satisfaction_memory)
    P.satisfaction[rows] = sat
    mult = _multiplier(model, sat)
    refresh = ctx.novelty_refresh * engaged
    P.novelty[rows] = V.decay_novelty(P.novelty[rows], sc.activity.novelty_decay, refresh)
    ties = V.grow_ties(P.ties[rows], engaged * np.minimum(mult, 3.0), val.tie_rate, ctx.crowd_g[g],
                       ctx.activity_ties * engaged)
    P.ties[rows] = np.where(engaged, ties, P.ties[rows] * (1.0 - val.tie_decay))
    update_groups(model, ctx)

    # --- first 24 hours: newcomers decide whether they stay
    is_newcomer = P.join_day[rows] == ctx.day
    if fb and ctx.joined_rows.size and sc.onboarding.first_day_leave > 0:
        newcomers = rows[is_newcomer]
        welcomed = np.zeros(newcomers.size, dtype=bool)
        if ctx.welcomed.size:
            welcomed = np.isin(newcomers, ctx.joined_rows[ctx.welcomed])
        first = impression(value_today[is_newcomer], welcomed, sc.onboarding.ritual, sc.onboarding.welcome_effect,
                           sc.onboarding.ritual_effect)
        p_leave = first_day_leave_probability(sc.onboarding.first_day_leave, first, sc.onboarding.impression_scale)
        gone = newcomers[rng.random(newcomers.size) < p_leave]
        model._exit(gone, LEFT, ctx.day)
        ctx.first_day_left = int(gone.size)
        ctx.left_today += int(gone.size)

    # --- stage transitions for everybody else (competing hazards, one draw each)
    movers = ~is_newcomer
    r, m, s_rows = rows[movers], mult[movers], st[movers]
    dormant = s_rows == DORMANT
    leave, move = transition_hazards(
        dormant, m, P.patience[r], P.commitment[r], feedback=fb, base_rate=sc.churn.base_rate,
        peer_rate=sc.churn.peer_rate, left_share=ctx.left_share, dormant_multiplier=sc.churn.dormant_multiplier,
        decay_rate=sc.activity.decay_rate, reactivation_rate=sc.activity.reactivation_rate,
        peer_reactivation_rate=sc.activity.peer_reactivation_rate, active_share=ctx.active_share, awaken=ctx.awaken,
    )
    outcome = competing(rng.random(r.size), leave, move)
    gone = r[outcome == 1]
    model._exit(gone, LEFT, ctx.day)
    ctx.left_today += int(gone.size)
    to_dormant = r[(outcome == 2) & ~dormant]
    to_active = r[(outcome == 2) & dormant]
    P.stage[to_dormant] = DORMANT
    P.stage[to_active] = ACTIVE
    P.novelty[to_active] = np.maximum(P.novelty[to_active], ctx.novelty_refresh)
    ctx.active_to_dormant = int(to_dormant.size)
    ctx.dormant_to_active = int(to_active.size)
    graduate = r[(outcome == 0) & (s_rows == NEW) & (ctx.day - P.join_day[r] >= sc.onboarding.new_days)]
    P.stage[graduate] = ACTIVE
    ctx.new_to_active = int(graduate.size)

    _renew(model, ctx)
    if fb:
        _turn_spammer(model, ctx)
    _buy(model, ctx)


def _renew(model: CommunityModel, ctx: DayContext) -> None:
    """Yearly (periodic) fees: members renew when satisfied and willing to pay, else leave."""
    P, e = model.people, model.params.entry
    if e.threshold != "paid" or e.fee_period_days <= 0:
        return
    rows = P.members()
    age = ctx.day - P.join_day[rows]
    due = rows[(age > 0) & (age % e.fee_period_days == 0) & (P.source[rows] != INITIAL)]
    renew = renews(P.satisfaction[due], P.wtp[due], P.interest[due], fee=e.fee, min_satisfaction=e.renewal_min_satisfaction)
    ctx.fee_revenue += e.fee * int(renew.sum())
    model._exit(due[~renew], LEFT, ctx.day)
    ctx.left_today += int((~renew).sum())


def _turn_spammer(model: CommunityModel, ctx: DayContext) -> None:
    """Disaffected members who no longer fear a kick start posting ads."""
    P, sc, rng = model.people, model.params, model.rng
    rows = P.members()
    rows = rows[~P.spammer[rows] & (P.satisfaction[rows] < sc.ads.spam_satisfaction)]
    if rows.size == 0:
        return
    threat = ad_rules.POLICY_THREAT[sc.moderation.ad_policy]
    stake = P.commitment[rows] + V.saturating(P.ties[rows], sc.value.ties_saturation)
    fear = ad_rules.kick_fear(threat, ctx.coverage[P.group[rows]], stake, sc.ads.kick_fear)
    h = ad_rules.spam_hazard(P.satisfaction[rows], fear, sc.ads.spam_rate, sc.ads.spam_satisfaction)
    turned = rows[rng.random(rows.size) < step_probability(h)]
    P.spammer[turned] = True
    ctx.new_spammers = int(turned.size)


def _buy(model: CommunityModel, ctx: DayContext) -> None:
    """Engaged members able to pay buy the product; satisfied buyers buy again."""
    P, sc, rng = model.people, model.params, model.rng
    mon = sc.monetization
    if mon.product_price <= 0 or (mon.buyer_conversion <= 0 and mon.repurchase_rate <= 0):
        return
    rows = P.members()
    st = P.stage[rows]
    rows = rows[((st == NEW) | (st == ACTIVE)) & ~P.spammer[rows]]
    h = purchase_hazard(P.purchases[rows] > 0, _multiplier(model, P.satisfaction[rows]), P.interest[rows],
                        P.wtp[rows], price=mon.product_price, conversion=mon.buyer_conversion,
                        repurchase=mon.repurchase_rate)
    buyers = rows[rng.random(rows.size) < step_probability(h)]
    P.purchases[buyers] += 1
    ctx.purchases = int(buyers.size)
    ctx.product_revenue = mon.product_price * buyers.size
