"""Acquisition: people arrive from channels, referral (fission) and on their own, and face the entry threshold.

Reads the `[acquisition]` and `[entry]` sections; owns each potential person's arrival
clock and the cumulative join hazard; publishes `Arrivals`. Ad accounts from outside
(`ads.outside_accounts`) arrive apart, in `admit_ad_accounts`, after the day's other arrivals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engines.member_day import engagement
from sim.groups import keyed_race
from sim.mechanisms.channels import ChannelBook
from sim.mechanisms.day import Arrivals, Day
from sim.population import AD_ACCOUNT, CHANNEL, ORGANIC, POTENTIAL, REFERRAL
from sim.rules.ads import ad_account_pass
from sim.rules.entry import commitment as threshold_commitment
from sim.rules.entry import pass_probability
from sim.rules.hazards import join_hazard, step_probability

if TYPE_CHECKING:
    from sim.mechanisms.groups import GroupPolicy
    from sim.mechanisms.network import Friendships
    from sim.world import Community


class Acquisition:
    """Arrivals by exponential clocks under a hazard shared by every potential person.

    A potential person arrives on the day the cumulative join hazard passes their
    clock (drawn once, keyed by their row): the same chance per day as a coin per
    person, and a lever that changes the hazard shifts arrivals a little instead of
    redrawing them.
    """

    def __init__(self, model: Community, groups: GroupPolicy) -> None:
        self.model = model
        self.groups = groups
        sc = model.params
        self.acquisition, self.entry = sc.acquisition, sc.entry
        self.cumulative_join_hazard = 0.0
        self.arrival_clock = -np.log1p(-model.draws.uniform("acquisition.clock", 0, np.arange(model.people.size)))
        self.commitment_on_entry = threshold_commitment(sc.entry.threshold, sc.entry.commitment)
        self.potential = 0  # potential people at the start of today (set by `count_potential`)
        self.channels = ChannelBook(sc)
        #: with a friendship graph, referral joins come from invitations along its edges instead of the q term
        self.friendships: Friendships | None = None

    def count_potential(self) -> int:
        """Count the people not yet in (once a day, before the day is planned)."""
        self.potential = int(np.count_nonzero(self.model.people.stage == POTENTIAL))
        return self.potential

    def step(self, day: Day) -> None:
        """External inflow and referral among the potential people, filtered by the threshold.

        Each potential person joins with hazard p + channel/M + q * A / M, where A counts
        active members weighted by how willing they are to refer (Bass 1969 with
        feedback off), taken at mid-day (see `Trend`). The channel term sums the reaches
        of the free inflow and the named channels (`ChannelBook`). Each arrival is
        attributed to referral, channel (and which one) or organic (p) in proportion to
        the terms, then faces the entry threshold; one turned away gets a fresh clock.
        With the task threshold's posters, yesterday's newcomers add a referral term of
        their own. With a friendship graph the referral term is left out: referred
        arrivals are the friends who accepted an invitation today (`Friendships.invite`),
        and they go to their inviter's group.
        """
        model, acq, entry = self.model, self.acquisition, self.entry
        people, draws, trend, d = model.people, model.draws, model.trend, day.day
        tally, pool = day.tally, people.size
        spend = self.channels.open_day(model.params)
        tally.operator_money += spend
        tally.acquisition_cost += spend
        if self.potential == 0:
            return
        dynamics = model.params.dynamics
        engaged = day.start.engaged_rows
        weights = engagement(dynamics, people.satisfaction[engaged]) * ~people.spammer[engaged]
        q = 0.0 if self.friendships is not None else acq.referral_rate * acq.referral_multiplier()
        channel = self.channels.inflow / pool
        referrers = float(weights.sum())
        start_hazard = join_hazard(acq.external_rate + channel, q, referrers, pool)
        expected_joins = self.potential * step_probability(start_hazard) * trend.pass_share
        # referrers at mid-day: today's joins refer too (a newcomer weighs as one who just joined)
        newcomer_weight = float(engagement(dynamics, np.array([dynamics.initial_satisfaction]))[0])
        per_referrer = referrers / engaged.size if engaged.size else newcomer_weight
        referrers += per_referrer * (trend.midday_engaged(engaged.size, float(expected_joins)) - engaged.size)
        referral_part = join_hazard(0.0, q, referrers, pool)
        posters = entry.threshold == "task" and entry.poster_invitations > 0 and self.friendships is None
        sharers = self.poster_sharers(day) if posters else np.zeros(0, np.intp)
        poster_part = entry.poster_invitations * sharers.size / pool
        referral_part += poster_part
        hazard = acq.external_rate + channel + referral_part
        if hazard <= 0 and self.friendships is None:
            return
        arrivals = np.zeros(0, dtype=np.intp)
        if hazard > 0:
            self.cumulative_join_hazard += hazard
            arrivals = np.flatnonzero(self.arrival_clock <= self.cumulative_join_hazard)
        u = draws.uniform("acquisition.source", 0, arrivals)  # a lot per person, not per day, as in `_inviters`
        referred = u < referral_part / hazard if hazard > 0 else np.zeros(0, dtype=bool)
        organic = ~referred & (u >= (referral_part + channel) / hazard) if hazard > 0 else referred
        inviters = np.full(arrivals.size, -1, dtype=np.int32)
        index = np.full(arrivals.size, -1, dtype=np.int8)  # channel of each channel arrival
        by_channel = ~referred & ~organic
        if by_channel.any():
            index[by_channel] = self.channels.assign((u[by_channel] * hazard - referral_part) / channel)
            money = self.channels.bring(draws, d, people, arrivals[by_channel], index[by_channel])
            tally.operator_money += money
            tally.acquisition_cost += money
        if poster_part > 0 and referred.any():  # the posters' share of today's referrals: yesterday's newcomers
            poster = referred & (u * hazard >= referral_part - poster_part)
            pick = draws.uniform("acquisition.poster_inviter", d, arrivals[poster]) * sharers.size
            inviters[poster] = sharers[np.minimum(pick.astype(np.intp), sharers.size - 1)]
        if self.friendships is not None:
            invited, invited_by = self.friendships.invite(day, arrivals)
            order = np.argsort(np.concatenate([arrivals, invited]), kind="stable")
            arrivals = np.concatenate([arrivals, invited])[order]
            referred = np.concatenate([referred, np.ones(invited.size, dtype=bool)])[order]
            organic = np.concatenate([organic, np.zeros(invited.size, dtype=bool)])[order]
            inviters = np.concatenate([inviters, invited_by.astype(np.int32)])[order]
            index = np.concatenate([index, np.full(invited.size, -1, dtype=np.int8)])[order]
        n = arrivals.size
        if n == 0:
            return
        passed = self.passes(arrivals, referred, d, "entry.pass")
        if entry.threshold == "review" and n * entry.review_minutes > (minutes := self._review_minutes()):
            # admins review what their day allows (bots cannot review); the others wait, unreviewed
            reviewed = int(minutes // entry.review_minutes)
            order = np.argsort(draws.uniform("entry.review_order", d, arrivals), kind="stable")
            passed[order[reviewed:]] = False
            n_reviewed = reviewed
        else:
            n_reviewed = n
        tally.applicants = n
        tally.refused_threshold = int(n - passed.sum())
        self._rearm(arrivals[~passed], d)
        arrivals, referred, organic, inviters = arrivals[passed], referred[passed], organic[passed], inviters[passed]
        index = index[passed]
        by_member = referred & (inviters < 0)  # well mixed: any engaged member referred (posters have their sharer)
        if self.friendships is None and by_member.any() and weights.sum() > 0:
            inviters[by_member] = self._inviters(arrivals[by_member], engaged, weights, d)
        preferred = np.where(inviters >= 0, people.group[np.maximum(inviters, 0)], -1).astype(np.int32)
        groups, sizes = self.groups.place(preferred, arrivals, day)
        placed = groups >= 0
        tally.refused_full = int((~placed).sum())
        self._rearm(arrivals[~placed], d)
        arrivals, referred, inviters, groups = arrivals[placed], referred[placed], inviters[placed], groups[placed]
        organic, index = organic[placed], index[placed]
        self.admit(arrivals, groups, d, np.select([referred, organic], [REFERRAL, ORGANIC], CHANNEL), index)
        people.invited_by[arrivals] = inviters
        people.ties[arrivals[inviters >= 0]] += 1.0  # a referred newcomer knows its inviter
        tally.joined_referral = int(referred.sum())
        tally.joined_organic = int(organic.sum())
        tally.joined_channel = int(arrivals.size - tally.joined_referral - tally.joined_organic)
        if entry.threshold == "paid":
            tally.fees_paid += arrivals.size
        tally.operator_money += acq.referral_reward * tally.joined_referral
        tally.acquisition_cost += acq.referral_reward * tally.joined_referral
        review = entry.review_minutes * n_reviewed if entry.threshold == "review" else 0.0
        day.arrivals = Arrivals(joined_rows=arrivals, joined_groups=groups, sizes=sizes, review_minutes=review)

    def _inviters(self, invitees: np.ndarray, engaged: np.ndarray, weights: np.ndarray, day: int) -> np.ndarray:
        """Draw each referred newcomer's inviter among the engaged members, in proportion to `weights`.

        In two stages with the same law: the inviter's group by an exponential race over
        the groups' total weight (each person keeps their group when a lever changes the
        groups' weights a little, see `race`), then the inviter within that group.
        """
        people, draws, n_groups = self.model.people, self.model.draws, self.model.groups.count
        g = people.group[engaged]
        # the groups' weights summed in row order, as the sorted order below sums them (the sort is stable)
        pull = np.bincount(g, weights=weights, minlength=n_groups)
        counts = np.bincount(g, minlength=n_groups)
        ends = np.cumsum(counts)  # where each group's members end in the sorted order
        # engaged rows come sorted: a stable sort by group gives group, then row (radix sort on int16 keys)
        order = np.argsort(g.astype(np.int16) if n_groups < 2**15 else g, kind="stable")
        weights = weights[order]  # the engaged rows themselves are looked up at the end, for the inviters
        candidates = np.flatnonzero(pull > 0)
        weights_g = pull[candidates][None, :]  # every invitee weighs the groups alike
        group = candidates[keyed_race(draws, "acquisition.inviter_group", invitees, candidates, lambda _: weights_g)]
        cumulative = np.cumsum(weights)
        first, last = ends[group] - counts[group], ends[group] - 1
        before = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)
        target = before + draws.uniform("acquisition.inviter", day, invitees) * pull[group]
        return engaged[order[np.clip(np.searchsorted(cumulative, target, side="right"), first, last)]]

    def _review_minutes(self) -> float:
        """Admin minutes today's applications can have at most: the admins' whole day."""
        return self.model.admin_table.total("minutes_per_day")

    def admit_ad_accounts(self, day: Day) -> None:
        """Ad accounts from outside try to join; those the entry threshold lets through post ads from day one.

        Poisson(`ads.outside_accounts`) accounts a day, each a potential person picked at
        random (keyed draws), pass with `ad_account_pass` (1 at a free threshold, falling
        with its strength), are placed like any newcomer and joined to today's `Arrivals`
        with source `ad_account`. Nothing is drawn when `ads.outside_accounts` is 0.
        """
        model, entry, ads = self.model, self.entry, self.model.params.ads
        if ads.outside_accounts <= 0:
            return
        people, draws, d, tally = model.people, model.draws, day.day, day.tally
        tries = draws.poisson_one("acquisition.ad_accounts", d, 0, ads.outside_accounts)
        potential = np.flatnonzero(people.stage == POTENTIAL)
        if tries == 0 or potential.size == 0:
            return
        pick = draws.uniform("acquisition.ad_account_pick", d, np.arange(tries))
        rows = np.unique(potential[np.minimum((pick * potential.size).astype(np.intp), potential.size - 1)])
        p = ad_account_pass(
            entry.threshold,
            fee=entry.fee,
            budget=ads.outside_budget,
            invite_code_share=entry.invite_code_share,
            review_min_interest=entry.review_min_interest,
            task_effort=entry.task_effort,
        )
        rows = rows[draws.uniform("entry.ad_account", d, rows) < p]
        before = day.arrivals
        groups, sizes = self.groups.place(np.full(rows.size, -1, dtype=np.int32), rows, day, before.sizes)
        rows, groups = rows[groups >= 0], groups[groups >= 0]
        if rows.size == 0:
            return
        self.admit(rows, groups, d, AD_ACCOUNT)
        people.spammer[rows] = True
        tally.ad_accounts_joined += int(rows.size)
        if entry.threshold == "paid":
            tally.fees_paid += rows.size
        joined = np.concatenate([before.joined_rows, rows])
        order = np.argsort(joined, kind="stable")
        review = entry.review_minutes * tries if entry.threshold == "review" else 0.0
        day.arrivals = Arrivals(
            joined_rows=joined[order],
            joined_groups=np.concatenate([before.joined_groups, groups])[order],
            sizes=sizes,
            review_minutes=before.review_minutes + review,
        )

    def passes(self, rows: np.ndarray, referred: np.ndarray, day: int, mechanism: str) -> np.ndarray:
        """Return which of `rows` (applicants; `referred` where invited) pass the entry threshold today."""
        entry, people = self.entry, self.model.people
        return self.model.draws.uniform(mechanism, day, rows) < pass_probability(
            entry.threshold,
            people.interest[rows],
            people.wtp[rows],
            referred,
            fee=entry.fee,
            invite_code_share=entry.invite_code_share,
            review_min_interest=entry.review_min_interest,
            task_effort=entry.task_effort,
        )

    def _rearm(self, rows: np.ndarray, day: int) -> None:
        """Arrivals turned away stay potential, with a fresh exponential clock from today's cumulative hazard."""
        if rows.size:
            fresh = -np.log1p(-self.model.draws.uniform("acquisition.rearm", day, rows))
            self.arrival_clock[rows] = self.cumulative_join_hazard + fresh

    def poster_sharers(self, day: Day) -> np.ndarray:
        """Rows sharing the entry task's poster today: yesterday's newcomers, if still engaged."""
        engaged = day.start.engaged_rows
        return engaged[(self.model.people.join_day[engaged] == day.day - 1) & (day.day > 1)]

    def admit(self, rows: np.ndarray, groups: np.ndarray, day: int, source: Any, channel: Any = -1) -> None:
        """Make `rows` members of `groups` today (`channel`: the index of their channel, -1 if none)."""
        people, dynamics = self.model.people, self.model.params.dynamics
        self.arrival_clock[rows] = np.inf
        people.enter(rows)
        people.group[rows] = groups
        people.satisfaction[rows] = dynamics.initial_satisfaction
        people.novelty[rows] = 1.0
        people.commitment[rows] = self.commitment_on_entry if day > 0 else 0.0
        people.join_day[rows] = day
        people.source[rows] = source
        people.channel[rows] = channel

    def withdraw(self, rows: np.ndarray) -> None:
        """Take `rows` out of the potential pool without admitting them (founding members who already left)."""
        self.arrival_clock[rows] = np.inf
