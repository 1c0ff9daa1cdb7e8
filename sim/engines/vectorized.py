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
from sim.rules.hazards import step_probability
from sim.rules.lifecycle import (
    LEAVE,
    STAY,
    SWITCH,
    block_probabilities,
    day_move,
    impression,
    member_hazards,
    substep_probabilities,
)
from sim.rules.money import purchase_hazard, renews

if TYPE_CHECKING:
    from sim.model import CommunityModel


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
    rates = P.propensity[posters] * model._multiplier(P.satisfaction[posters]) * (1.0 + ctx.lift)
    ctx.poster_rows, ctx.poster_rates = posters, rates
    ctx.messages_g = rng.poisson(np.bincount(P.group[posters], weights=rates, minlength=G)).astype(float)
    ctx.spam_rows = rows[spam]
    ctx.spam_ads = rng.poisson(sc.ads.ads_per_day, size=ctx.spam_rows.size)
    ctx.ads_g = np.bincount(g[spam], weights=ctx.spam_ads, minlength=G).astype(float)


def feel_and_move(model: CommunityModel, ctx: DayContext) -> None:
    """Members take the day's value and move: first-day exits, leave, decay, reactivate, renew, spam, buy.

    Written for speed: each column is gathered once, and every member gets one uniform
    draw for its stage move.
    """
    P, sc, rng = model.people, model.params, model.rng
    fb, val = sc.dynamics.value_feedback, sc.value
    G = model.groups.count
    rows = P.members()  # after today's joins and kicks
    g = P.group[rows]
    st = P.stage[rows]
    engaged = st != DORMANT
    group_terms(model, ctx, np.bincount(g, minlength=G), np.bincount(g[engaged], minlength=G))

    # --- value, satisfaction, novelty, ties
    ties = P.ties[rows]
    value_today = V.daily_value(
        P.interest[rows],
        ctx.content_g[g],
        ctx.chat_g[g],
        ties,
        model.groups.culture[g],
        P.novelty[rows],
        ctx.annoyance_g[g],
        np.where(engaged, 1.0, sc.activity.dormant_exposure),
        (val.content_weight, val.chat_weight, val.ties_weight),
        sc.activity.novelty_floor,
        val.ties_saturation,
    )
    sat = V.update_satisfaction(P.satisfaction[rows], value_today, sc.dynamics.satisfaction_memory)
    P.satisfaction[rows] = sat
    mult = model._multiplier(sat)
    P.novelty[rows] = V.decay_novelty(P.novelty[rows], sc.activity.novelty_decay, ctx.novelty_refresh * engaged)
    ties = np.where(
        engaged,
        V.grow_ties(ties, np.minimum(mult, 3.0), ctx.tie_rate_g[g], ctx.crowd_g[g], ctx.activity_ties),
        ties * (1.0 - val.tie_decay),
    )
    P.ties[rows] = ties
    update_groups(model, ctx)

    # --- stage moves: the first-24-hours rule for newcomers, the member chain for everybody
    join_day = P.join_day[rows]
    newcomer = join_day == ctx.day
    stayed = np.ones(rows.size, dtype=bool)
    if fb and ctx.joined_rows.size and sc.onboarding.first_day_leave > 0:
        idx = np.flatnonzero(newcomer)
        welcomed = False
        if ctx.welcomed.size:  # look today's newcomers up among today's joins (rows are sorted)
            order = np.argsort(ctx.joined_rows)
            welcomed = ctx.welcomed[order][np.searchsorted(ctx.joined_rows[order], rows[idx])]
        first = impression(
            value_today[idx], welcomed, sc.onboarding.ritual, sc.onboarding.welcome_effect, sc.onboarding.ritual_effect
        )
        p_leave = first_day_leave_probability(sc.onboarding.first_day_leave, first, sc.onboarding.impression_scale)
        stayed[idx[rng.random(idx.size) < p_leave]] = False
        ctx.first_day_left = int(idx.size - stayed[idx].sum())
    dormant = ~engaged
    if fb:  # hazards member by member, in each sub-step; newcomers faced the first-day rule instead
        steps = [
            member_hazards(
                mult,
                P.patience[rows],
                P.commitment[rows] + ctx.identity_g[g],
                feedback=fb,
                base_rate=sc.churn.base_rate,
                peer_rate=sc.churn.peer_rate,
                left_share=left_share,
                dormant_multiplier=sc.churn.dormant_multiplier,
                decay_rate=sc.activity.decay_rate,
                reactivation_rate=sc.activity.reactivation_rate,
                peer_reactivation_rate=sc.activity.peer_reactivation_rate,
                active_share=active_share,
                awaken=ctx.awaken,
            )
            for left_share, active_share in zip(ctx.left_shares, ctx.active_shares, strict=True)
        ]
        outcome = day_move(rng.random(rows.size), *substep_probabilities(steps, dormant))
        outcome[newcomer] = STAY
    else:  # every member of a stage shares the day plan's transition
        plan = model.trend.plan
        assert plan is not None  # planned when the day opened (DayContext.start)
        left, switch = block_probabilities(plan.member, dormant)
        join_left, join_switch = block_probabilities(plan.newcomer, False)
        left, switch = np.where(newcomer, join_left, left), np.where(newcomer, join_switch, switch)
        outcome = day_move(rng.random(rows.size), left, switch)
    stayed &= outcome != LEAVE
    to_active = (outcome == SWITCH) & dormant
    to_dormant = (outcome == SWITCH) & engaged
    graduate = (outcome == STAY) & (st == NEW) & (ctx.day - join_day >= sc.onboarding.new_days)
    model._exit(rows[~stayed], LEFT, ctx.day)
    ctx.left_today += int(rows.size - stayed.sum())
    P.stage[rows[to_dormant]] = DORMANT
    P.stage[rows[to_active | graduate]] = ACTIVE
    P.novelty[rows[to_active]] = np.maximum(P.novelty[rows[to_active]], ctx.novelty_refresh)
    ctx.active_to_dormant = int(to_dormant.sum())
    ctx.dormant_to_active = int(to_active.sum())
    ctx.new_to_active = int(graduate.sum())

    engaged = (engaged & ~to_dormant) | to_active
    stayed &= _renew(model, ctx, rows, join_day, sat, stayed)
    if fb:
        cand = np.flatnonzero(stayed & (sat < sc.ads.spam_satisfaction))
        _turn_spammer(model, ctx, rows[cand], sat[cand], ties[cand], g[cand])
    buyers = np.flatnonzero(stayed & engaged & ~P.spammer[rows])
    _buy(model, ctx, rows[buyers], mult[buyers])


def _renew(
    model: CommunityModel, ctx: DayContext, rows: np.ndarray, join_day: np.ndarray, sat: np.ndarray, member: np.ndarray
) -> np.ndarray | bool:
    """Periodic fees: members renew when satisfied and willing to pay, else leave. False where one left."""
    P, e = model.people, model.params.entry
    if e.threshold != "paid" or e.fee_period_days <= 0:
        return True
    age = ctx.day - join_day
    due = np.flatnonzero(member & (age > 0) & (age % e.fee_period_days == 0) & (P.source[rows] != INITIAL))
    d = rows[due]
    renew = renews(sat[due], P.wtp[d], P.interest[d], fee=e.fee, min_satisfaction=e.renewal_min_satisfaction)
    ctx.fee_revenue += e.fee * int(renew.sum())
    model._exit(d[~renew], LEFT, ctx.day)
    ctx.left_today += int((~renew).sum())
    out = np.ones(rows.size, dtype=bool)
    out[due[~renew]] = False
    return out


def _turn_spammer(
    model: CommunityModel, ctx: DayContext, rows: np.ndarray, sat: np.ndarray, ties: np.ndarray, g: np.ndarray
) -> None:
    """Disaffected members (below the spam floor) who no longer fear a kick start posting ads."""
    P, sc, rng = model.people, model.params, model.rng
    fresh = ~P.spammer[rows]
    rows, sat, ties, g = rows[fresh], sat[fresh], ties[fresh], g[fresh]
    if rows.size == 0:
        return
    threat = ad_rules.POLICY_THREAT[sc.moderation.ad_policy]
    stake = P.commitment[rows] + V.saturating(ties, sc.value.ties_saturation)
    fear = ad_rules.kick_fear(threat, ctx.enforcement[g], stake, sc.ads.kick_fear)
    h = ad_rules.spam_hazard(sat, fear, sc.ads.spam_rate, sc.ads.spam_satisfaction)
    turned = rows[rng.random(rows.size) < step_probability(h)]
    P.spammer[turned] = True
    ctx.new_spammers = int(turned.size)


def _buy(model: CommunityModel, ctx: DayContext, rows: np.ndarray, mult: np.ndarray) -> None:
    """Engaged members (not spammers) able to pay buy the product; satisfied buyers buy again."""
    P, sc, rng = model.people, model.params, model.rng
    mon = sc.monetization
    if mon.product_price <= 0 or (mon.buyer_conversion <= 0 and mon.repurchase_rate <= 0):
        return
    h = purchase_hazard(
        P.purchases[rows] > 0,
        mult,
        P.interest[rows],
        P.wtp[rows],
        price=mon.product_price,
        conversion=mon.buyer_conversion,
        repurchase=mon.repurchase_rate,
    )
    buyers = rows[rng.random(rows.size) < step_probability(h)]
    P.purchases[buyers] += 1
    ctx.purchases = int(buyers.size)
    ctx.product_revenue = mon.product_price * buyers.size
