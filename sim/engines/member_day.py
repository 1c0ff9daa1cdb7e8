"""The member day, written once: the rule calls of a member's day over an array of rows.

Both engines run these functions. The vectorized engine passes every member's row at
once; the agents engine passes one row at a time, member by member in Mesa's shuffled
order (`shuffle_do`), through `Member.post` and `Member.live`. Nothing a member does
here reads what another member did earlier in the same phase (members meet only
through the group terms, fixed before the phase), every draw is keyed by the member's
row (`sim.random.Draws`), and what the phase adds up is counted in integers, so the
two engines give identical results for the same seed.

A day of the members has two phases, split by moderation:

- `post`: engaged members write messages at their rate, spammers post ads; then
  `count_messages` draws each group's message count from the summed rates;
- `live`: after the group terms (`group_terms`), each member takes the day's value,
  updates satisfaction, novelty and ties, and moves: first-day exit, the member chain
  (leave, go dormant, come back), graduation, fee renewal, turning spammer, buying,
  the membership tier.

What the phases publish goes on the day's hand-offs (`sim.mechanisms.day`): `Posting`
and `GroupTerms`, and the counts on its `Tally`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.day import Day, GroupTerms, Posting
from sim.population import ACTIVE, CAMPAIGN, DORMANT, EVERYDAY, FESTIVAL, INITIAL, LEFT, NEW
from sim.random import poisson_inverse
from sim.rules import ads as ad_rules
from sim.rules import value
from sim.rules.entry import first_day_leave_probability
from sim.rules.hazards import satisfaction_multiplier, step_probability
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
from sim.rules.memberships import combined_value, worst_group
from sim.rules.money import purchase_hazard, renews, tier_hazard

if TYPE_CHECKING:
    from sim.scenario.schema import Dynamics
    from sim.world import Community


def engagement(dynamics: Dynamics, satisfaction: np.ndarray) -> np.ndarray:
    """How much more engaged than reference members with this satisfaction are (1 with feedback off)."""
    if not dynamics.value_feedback:
        return np.ones_like(satisfaction, dtype=float)
    return np.asarray(satisfaction_multiplier(satisfaction, dynamics.reference_satisfaction, dynamics.sensitivity))


# ---------------------------------------------------------------- posting
def post(model: Community, day: Day, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Members in `rows` write today: engaged ones at their message rate, spammers their ads.

    Returns (poster rows, their message rates, spammer rows, their ad counts), for
    `close_posting` once every member has posted.
    """
    people, sc = model.people, model.params
    st = people.stage[rows]
    spam = people.spammer[rows]
    posters = rows[((st == NEW) | (st == ACTIVE)) & ~spam]
    rates = people.propensity[posters]  # a fresh gather: the rates are built in it (a * b is b * a)
    rates *= engagement(sc.dynamics, people.satisfaction[posters])
    rates *= (1.0 + day.start.lift) * day.start.activity_factor
    if sc.network.source != "well_mixed":  # replies and recognition: 1 exactly without a network, x * 1 is x
        rates = rates * people.feedback[posters]
    spammers = rows[spam]
    ads = model.draws.poisson("member.ads", day.day, spammers, sc.ads.ads_per_day)
    return posters, rates, spammers, ads


def close_posting(
    model: Community,
    day: Day,
    posters: np.ndarray,
    rates: np.ndarray,
    spammers: np.ndarray,
    ads: np.ndarray,
) -> None:
    """Publish the day's posting (rows sorted): group message counts and ads per group.

    A group's messages are Poisson with the sum of its posters' rates, drawn by
    inversion from a uniform keyed by the group, so a small change of the rates changes
    the count little. With a friendship network each message then gets its author among
    the group's posters (`message_authors`), so `people.messages` counts messages per
    member without moving the group counts.

    A member in several groups (`groups.max_groups_per_member` > 1) spreads their rate
    evenly over them: each group's rate has their share, their total is unchanged.
    """
    people, n_groups = model.people, model.groups.count
    if people.multi:  # one entry per membership, each with its share of the poster's rate
        entry_rows, entry_groups = people.memberships(posters)
        at = np.searchsorted(posters, entry_rows)  # posters are sorted
        entry_rates = rates[at] / people.group_count(posters)[at]
    else:
        entry_groups, entry_rates = people.group[posters], rates
    rate_g = np.bincount(entry_groups, weights=entry_rates, minlength=n_groups)
    u = model.draws.uniform("member.messages", day.day, np.arange(n_groups))
    messages = poisson_inverse(u, rate_g)
    written = np.zeros(posters.size, dtype=np.int64)
    if model.params.network.source != "well_mixed":  # messages per member: participation inequality
        by_entry = message_authors(model, day, entry_groups, entry_rates, messages)
        if people.multi:  # a member's messages over all their groups
            by_entry = np.bincount(at, weights=by_entry, minlength=posters.size).astype(np.int64)
        written = by_entry
        people.messages[posters] += written.astype(np.int32)
    day.posting = Posting(
        poster_rows=posters,
        poster_rates=rates,
        poster_messages=written,
        spam_rows=spammers,
        spam_ads=ads,
        messages=messages.astype(float),
        ads=np.bincount(people.group[spammers], weights=ads, minlength=n_groups).astype(float),
    )


def message_authors(
    model: Community, day: Day, groups: np.ndarray, rates: np.ndarray, messages: np.ndarray
) -> np.ndarray:
    """Return how many of each group's `messages` each poster wrote, in proportion to their rates.

    `groups` and `rates` have one entry per poster and group (a member in two groups
    posts in each with their share of their rate).

    Systematic allocation (one uniform per group, keyed by the group): with the group's
    posters in row order and x_i = messages x (their cumulative rate) / (the group's rate),
    poster i writes floor(x_i + U) - floor(x_(i-1) + U). The group's count is kept exactly,
    and each poster writes the floor or the ceiling of their expected share, with that mean.
    It costs one pass over the posters, whatever the number of messages.
    """
    written = np.zeros(groups.size, dtype=np.int64)
    if groups.size == 0 or not messages.any():
        return written
    writing = np.flatnonzero(rates > 0)  # lurkers write nothing
    g = groups[writing]
    order = writing[np.argsort(g, kind="stable")]
    g_sorted, r = groups[order], rates[order]
    cum = np.cumsum(r)
    per_group = np.bincount(g_sorted, minlength=messages.size)
    first = (np.cumsum(per_group) - per_group)[g_sorted]
    last = first + per_group[g_sorted] - 1
    before = cum[first] - r[first]  # cumulative rate of the groups before this one
    group_rate = cum[last] - before
    share = np.divide(cum - before, group_rate, out=np.zeros(r.size), where=group_rate > 0)
    share[np.arange(r.size) == last] = 1.0  # the group's last poster closes its count exactly
    u = model.draws.uniform("member.authors", day.day, np.arange(messages.size))
    upto = np.floor(messages[g_sorted] * share + u[g_sorted]).astype(np.int64)
    prev = np.concatenate([[0], upto[:-1]])
    prev[np.arange(r.size) == first] = 0  # floor(0 + U) at the start of each group
    written[order] = upto - prev
    return written


# ---------------------------------------------------------------- group terms
def group_terms(model: Community, day: Day) -> None:
    """Publish the day's per-group value terms (`GroupTerms`), after today's joins and kicks.

    Also draws which messages are replies (a message is a reply with probability equal
    to how lively the conversation is), and places the population terms of the hazards
    (active share a, left share R/N) at mid-day.
    """
    people, sc = model.people, model.params
    val = sc.value
    posting, moderation = day.posting, day.moderation
    n_groups = model.groups.count
    rows = people.members()
    if people.multi:  # every membership counts in its group
        size = people.group_sizes(rows, n_groups)
        engaged = people.group_sizes(rows, n_groups, people.stage[rows] != DORMANT)
    else:
        g = people.group[rows].astype(np.intp)  # as intp, bincount need not convert it (twice)
        size = np.bincount(g, minlength=n_groups)
        engaged = size - np.bincount(g[people.stage[rows] == DORMANT], minlength=n_groups)  # the fewer counted
    visible_messages = posting.messages * (1.0 - val.off_topic_share * moderation.focus)
    chat = np.asarray(value.chat_value(visible_messages, size, val.chat_saturation, val.crowd_size))
    replies = model.draws.binomial(
        "groups.replies", day.day, np.arange(n_groups), posting.messages.astype(np.int64), np.clip(chat, 0, 1)
    )
    day.tally.replies = int(replies.sum())
    visible_ads = posting.ads - (1.0 - sc.moderation.removed_ad_visibility) * moderation.ads_removed
    start = day.start
    active_shares, left_shares = model.trend.terms(
        start.member_rows.size, start.engaged_rows.size, day.arrivals.joined_rows.size
    )
    day.terms = GroupTerms(
        size=size,
        engaged=engaged,
        content=np.asarray(value.content_value(day.output.quality_posts, val.content_saturation)),
        chat=chat,
        visible_ads=visible_ads,
        annoyance=np.asarray(value.annoyance(visible_ads, size, val.ad_annoyance, val.ad_saturation))
        + start.campaign_annoyance,  # a campaign's pushes cost every member alike
        crowd=np.asarray(value.crowd_factor(size, val.crowd_size)),
        tie_rate=val.tie_rate * (1.0 - val.off_topic_share * moderation.focus),  # off-topic chatter builds ties
        identity=sc.moderation.focus_commitment * moderation.focus,  # a focused group binds to its topic
        replies=replies,
        active_shares=active_shares,
        left_shares=left_shares,
    )


# ---------------------------------------------------------------- living
def live(model: Community, day: Day, rows: np.ndarray) -> None:
    """Members in `rows` take the day's value and move between stages.

    Written for speed on all members at once: each column is gathered once, and each
    member gets one keyed uniform for its stage move.
    """
    people, sc, draws, terms = model.people, model.params, model.draws, day.terms
    start, tally, d = day.start, day.tally, day.day
    fb, val = sc.dynamics.value_feedback, sc.value
    g = people.group[rows].astype(np.intp)  # indexes the per-group terms below: as intp, numpy need not convert it
    st = people.stage[rows]
    engaged = st != DORMANT

    # --- value, satisfaction, novelty, ties
    ties, novelty = people.ties[rows], people.novelty[rows]
    n = max(terms.content.size, terms.chat.size, model.groups.culture.size)
    shared, culture_factor = value.group_value(  # the group's part of the value, once per group
        _per_group(terms.content, n),
        _per_group(terms.chat, n),
        _per_group(model.groups.culture, n),
        (val.content_weight, val.chat_weight, val.ties_weight),
    )
    shared, culture_factor = np.asarray(shared), np.asarray(culture_factor)
    interest, exposure = people.interest[rows], np.where(engaged, 1.0, sc.activity.dormant_exposure)

    def member_values(groups: np.ndarray, at: np.ndarray | slice) -> np.ndarray:
        """Return the value of group `groups` to the members at positions `at` of `rows` (one entry each)."""
        return np.asarray(
            value.member_value(
                interest[at],
                shared[groups],
                ties[at],
                culture_factor[groups],
                novelty[at],
                terms.annoyance[groups],
                exposure[at],
                val.ties_weight,
                sc.activity.novelty_floor,
                val.ties_saturation,
            )
        )

    if people.multi:  # each of their groups' value today (NaN: no group), combined (sim.rules.memberships)
        held = people.groups_of(rows)
        at, slot = np.nonzero(held >= 0)
        values = np.full(held.shape, np.nan)
        values[at, slot] = member_values(held[at, slot], at)
        value_today = combined_value(values, sc.groups.extra_group_weight)
    else:
        value_today = member_values(g, slice(None))
    sat = np.asarray(value.update_satisfaction(people.satisfaction[rows], value_today, sc.dynamics.satisfaction_memory))
    people.satisfaction[rows] = sat
    mult = engagement(sc.dynamics, sat)
    people.novelty[rows] = value.decay_novelty(novelty, sc.activity.novelty_decay, start.novelty_refresh * engaged)
    networked = sc.network.source != "well_mixed"
    if not networked:  # with a network, ties are edges (sim.mechanisms.network) and not grown here
        grown = value.grow_ties(ties, np.minimum(mult, 3.0), terms.tie_rate[g], terms.crowd[g], start.activity_ties)
        ties = ties * (1.0 - val.tie_decay)  # the dormant's ties fade; the engaged's grow
        np.copyto(ties, grown, where=engaged)
        people.ties[rows] = ties

    # --- stage moves: the first-24-hours rule for newcomers, the member chain for everybody
    join_day = people.join_day[rows]
    newcomer = join_day == d
    stayed = np.ones(rows.size, dtype=bool)
    if fb and sc.onboarding.first_day_leave > 0 and newcomer.any():
        idx = np.flatnonzero(newcomer)
        welcomed = _sorted_contains(day.moderation.welcomed_rows, rows[idx])
        first = impression(
            value_today[idx], welcomed, sc.onboarding.ritual, sc.onboarding.welcome_effect, sc.onboarding.ritual_effect
        )
        p_leave = first_day_leave_probability(sc.onboarding.first_day_leave, first, sc.onboarding.impression_scale)
        stayed[idx[draws.uniform("member.first_day", d, rows[idx]) < p_leave]] = False
        tally.first_day_left += int(idx.size - stayed[idx].sum())
    dormant = ~engaged
    u = draws.uniform("member.move", d, rows)
    # contagious leaving: irSIR's share R/M of the pool, or with a network the share of one's own friends who left
    friends_left = None
    if networked:
        friends = people.friends[rows]
        friends_left = np.divide(people.friends_left[rows], friends, out=np.zeros(rows.size), where=friends > 0)
    commitment = people.commitment[rows] + terms.identity[g]
    if sc.membership.price > 0:  # tier members hold on to what they paid for
        commitment = commitment + sc.membership.commitment * (people.tier_until[rows] >= d)
    if fb:  # hazards member by member, in each sub-step; newcomers faced the first-day rule instead
        steps = [
            member_hazards(
                mult,
                people.patience[rows],
                commitment,
                feedback=fb,
                base_rate=sc.churn.base_rate,
                peer_rate=sc.churn.peer_rate,
                left_share=left_share if friends_left is None else friends_left,
                dormant_multiplier=sc.churn.dormant_multiplier,
                decay_rate=sc.activity.decay_rate,
                reactivation_rate=sc.activity.reactivation_rate,
                peer_reactivation_rate=sc.activity.peer_reactivation_rate,
                active_share=active_share,
                awaken=start.awaken,
            )
            for left_share, active_share in zip(terms.left_shares, terms.active_shares, strict=True)
        ]
        outcome = day_move(u, *substep_probabilities(steps, dormant))
        outcome[newcomer] = STAY
    else:  # every member of a stage shares the day plan's transition
        plan = model.trend.plan
        assert plan is not None  # planned when the day opened
        left, switch = block_probabilities(plan.member, dormant)
        join_left, join_switch = block_probabilities(plan.newcomer, False)
        left, switch = np.where(newcomer, join_left, left), np.where(newcomer, join_switch, switch)
        outcome = day_move(u, left, switch)
    if people.multi:  # who is in another group drops their worst one instead of leaving the community
        leaving = np.flatnonzero(stayed & (outcome == LEAVE) & ((held >= 0).sum(axis=1) > 1))
        worst = held[leaving, worst_group(values[leaving])]
        people.leave_group(rows[leaving], worst)
        outcome[leaving] = STAY
        tally.groups_dropped += int(leaving.size)
    stayed &= outcome != LEAVE
    to_active = (outcome == SWITCH) & dormant
    to_dormant = (outcome == SWITCH) & engaged
    graduate = stayed & (outcome == STAY) & (st == NEW) & (d - join_day >= sc.onboarding.new_days)
    people.exit(rows[~stayed], LEFT, d)
    tally.left += int(rows.size - stayed.sum())
    people.stage[rows[to_dormant]] = DORMANT
    people.stage[rows[to_active | graduate]] = ACTIVE
    people.novelty[rows[to_active]] = np.maximum(people.novelty[rows[to_active]], start.novelty_refresh)
    tally.active_to_dormant += int(to_dormant.sum())
    tally.dormant_to_active += int(to_active.sum())
    tally.new_to_active += int(graduate.sum())

    engaged = (engaged & ~to_dormant) | to_active
    stayed &= _renew(model, day, rows, join_day, sat, stayed)
    if fb:
        cand = np.flatnonzero(stayed & (sat < sc.ads.spam_satisfaction))
        _turn_spammer(model, day, rows[cand], sat[cand], ties[cand], g[cand])
    buyers = np.flatnonzero(stayed & engaged & ~people.spammer[rows])
    _buy(model, day, rows[buyers], mult[buyers])
    if sc.membership.price > 0:
        _tier(model, day, rows[stayed], sat[stayed], mult[stayed], engaged[stayed])


def _per_group(values: np.ndarray, n: int) -> np.ndarray:
    """Per-group values padded with zeros to `n` groups (no member is in a group a term does not cover yet)."""
    return values if values.size >= n else np.concatenate([values, np.zeros(n - values.size)])


def _sorted_contains(sorted_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return True where `rows` are in `sorted_rows` (sorted ascending)."""
    if sorted_rows.size == 0:
        return np.zeros(rows.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_rows, rows), sorted_rows.size - 1)
    return sorted_rows[at] == rows


def _renew(
    model: Community, day: Day, rows: np.ndarray, join_day: np.ndarray, sat: np.ndarray, member: np.ndarray
) -> np.ndarray | bool:
    """Periodic fees: members renew when satisfied and willing to pay, else leave. False where one left."""
    people, e = model.people, model.params.entry
    if e.threshold != "paid" or e.fee_period_days <= 0:
        return True
    age = day.day - join_day
    due = np.flatnonzero(member & (age > 0) & (age % e.fee_period_days == 0) & (people.source[rows] != INITIAL))
    d = rows[due]
    renew = np.asarray(
        renews(sat[due], people.wtp[d], people.interest[d], fee=e.fee, min_satisfaction=e.renewal_min_satisfaction)
    )
    day.tally.fees_paid += int(renew.sum())
    people.exit(d[~renew], LEFT, day.day)
    day.tally.left += int((~renew).sum())
    out = np.ones(rows.size, dtype=bool)
    out[due[~renew]] = False
    return out


def _turn_spammer(
    model: Community, day: Day, rows: np.ndarray, sat: np.ndarray, ties: np.ndarray, g: np.ndarray
) -> None:
    """Disaffected members (below the spam floor) who no longer fear a kick start posting ads.

    With `ads.sunk_cost`, long-tenured ones are likelier to (the sunk-cost motive, seed 002 §3).
    """
    people, sc = model.people, model.params
    fresh = ~people.spammer[rows]
    rows, sat, ties, g = rows[fresh], sat[fresh], ties[fresh], g[fresh]
    if rows.size == 0:
        return
    threat = ad_rules.POLICY_THREAT[sc.moderation.ad_policy]
    stake = people.commitment[rows] + value.saturating(ties, sc.value.ties_saturation)
    fear = ad_rules.kick_fear(threat, day.moderation.enforcement[g], stake, sc.ads.kick_fear)
    sunk: np.ndarray | float = 1.0
    if sc.ads.sunk_cost > 0:  # the longer they have been in, the more time they recoup with ads
        sunk = ad_rules.sunk_cost_factor(day.day - people.join_day[rows], sc.ads.sunk_cost, sc.ads.sunk_cost_days)
    h = ad_rules.spam_hazard(sat, fear, sc.ads.spam_rate, sc.ads.spam_satisfaction, sunk)
    turned = rows[model.draws.uniform("member.spam", day.day, rows) < step_probability(h)]
    people.spammer[turned] = True
    day.tally.new_spammers += int(turned.size)


def _buy(model: Community, day: Day, rows: np.ndarray, mult: np.ndarray) -> None:
    """Engaged members (not spammers) able to pay buy the product; customers buy again.

    A first purchase makes a member a customer (conversion): its day and what was on that
    day (a campaign, a festival, nothing) are stored on their row. Purchase hazards are
    multiplied by the date's buying factor, 1 + today's campaigns' lift and, for tier
    members, `membership.buying`.
    """
    people, mon, start, d = model.people, model.params.monetization, day.start, day.day
    if mon.product_price <= 0 or (mon.buyer_conversion <= 0 and mon.repurchase_rate <= 0) or rows.size == 0:
        return
    h = purchase_hazard(
        people.purchases[rows] > 0,
        mult,
        people.interest[rows],
        people.wtp[rows],
        price=mon.product_price,
        conversion=mon.buyer_conversion,
        repurchase=mon.repurchase_rate,
    )
    h = np.asarray(h)
    if start.buying_factor != 1.0:  # x * 1 is x
        h = h * start.buying_factor
    if start.campaign_lift > 0:
        h = h * (1.0 + start.campaign_lift)
    tier = model.params.membership
    if tier.price > 0:
        h = np.where(people.tier_until[rows] >= d, h * tier.buying, h)
    buyers = rows[model.draws.uniform("member.buy", d, rows) < step_probability(h)]
    first = buyers[people.purchases[buyers] == 0]
    people.purchases[buyers] += 1
    people.first_purchase_day[first] = d
    on = CAMPAIGN if start.campaign_lift > 0 else FESTIVAL if start.buying_factor > 1 else EVERYDAY
    people.first_purchase_source[first] = on
    joiners = first[people.source[first] != INITIAL]
    day.tally.purchases += int(buyers.size)
    day.tally.first_purchases += int(first.size)
    day.tally.converted_joiners += int(joiners.size)
    day.tally.conversion_days += int((d - people.join_day[joiners]).sum())


def _tier(model: Community, day: Day, rows: np.ndarray, sat: np.ndarray, mult: np.ndarray, engaged: np.ndarray) -> None:
    """Run the membership tier's day: periods that ended yesterday renew or lapse; engaged customers buy it.

    Renewal follows the entry fee's rule (`renews`: satisfied enough and still willing to
    pay); a lapsed member stays in the group and may buy the tier again later.
    """
    people, tier, d = model.people, model.params.membership, day.day
    until = people.tier_until[rows]
    due = np.flatnonzero(until == d - 1)
    r = rows[due]
    renew = np.asarray(
        renews(
            sat[due], people.wtp[r], people.interest[r], fee=tier.price, min_satisfaction=tier.renewal_min_satisfaction
        )
    )
    people.tier_until[r[renew]] = d + tier.duration_days - 1
    out = until < d
    out[due] = False  # who just renewed or let it lapse decides again at the next chance
    cand = np.flatnonzero(out & engaged & ~people.spammer[rows])
    c = rows[cand]
    h = tier_hazard(
        people.purchases[c] > 0, mult[cand], people.wtp[c], people.interest[c], price=tier.price, uptake=tier.uptake
    )
    joined = c[model.draws.uniform("member.tier", d, c) < step_probability(h)]
    people.tier_until[joined] = d + tier.duration_days - 1
    day.tally.tier_fees += int(renew.sum()) + int(joined.size)
    day.tally.tier_lapsed += int(due.size - renew.sum())
