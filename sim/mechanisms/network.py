"""Friendships: the friendship network the community grows and dies along (issue 14).

Reads the `[network]` section (with `network.source` other than `well_mixed`); owns the
friendship graph (`graph`, also `model.network`), the ties members form by talking
(`talk`, a weighted graph whose strengths decay without contact), each person's
invitation propensity, the recognition members feel, and the record of every
invitation. Its steps in the day:

- `invite` (called by acquisition, which admits whom it returns): engaged members invite
  friends who are not members; an invitee accepts with a probability rising with their
  interest and their friends already in the inviting group;
- `count_joins` (after acquisition): which invitations ended in a join, and today's joins
  by friends already in the group; publishes the day's `NetworkDay`;
- `bind` (after moderation, before the members' second phase): each member's tie value
  comes from their friends in the same group, weighted by the friends' engagement;
- `close_day` (after the members' second phase): a planned departure, friends of those
  who left lose them (the contagious leave hazard of tomorrow), co-members who talked form
  ties, ties without contact decay, and replies and recognition set tomorrow's posting.

Every draw is keyed (`sim.random.Draws`) by the person or the invitation, and every
cross-member effect is computed outside the members' phases, so both engines agree.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.engines.member_day import engagement
from sim.mechanisms.day import Day, NetworkDay
from sim.network import rules
from sim.network.graph import SocialGraph, _ranges
from sim.network.observables import cascades as cascade_table
from sim.network.sources import build_attributes, build_network
from sim.population import ACTIVE, DORMANT, KICKED, LEFT, NEW, POTENTIAL, STAGE_NAMES

if TYPE_CHECKING:
    from sim.world import Community

#: joins are tallied by friends already in the group: 0, 1, 2, 3 or more
FRIEND_BINS = 4
#: most ties one member forms by talking in a day (the keyed draw's identity reserves this many slots)
_MAX_TALK_TIES = 4096
INVITATION_COLUMNS = ("inviter", "invitee", "day", "friends_inside", "accepted", "joined")


def _segment_sums(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Return the sums of consecutive segments of `values` of the given lengths (0 for an empty segment)."""
    out = np.zeros(lengths.size)
    has = lengths > 0
    if has.any():
        starts = np.cumsum(lengths) - lengths
        out[has] = np.add.reduceat(values, starts[has])
    return out


class Friendships:
    """The friendship network over the potential pool and the day's life along it."""

    def __init__(self, model: Community) -> None:
        self.model = model
        sc = model.params
        self.section = sec = sc.network
        people, pool = model.people, model.people.size
        people.own("feedback", "friends", "friends_left")
        graph = build_network(sec, pool, model.draws.generator("network"))
        assert graph is not None  # the model builds this mechanism only for a graph source
        self.graph: SocialGraph = graph
        self.talk = SocialGraph.empty(pool, weighted=True)  # ties formed by talking, strength 0..1
        # participation inequality: lurkers write nothing, a small core writes most
        people.propensity[:] = rules.draw_posting_propensity(
            model.draws.generator("network.posting"),
            pool,
            sc.population.propensity_mean,
            sec.poster_share,
            sec.posting_sigma,
        )
        for column, values in build_attributes(sec, pool).items():
            given = ~np.isnan(values)
            getattr(people, column)[given] = values[given]
        self.invitation_propensity = (
            rules.draw_invitation_propensity(
                model.draws.generator("network.inviting"),
                pool,
                sec.invitation_rate,
                sec.inviter_share,
                sec.inviter_sigma,
            )
            if sec.invitation_rate > 0
            else np.zeros(pool)
        )
        self.degree = graph.degree()  # the friendship graph does not change: its degrees are kept
        people.friends[:] = self.degree
        self.recognition = np.zeros(pool)
        self._records: list[tuple[np.ndarray, ...]] = []
        self._today: tuple[np.ndarray, ...] | None = None
        self.departed = np.zeros(0, dtype=np.intp)  # who left in the planned departure
        # yesterday's group and engagement weight of everyone, and the friendship part of ties they gave
        self._group = np.full(pool, -1, dtype=np.int32)
        self._weight = np.zeros(pool)
        self._friend_ties = np.zeros(pool)

    # ---------------------------------------------------------------- set-up
    def choose_founders(self, rows: np.ndarray, n_founders: int) -> np.ndarray:
        """Return the founding rows: as drawn, or the `n_founders` best-connected people first (`founders`)."""
        if self.section.founders == "random":
            return rows
        hubs = np.argsort(-self.graph.degree(), kind="stable")[:n_founders]
        rest = rows[~np.isin(rows, hubs)][: rows.size - n_founders]
        return np.concatenate([hubs, rest])

    # ---------------------------------------------------------------- referral
    def invite(self, day: Day, arriving: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Engaged members invite potential friends; return (accepted invitees not `arriving`, sorted; inviters).

        Invitations/day are Poisson(propensity x engagement x the referral multiplier (incentive
        and reward, `Acquisition`) x the founders' burst, plus the entry task's poster on a
        newcomer's second day: `entry.poster_invitations`); an inviter picks that many distinct
        friends at random among those not yet members; each invitation is accepted with `rules.acceptance_probability`.
        """
        model, sec, people, graph = self.model, self.section, self.model.people, self.graph
        d, draws, pool = day.day, model.draws, people.size
        engaged = day.start.engaged_rows
        entry = model.params.entry
        posters = entry.threshold == "task" and entry.poster_invitations > 0 and d > 1
        # most people never invite (zero propensity: Poisson(0) is 0 whatever the keyed draw, so skip them),
        # except yesterday's newcomers sharing the entry task's poster
        may_invite = self.invitation_propensity[engaged] > 0
        if posters:
            may_invite |= people.join_day[engaged] == d - 1
        senders = engaged[~people.spammer[engaged] & may_invite]
        lam = self.invitation_propensity[senders] * engagement(model.params.dynamics, people.satisfaction[senders])
        lam = lam * model.params.acquisition.referral_multiplier()
        opened = model.groups.opened_day[people.group[senders]]
        founding = people.join_day[senders] == opened
        lam = lam * np.where(founding, rules.founder_burst(d - opened, sec.founder_burst, sec.founder_burst_days), 1.0)
        if posters:  # yesterday's newcomers share the poster
            lam = lam + entry.poster_invitations * (people.join_day[senders] == d - 1)
        sent = draws.poisson("network.invitations", d, senders, lam)
        senders, sent = senders[sent > 0], sent[sent > 0]
        deg = self.degree[senders]
        friends = graph.indices[_ranges(graph.indptr[senders], deg)]
        owner = np.repeat(np.arange(senders.size), deg)
        open_ = people.stage[friends] == POTENTIAL
        friends, owner = friends[open_], owner[open_]
        # each sender invites `sent` distinct friends: those with the smallest keyed uniforms
        inviter = senders[owner].astype(np.int64)
        u = draws.uniform("network.invitee", d, inviter * pool + friends)
        order = np.argsort(owner + u)  # by sender, then by the uniform (owner < 2^31: exact in float64)
        friends, owner, inviter = friends[order], owner[order], inviter[order]
        per_sender = np.bincount(owner, minlength=senders.size)
        rank = np.arange(owner.size) - (np.cumsum(per_sender) - per_sender)[owner]
        chosen = rank < sent[owner]
        invitee, inviter = friends[chosen].astype(np.int64), inviter[chosen]
        inside = graph.count_in_label(invitee, people.group[inviter], people.group)
        p = rules.acceptance_probability(people.interest[invitee], inside, sec.accept_base, sec.accept_per_friend)
        accepted = draws.uniform("network.accept", d, inviter * pool + invitee) < p
        self._today = (inviter, invitee, inside, accepted)
        # a person accepts once: the first accepted invitation (by inviter row) counts
        take = np.flatnonzero(accepted)
        take = take[np.lexsort((inviter[take], invitee[take]))]
        first = np.ones(take.size, dtype=bool)
        first[1:] = invitee[take][1:] != invitee[take][:-1]
        take = take[first]
        take = take[~np.isin(invitee[take], arriving)]
        return invitee[take], inviter[take]

    def count_joins(self, day: Day) -> None:
        """Record today's invitations (which ended in a join) and tally joins by friends already in the group."""
        people, d = self.model.people, day.day
        joined_rows = day.arrivals.joined_rows
        outcome = NetworkDay()
        if self._today is not None:
            inviter, invitee, inside, accepted = self._today
            joined = (people.join_day[invitee] == d) & (people.invited_by[invitee] == inviter)
            self._records.append((inviter, invitee, np.full(inviter.size, d), inside, accepted, joined))
            outcome.invitations, outcome.accepted = int(inviter.size), int(accepted.sum())
            self._today = None
        if joined_rows.size:
            before = people.group.copy()
            before[joined_rows] = -1  # friends already in the group: not those who joined with them today
            inside = self.graph.count_in_label(joined_rows, people.group[joined_rows], before)
            outcome.joined_by_friends = np.bincount(np.minimum(inside, FRIEND_BINS - 1), minlength=FRIEND_BINS)
        day.network = outcome

    # ---------------------------------------------------------------- ties
    def bind(self, day: Day) -> None:
        """Set each member's ties: friends (and talk ties, by strength) in the same group, weighted by engagement.

        A friend who is new or active counts 1, a dormant one `activity.dormant_exposure`, one
        cultivated into a KOL 1 in the KOL's group (the promotion keeps their friendships);
        `value.ties_saturation` turns the sum into tie value (`rules.tie_value`).
        The friendship part is kept up to date incrementally: only people whose group or
        engagement changed since yesterday are recomputed, and their friends corrected.
        """
        people, graph = self.model.people, self.graph
        rows = people.members()
        weight = np.zeros(people.size)
        weight[rows] = np.where(people.stage[rows] == DORMANT, self.model.params.activity.dormant_exposure, 1.0)
        group = people.group.copy()
        for kol in self.model.kols:  # a member cultivated into a KOL stays a friend in the KOL's (first) group
            if kol.from_member is not None and kol.groups:
                group[kol.from_member], weight[kol.from_member] = kol.groups[0], 1.0
        changed = np.flatnonzero((group != self._group) | (weight != self._weight))
        if changed.size:
            # one gather of the changed people's friend lists serves both directions of the update
            deg = self.degree[changed]
            slots = _ranges(graph.indptr[changed], deg)
            friends = graph.indices[slots]
            owner = np.repeat(np.arange(changed.size), deg)
            fg = group[friends]
            same_now = (fg == group[changed][owner]) & (fg >= 0)
            same_before = (fg == self._group[changed][owner]) & (fg >= 0)
            # only friendships within a group, before or now, carry a tie: work on those entries alone
            now = np.flatnonzero(same_now)
            tie = np.zeros(friends.size)  # what each friend gives the changed person today
            tie[now] = weight[friends[now]]
            hit = np.flatnonzero(same_now | same_before)
            delta = np.where(same_now[hit], weight[changed][owner[hit]], 0.0)
            delta -= np.where(same_before[hit], self._weight[changed][owner[hit]], 0.0)
            if graph.weights is not None:
                delta *= graph.weights[slots[hit]]
                tie *= graph.weights[slots]
            self._friend_ties += np.bincount(friends[hit], weights=delta, minlength=people.size)
            self._friend_ties[changed] = _segment_sums(tie, deg)
            self._group, self._weight = group, weight
        ties = self._friend_ties[rows]
        if self.talk.n_edges:
            talk = self.talk
            u, v = talk.rows(), talk.indices
            assert talk.weights is not None
            same = (group[u] == group[v]) & (group[u] >= 0)
            ties = ties + np.bincount(u, weights=same * weight[v] * talk.weights, minlength=people.size)[rows]
        people.ties[rows] = np.maximum(ties, 0.0)

    def close_day(self, day: Day) -> None:
        """Departures spread to friends, co-members who talked form ties, ties decay, posting responds to feedback."""
        sec, people, d = self.section, self.model.people, day.day
        if sec.departure_day > 0 and d == sec.departure_day:
            self._planned_departure(day)
        gone = np.flatnonzero((people.exit_day == d) & ((people.stage == LEFT) | (people.stage == KICKED)))
        if gone.size:
            people.friends_left[:] += self._friend_counts(gone).astype(np.int32)
            self.talk.remove_edges(*self._talk_edges_of(gone))  # the tie is lost with the friend
        wrote = np.zeros(people.size, dtype=bool)
        posting = day.posting
        talkers = posting.poster_rows[posting.poster_messages > 0]
        talkers = talkers[(people.stage[talkers] == NEW) | (people.stage[talkers] == ACTIVE)]
        wrote[talkers] = True
        self._talk(day, talkers)
        if self.talk.n_edges:
            rows = self.talk.rows()
            assert self.talk.weights is not None
            contact = wrote[rows] | wrote[self.talk.indices]
            self.talk.weights[:] = rules.tie_decay(self.talk.weights, contact, sec.tie_decay)
            self.talk.remove_weak(sec.tie_floor)
        self._feedback(day)

    def _friend_counts(self, rows: np.ndarray) -> np.ndarray:
        """For every person, how many of `rows` are their friends (friendship graph and talk ties)."""
        among = np.zeros(self.model.people.size, dtype=bool)
        among[rows] = True
        counts = self.graph.count_in(among)
        if self.talk.n_edges:
            counts = counts + self.talk.count_in(among)
        return counts

    def _talk_edges_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        deg = self.talk.degree()[rows]
        return np.repeat(rows, deg), self.talk.indices[_ranges(self.talk.indptr[rows], deg)]

    def _talk(self, day: Day, talkers: np.ndarray) -> None:
        """Co-members who wrote today form new ties (talk ties), more per message in a small group."""
        model, people, d = self.model, self.model.people, day.day
        if talkers.size < 2:
            return
        written = np.zeros(people.size)
        written[day.posting.poster_rows] = day.posting.poster_messages
        g = people.group[talkers]
        size = day.terms.size
        rate = rules.tie_formation_rate(
            written[talkers], size[g], self.section.talk_tie_rate, model.params.value.crowd_size
        )
        counts = np.minimum(
            model.draws.poisson("network.talk", d, talkers, rate + day.start.activity_ties), _MAX_TALK_TIES - 1
        )
        slot = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        u = model.draws.uniform(
            "network.partner", d, np.repeat(talkers.astype(np.int64), counts) * _MAX_TALK_TIES + slot
        )
        a, b = rules.talk_partners(talkers, g, written[talkers], counts, u)
        if a.size == 0:
            return
        keys = np.unique(np.minimum(a, b) * people.size + np.maximum(a, b))
        a, b = keys // people.size, keys % people.size
        fresh = ~self.graph.has_edges(a, b) & ~self.talk.has_edges(a, b)
        a, b = a[fresh], b[fresh]
        if a.size:
            self.talk.add_edges(a, b, 1.0)
            people.friends[:] += np.bincount(np.concatenate([a, b]), minlength=people.size).astype(np.int32)

    def _feedback(self, day: Day) -> None:
        """Tomorrow's posting multiplier: replies to one's messages today and recognition (a welcome, fading)."""
        people, sec = self.model.people, self.section
        self.recognition *= 1.0 - 1.0 / 7.0
        self.recognition[day.moderation.welcomed_rows] = 1.0
        rows = people.members()
        replies = np.zeros(people.size)
        posting, terms = day.posting, day.terms
        if posting.poster_rows.size and terms.replies.size:
            g = people.group[posting.poster_rows]
            ok = g >= 0
            share = np.divide(
                terms.replies, posting.messages, out=np.zeros(terms.replies.size), where=posting.messages > 0
            )
            replies[posting.poster_rows[ok]] = posting.poster_messages[ok] * share[g[ok]]
        people.feedback[rows] = rules.posting_rate(
            1.0, replies[rows], self.recognition[rows], sec.reply_gain, sec.reply_saturation, sec.recognition_gain
        )

    def _planned_departure(self, day: Day) -> None:
        """`departure_size` members leave today: a tight cluster of friends, or random members (the control)."""
        people, sec = self.model.people, self.section
        members = people.members()
        size = min(sec.departure_size, members.size)
        if sec.departure_kind == "random":
            u = self.model.draws.uniform("network.departure", day.day, members)
            leaving = members[np.argsort(u, kind="stable")[:size]]
        else:
            leaving = self._cluster(members, size)
        people.exit(leaving, LEFT, day.day)
        day.tally.left += int(leaving.size)
        self.departed = np.sort(leaving)

    def _cluster(self, members: np.ndarray, size: int) -> np.ndarray:
        """`size` members reached breadth-first through friends in the same group, from those with most such friends."""
        people, graph = self.model.people, self.graph
        inside = graph.count_same(people.group)
        seeds = deque(members[np.lexsort((members, -inside[members]))].tolist())
        taken: dict[int, None] = {}
        while len(taken) < size and seeds:
            seed = seeds.popleft()
            if seed in taken:
                continue
            queue = deque([seed])
            taken[seed] = None
            while queue and len(taken) < size:
                person = queue.popleft()
                for friend in graph.neighbours(person).tolist():
                    if friend not in taken and people.group[friend] == people.group[seed]:
                        taken[friend] = None
                        queue.append(friend)
                        if len(taken) >= size:
                            break
        return np.fromiter(taken, dtype=np.intp, count=len(taken))

    # ---------------------------------------------------------------- observables
    def ties(self) -> SocialGraph:
        """Return the friendship graph with today's talk ties added (both unweighted): the network as it stands."""
        u, v = self.graph.edges()
        a, b = self.talk.edges()
        return SocialGraph.from_edges(self.graph.n, np.concatenate([u, a]), np.concatenate([v, b]))

    def invitations(self) -> pd.DataFrame:
        """Return every invitation so far: inviter, invitee, day, friends_inside (the invitee's), accepted, joined."""
        if not self._records:
            return pd.DataFrame(
                {c: pd.Series(dtype=bool if c in ("accepted", "joined") else int) for c in INVITATION_COLUMNS}
            )
        parts = [np.concatenate(column) for column in zip(*self._records, strict=True)]
        return pd.DataFrame(dict(zip(INVITATION_COLUMNS, parts, strict=True)))

    def members(self) -> pd.DataFrame:
        """Return one row per person who ever joined: group, stage, degree, friends in the group, ties, messages.

        `degree` counts friendship-graph friends; `friends` adds the ties formed by talking
        (ever had); `friends_in_group` counts friendship-graph friends in the person's group today.
        """
        people = self.model.people
        rows = np.flatnonzero(people.stage != POTENTIAL)
        inside = self.graph.count_same(people.group)
        return pd.DataFrame(
            {
                "person": rows,
                "group": people.group[rows],
                "stage": np.asarray(STAGE_NAMES)[people.stage[rows]],
                "degree": self.degree[rows],
                "friends": people.friends[rows],
                "friends_in_group": inside[rows],
                "friends_left": people.friends_left[rows],
                "ties": people.ties[rows],
                "messages": people.messages[rows],
                "invited_by": people.invited_by[rows],
            }
        )

    def cascades(self) -> pd.DataFrame:
        """Return the invitation forest, one row per tree of joins by invitation (`observables.cascades`)."""
        inv = self.invitations()
        return cascade_table(inv["inviter"], inv["invitee"], inv["day"], inv["joined"])
