"""Groups: placing newcomers, copying (opening) groups, splitting them, their culture, lifecycle and death.

Reads the `[groups]` section; owns the `GroupTable` (also `model.groups`); asks the
roles mechanism to staff the groups it opens and to release the staff of those it
closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.groups import (
    ALIVE,
    DEAD,
    DECLINE,
    FREE,
    PAID,
    TIER_NAMES,
    WEEK,
    GroupTable,
    admit_within_room,
    attraction,
    classify,
    eligible_for_paid,
    ema,
    first_per_group,
    fitted_choice,
    groups_to_split,
    grow_culture,
    inherited_culture,
    lowest,
    padded,
    route_newcomers,
)
from sim.mechanisms.day import Day
from sim.network.rules import acceptance_probability
from sim.population import ACTIVE, DORMANT, LEFT, NEW

if TYPE_CHECKING:
    from sim.mechanisms.network import Friendships
    from sim.mechanisms.roles import Roles
    from sim.world import Community


class GroupPolicy:
    """The groups of the community and the operator's policies for opening, splitting and ending them."""

    def __init__(self, model: Community, roles: Roles) -> None:
        self.model = model
        self.roles = roles
        self.section = model.params.groups
        self.table = GroupTable()
        #: with a friendship graph, a splinter's founder invites friends along its edges
        self.friendships: Friendships | None = None
        if self.funnel:
            model.people.own("promoted_day")

    @property
    def funnel(self) -> bool:
        """Whether the scenario declares paid groups (a funnel of free groups into paid ones)."""
        return "paid" in self.section.tiers

    def open(self, culture: float, day: int, parent: int = -1, owner: int = -1) -> int:
        """Open a group with this culture and return its id.

        Its appeal is set (`appeals`) or drawn, its topic drawn, its tier set (`tiers`) or
        its parent's (free without a parent).
        """
        sc, draws, gid = self.section, self.model.draws, self.table.count
        if gid < len(sc.appeals):
            appeal = sc.appeals[gid]
        else:
            z = float(draws.normal("groups.appeal", 0, [gid])[0])
            appeal = float(np.exp(sc.appeal_spread * z - sc.appeal_spread**2 / 2))
        if gid < len(sc.tiers):
            tier = TIER_NAMES.index(sc.tiers[gid])
        else:
            tier = int(self.table.tier[parent]) if parent >= 0 else FREE
        topic = draws.one("groups.topic", 0, gid)
        return self.table.open(culture, day, appeal=appeal, topic=topic, tier=tier, parent=parent, owner=owner)

    def entry_groups(self, paid: bool = False) -> np.ndarray:
        """Which groups people may enter: free groups for newcomers (all while none is open), paid for promotions."""
        tier, closed = self.table.tier, self.table.closed
        if paid:
            return tier == PAID
        free = tier == FREE
        return free if (free & ~closed).any() else np.ones(tier.size, dtype=bool)

    # ------------------------------------------------------------ placing people
    def place(
        self,
        preferred: np.ndarray,
        rows: np.ndarray,
        day: Day,
        sizes: np.ndarray | None = None,
        mechanism: str = "groups.choice",
        paid: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Place people `rows`: in their inviter's group (`preferred`, -1 if none) or one they choose.

        Newcomers enter free groups (`entry_groups`), promoted members paid ones (`paid`).
        `sizes` are the members per group now (default: at the start of the day, for the
        day's first placement). Opens new groups (copies of the largest group they may
        enter) while some find no room, unless the split policy is none.
        Returns (each person's group or -1 for those who found no room, members per group after).
        """
        sc, people = self.section, self.model.people
        if sizes is None:
            sizes = people.group_sizes(day.start.member_rows, self.table.count)
        allowed = self.entry_groups(paid)
        assigned, sizes, again = self._route(preferred, rows, sizes, mechanism, allowed)
        while sc.split_policy != "none" and (assigned < 0).any() and allowed.any():
            parents = np.flatnonzero(allowed)
            self.copy(parent=int(parents[np.argmax(sizes[parents])]), day=day.day)
            day.tally.groups_opened += 1
            sizes = np.append(sizes, 0)
            allowed = self.entry_groups(paid)
            rest = np.flatnonzero(assigned < 0)
            none = np.full(rest.size, -1, dtype=np.int32)
            assigned[rest], sizes, again = self._route(none, rows[rest], sizes, mechanism, allowed, again)
        return assigned, sizes

    def _route(
        self,
        preferred: np.ndarray,
        rows: np.ndarray,
        sizes: np.ndarray,
        mechanism: str,
        allowed: np.ndarray | None = None,
        again: int = 0,
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Route people to groups with room: the preferred group if open, else per `groups.routing`.

        Closed groups (archived, dissolved, merged) and groups not `allowed` (another tier)
        take nobody; a kept dead group is open as before. Those whose chosen group filled
        choose again (`fitted_choice`'s `again`: rounds of choosing so far, `again` before this call).
        Returns (group or -1 per person, the sizes after, the rounds of choosing so far).
        """
        sc, table = self.section, self.table
        shut = table.closed if allowed is None else table.closed | ~allowed
        room = np.where(shut, 0, sc.capacity - sizes)
        preferred = np.where((preferred >= 0) & (room[np.maximum(preferred, 0)] > 0), preferred, -1)
        choosable = room > 0
        sizes = sizes.astype(np.int64, copy=True)
        out = np.full(preferred.size, -1, dtype=np.int32)
        invited = np.flatnonzero(preferred >= 0)
        ok = admit_within_room(preferred[invited], room)
        out[invited[ok]] = preferred[invited[ok]]
        sizes += np.bincount(out[invited[ok]], minlength=sizes.size)
        rest = np.flatnonzero(out < 0)
        if rest.size == 0:
            return out, sizes, again
        if sc.routing == "smallest":
            blocked = np.where(choosable, sizes, sc.capacity)
            out[rest], after = route_newcomers(np.full(rest.size, -1, dtype=np.int32), blocked, sc.capacity)
            return out, sizes + after - blocked, again
        per_member = np.nan_to_num(table.weekly_genuine) / np.maximum(sizes, 1)
        pull = attraction(
            table.appeal, sizes, per_member, size_weight=sc.size_weight, activity_weight=sc.activity_weight
        )
        draws = self.model.draws
        taste = None  # drawn (keyed by row) when there is a choice to make
        while rest.size and (open_ids := np.flatnonzero(choosable & (sc.capacity - sizes > 0))).size:
            if open_ids.size == 1:  # one group with room is everyone's choice: first come, first served
                gid = int(open_ids[0])
                take = min(rest.size, int(sc.capacity - sizes[gid]))
                out[rest[:take]] = gid
                sizes[gid] += take
                rest = rest[take:]
                taste = None if taste is None else taste[take:]
                again += 1
                continue
            if taste is None:
                taste = draws.uniform("groups.taste", 0, rows[rest])
            pulls, topics = pull[open_ids], table.topic[open_ids]
            won = fitted_choice(draws, mechanism, rows[rest], open_ids, pulls, taste, topics, sc.fit_weight, again)
            again += 1
            choice = open_ids[won]
            ok = admit_within_room(choice, sc.capacity - sizes)
            out[rest[ok]] = choice[ok]
            sizes += np.bincount(choice[ok], minlength=sizes.size)
            rest, taste = rest[~ok], taste[~ok]
        return out, sizes, again

    # ------------------------------------------------------------ opening and splitting
    def copy(self, parent: int, day: int, owner: int = -1) -> int:
        """Open a group copied from `parent`: culture partly inherited, core team if seeded.

        `owner` is the member who founded it (a splinter), -1 when the operator opens it.
        """
        sc = self.section
        culture = inherited_culture(
            float(self.table.culture[parent]), sc.seed_core, sc.culture_inheritance, sc.core_culture_inheritance
        )
        gid = self.open(culture, day, parent=parent, owner=owner)
        self.roles.staff_copy(gid, parent, seeded=sc.seed_core)
        return gid

    def grow(self, day: Day) -> None:
        """Culture grows with participation; the 7-day mean of messages per member is updated."""
        table, terms = self.table, day.terms
        n_groups, size = table.count, terms.size
        participation = np.divide(terms.engaged, size, out=np.zeros(n_groups), where=size > 0)
        table.culture = grow_culture(table.culture, participation, self.section.culture_growth)
        per_member = np.divide(day.posting.messages, size, out=np.zeros(n_groups), where=size > 0)
        chat = table.chat_per_member
        seen = np.isfinite(chat)
        chat[seen] += (per_member[seen] - chat[seen]) / 7.0
        chat[~seen] = per_member[~seen]

    def split(self, day: Day) -> None:
        """Split groups in two per the split policy (dunbar, low_activity)."""
        sc, people, table = self.section, self.model.people, self.table
        rows = people.members()
        sizes = people.group_sizes(rows, table.count)
        split = groups_to_split(
            sc.split_policy,
            sizes,
            table.chat_per_member,
            table.last_split,
            day.day,
            dunbar_size=sc.dunbar_size,
            low_activity_messages=sc.low_activity_messages,
            low_activity_min_size=sc.low_activity_min_size,
            cooldown=sc.split_cooldown,
        )
        split = split[~table.closed[split]]
        for parent in split.tolist():
            in_group = rows[people.group[rows] == parent]
            # keyed by the parent, not the day: the same half moves when the split comes a day earlier or later
            u = self.model.draws.uniform("groups.split", 0, in_group, slot=parent)
            movers = in_group[np.argsort(u)[: in_group.size // 2]]
            child = self.copy(parent, day.day)
            people.group[movers] = child
            people.ties[in_group] *= 0.5  # half of one's partners are now in the other group
            table.last_split[[parent, child]] = day.day
            table.chat_per_member[child] = table.chat_per_member[parent]
            day.tally.splits += 1

    # ------------------------------------------------------------ lifecycle and death
    def review(self, day: Day) -> None:
        """End of the day: measure each group's activity, set its phase, and apply the policy to groups that died.

        Genuine messages are member messages and content posts; visible ads those not
        removed (or removed but still seen, `moderation.removed_ad_visibility`).
        """
        sc, table, people, d = self.section, self.table, self.model.people, day.day
        n = table.count
        sizes = people.group_sizes(people.members(), n)
        genuine = padded(day.posting.messages, n) + padded(day.output.content_posts, n)
        ads = padded(day.terms.visible_ads, n)
        alive = table.fate == ALIVE
        seen = genuine + ads
        share = np.divide(ads, seen, out=np.zeros(n), where=seen > 0)
        table.ad_share = np.where(seen > 0, ema(table.ad_share, share, WEEK), table.ad_share)
        table.weekly_genuine = ema(table.weekly_genuine, genuine, WEEK)
        table.genuine_ema = ema(table.genuine_ema, genuine, sc.silent_days)
        table.genuine_peak = np.maximum(table.genuine_peak, table.weekly_genuine)
        table.peak_size = np.maximum(table.peak_size, sizes)
        week_ago = table.size_history[d % WEEK].copy()
        table.size_history[d % WEEK] = sizes
        phase, fate = classify(
            d - table.opened_day,
            sizes,
            week_ago,
            table.peak_size,
            table.weekly_genuine,
            table.genuine_peak,
            table.genuine_ema,
            table.ad_share,
            inception_days=sc.inception_days,
            growth_rate=sc.growth_rate,
            decline_share=sc.decline_share,
            silent_days=sc.silent_days,
            silent_messages=sc.silent_messages,
            ad_dominance=sc.ad_dominance,
        )
        table.phase = np.where(alive, phase, DEAD).astype(np.int32)
        died = np.flatnonzero(alive & (fate != ALIVE))
        table.fate[died] = fate[died]
        table.died_day[died] = d
        day.tally.groups_died += died.size
        if sc.dead_policy != "keep" and died.size:
            table.closed[died] = True
            day.tally.groups_closed += died.size
            if sc.dead_policy != "archive":
                for gid in died.tolist():
                    self._close(gid, day)

    def _close(self, gid: int, day: Day) -> None:
        """Dissolve or merge group `gid`: its members move to other groups or leave; its staff are released.

        Members who are in another group as well (`max_groups_per_member` > 1) just drop
        this one and stay in their others. Of the rest, merge moves everybody into the
        most attractive open group with room (overflow chooses as newcomers do);
        dissolve moves a share `move_share`, who choose.
        """
        sc, people, table, d = self.section, self.model.people, self.table, day.day
        rows = people.members()
        members = rows[people.in_group(rows, gid)]
        if people.multi:
            elsewhere = people.group_count(members) > 1
            stay = members[elsewhere]
            people.leave_group(stay, np.full(stay.size, gid, dtype=np.int32))
            day.tally.groups_dropped += stay.size
            members = members[~elsewhere]
        sizes = people.group_sizes(rows, table.count)
        target = -1
        allowed = self.entry_groups(paid=bool(table.tier[gid] == PAID))  # members stay in their tier
        if sc.dead_policy == "merge":
            movers = members
            open_ids = np.flatnonzero((table.fate == ALIVE) & ~table.closed & allowed & (sizes < sc.capacity))
            if open_ids.size:
                per_member = np.nan_to_num(table.weekly_genuine[open_ids]) / np.maximum(sizes[open_ids], 1)
                pull = attraction(
                    table.appeal[open_ids],
                    sizes[open_ids],
                    per_member,
                    size_weight=sc.size_weight,
                    activity_weight=sc.activity_weight,
                )
                target = int(open_ids[np.argmax(pull)])
        else:
            movers = members[self.model.draws.uniform("groups.dissolve", d, members) < sc.move_share]
            people.ties[movers] *= 0.5  # they scatter: most partners end up elsewhere
        preferred = np.full(movers.size, target, dtype=np.int32)
        new_group, _, _ = self._route(preferred, movers, sizes, "groups.move", allowed)
        moved = new_group >= 0
        people.group[movers[moved]] = new_group[moved]
        day.tally.moved += int(moved.sum())
        leavers = np.setdiff1d(members, movers[moved], assume_unique=True)
        people.exit(leavers, LEFT, d)
        day.tally.left += leavers.size
        self.roles.release(gid, target)

    # ------------------------------------------------------------ splinters and the funnel
    def splinter(self, day: Day) -> None:
        """Disaffected but interested members of decaying groups found groups of their own (splinters).

        In a group in decline (alive, not split or splintered within `split_cooldown`
        days), a member with satisfaction below `splinter_satisfaction` and interest at
        least `splinter_interest` founds a new group with daily chance `splinter_rate`, at
        most one founder per group and day. The new group is a copy of the old one with
        the founder as its owner (staffed as copies are); the founder invites
        `splinter_invitations` people (friends who are members, with a network;
        disaffected members of the old group, well mixed), each of whom follows with
        chance `splinter_follow`. Those who move start afresh (novelty 1).
        """
        sc, people, table, draws, d = self.section, self.model.people, self.table, self.model.draws, day.day
        rows = people.members()
        g = people.group[rows]
        ready = (d - table.last_split) >= sc.split_cooldown
        decaying = (table.phase == DECLINE) & ~table.closed & ready
        sat = people.satisfaction[rows]
        disaffected = sat < sc.splinter_satisfaction
        able = decaying[g] & disaffected & (people.interest[rows] >= sc.splinter_interest) & ~people.spammer[rows]
        candidates = rows[able]
        u = draws.uniform("groups.splinter", d, candidates)
        founding = u < sc.splinter_rate
        founders = candidates[founding][first_per_group(people.group[candidates[founding]], u[founding])]
        for founder in founders.tolist():
            parent = int(people.group[founder])
            invited = self._splinter_invitees(founder, parent, rows, disaffected, d)
            invited = invited[~np.isin(invited, founders)]
            follow = invited[draws.uniform("groups.splinter_follow", d, invited) < sc.splinter_follow]
            child = self.copy(parent, d, owner=founder)
            movers = np.concatenate([[founder], follow[: sc.capacity - 1]]).astype(np.intp)
            people.group[movers] = child
            people.novelty[movers] = 1.0
            if self.friendships is None:
                people.ties[movers] *= 0.5  # they leave half of their partners behind
            table.last_split[[parent, child]] = d
            day.tally.splinters += 1

    def _splinter_invitees(
        self, founder: int, parent: int, members: np.ndarray, disaffected: np.ndarray, d: int
    ) -> np.ndarray:
        """Whom a splinter's founder invites: up to `splinter_invitations` people, drawn keyed by (founder, invitee)."""
        people, k = self.model.people, self.section.splinter_invitations
        if self.friendships is not None:
            friends = self.friendships.graph.neighbours(founder).astype(np.intp)
            pool = friends[(people.stage[friends] >= NEW) & (people.stage[friends] <= DORMANT)]
            pool = pool[~self.table.closed[people.group[pool]] | (people.group[pool] == parent)]
        else:
            pool = members[disaffected & (people.group[members] == parent)]
            pool = pool[pool != founder]
        if pool.size == 0:
            return pool
        u = self.model.draws.uniform("groups.splinter_invite", d, np.int64(founder) * people.size + pool)
        return np.sort(pool[lowest(u, k)])

    # ------------------------------------------------------------ more than one group
    def join_another(self, day: Day) -> None:
        """Members of a decaying group who are still interested also join another, better group (seed 002 §2.5).

        An engaged member (not a spammer) in fewer than `max_groups_per_member` groups,
        one of them in decline (or dead and kept), with interest at least
        `extra_group_interest`, joins another group with daily chance
        `extra_group_rate`, keeping their groups. They choose by appeal among the open,
        alive free groups not in decline (`groups.extra_choice`); one who finds no room,
        or picks a group they are in already, stays as they are. No group is opened for them.
        """
        sc, people, table, d = self.section, self.model.people, self.table, day.day
        rows = people.members()
        held = people.groups_of(rows)
        decaying = (table.phase == DECLINE) | (table.phase == DEAD)
        in_decay = ((held >= 0) & decaying[np.maximum(held, 0)]).any(axis=1)
        st = people.stage[rows]
        able = in_decay & (people.group_count(rows) < people.max_groups) & ((st == NEW) | (st == ACTIVE))
        able &= (people.interest[rows] >= sc.extra_group_interest) & ~people.spammer[rows]
        candidates = rows[able]
        joiners = candidates[self.model.draws.uniform("groups.extra", d, candidates) < sc.extra_group_rate]
        good = self.entry_groups() & (table.fate == ALIVE) & ~decaying
        if joiners.size == 0 or not good.any():
            return
        sizes = people.group_sizes(rows, table.count)
        none = np.full(joiners.size, -1, dtype=np.int32)
        choice, _, _ = self._route(none, joiners, sizes, "groups.extra_choice", good)
        found = choice >= 0
        joined = people.join_group(joiners[found], choice[found])
        day.tally.extra_joins += int(joined.sum())

    def invite_across(self, day: Day) -> None:
        """With a friendship network, members invite a friend who is a member elsewhere into their own group.

        Each engaged member (not a spammer) of an open group newcomers may enter (paid
        groups are entered by promotion) invites, with daily chance
        `extra_group_invitations`, one friend: an engaged member not in the inviter's
        home group and in fewer than `max_groups_per_member` groups (the one with the
        smallest keyed uniform). The friend accepts as an invited outsider would
        (`network.rules.acceptance_probability`: interest, friends already in the group)
        and, if the group is open with room, joins it and keeps their groups.
        """
        if self.friendships is None:
            return
        sc, people, table, d = self.section, self.model.people, self.table, day.day
        draws, graph, net = self.model.draws, self.friendships.graph, self.model.params.network
        rows = people.members()
        st = people.stage[rows]
        open_home = ~table.closed & self.entry_groups()  # into a group newcomers may enter (paid ones: by promotion)
        senders = rows[((st == NEW) | (st == ACTIVE)) & ~people.spammer[rows] & open_home[people.group[rows]]]
        senders = senders[draws.uniform("groups.cross_invite", d, senders) < sc.extra_group_invitations]
        if senders.size == 0:
            return
        start = graph.indptr[senders].astype(np.int64)
        deg = (graph.indptr[senders + 1] - start).astype(np.int64)
        owner = np.repeat(np.arange(senders.size), deg)
        friends = graph.indices[start[owner] + np.arange(owner.size) - np.repeat(np.cumsum(deg) - deg, deg)]
        home = people.group[senders][owner]
        fs = people.stage[friends]
        ok = ((fs == NEW) | (fs == ACTIVE)) & (people.group_count(friends) < people.max_groups)
        ok &= ~(people.groups_of(friends) == home[:, None]).any(axis=1)
        friends, owner, home = friends[ok], owner[ok], home[ok]
        u = draws.uniform("groups.cross_invitee", d, senders[owner].astype(np.int64) * people.size + friends)
        pick = first_per_group(owner, u)  # one friend per inviter
        invitee, inviter, target = friends[pick].astype(np.intp), senders[owner[pick]], home[pick]
        inside = graph.count_in_label(invitee, target, people.group)
        p = acceptance_probability(people.interest[invitee], inside, net.accept_base, net.accept_per_friend)
        key = inviter.astype(np.int64) * people.size + invitee
        yes = np.flatnonzero(draws.uniform("groups.cross_accept", d, key) < p)
        yes = yes[np.unique(invitee[yes], return_index=True)[1]]  # one invitation accepted per person: the first
        sizes = people.group_sizes(rows, table.count)
        yes = yes[admit_within_room(target[yes], np.maximum(sc.capacity - sizes, 0))]
        joined = people.join_group(invitee[yes], target[yes])
        day.tally.extra_joins += int(joined.sum())

    def promote(self, day: Day) -> None:
        """Members of free groups who qualify move up to a paid group (the funnel).

        An active member of a free group eligible by activity or purchase
        (`promote_by`) takes the offer with daily chance `promote_rate` if their
        willingness to pay covers `paid_fee`; they choose a paid group by appeal (a
        new paid group is opened when all are full), pay the fee and commit
        (`paid_commitment`).
        """
        sc, people, table, d = self.section, self.model.people, self.table, day.day
        rows = people.members()
        g = people.group[rows]
        eligible = eligible_for_paid(
            people.messages[rows],
            people.purchases[rows],
            sc.promote_by,
            min_messages=sc.promote_messages,
            min_purchases=sc.promote_purchases,
        )
        eligible &= (table.tier[g] == FREE) & (people.stage[rows] == ACTIVE) & (people.wtp[rows] >= sc.paid_fee)
        candidates = rows[eligible]
        takers = candidates[self.model.draws.uniform("groups.promote", d, candidates) < sc.promote_rate]
        if takers.size == 0:
            return
        sizes = people.group_sizes(rows, table.count)
        none = np.full(takers.size, -1, dtype=np.int32)
        new_group, _ = self.place(none, takers, day, sizes=sizes, mechanism="groups.promote_choice", paid=True)
        moved = takers[new_group >= 0]
        free_group = people.group[moved]
        people.move_home(moved, new_group[new_group >= 0])
        kept = np.zeros(moved.size, dtype=bool)
        if sc.promote_keeps_free:  # the paid group becomes home, the free group a further one (where a slot is free)
            kept = people.join_group(moved, free_group)
            day.tally.extra_joins += int(kept.sum())
        people.commitment[moved] = np.maximum(people.commitment[moved], sc.paid_commitment)
        if self.friendships is None:
            people.ties[moved[~kept]] *= 0.5  # who moved leaves half of their partners behind
        people.promoted_day[moved] = d
        day.tally.promoted_to_paid += moved.size
        day.tally.paid_group_fees += sc.paid_fee * moved.size
