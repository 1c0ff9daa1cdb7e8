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
    WEEK,
    GroupTable,
    admit_within_room,
    attraction,
    choice_clocks,
    classify,
    ema,
    groups_to_split,
    grow_culture,
    inherited_culture,
    padded,
    race,
    route_newcomers,
    topic_fit,
)
from sim.mechanisms.day import Day
from sim.population import LEFT

if TYPE_CHECKING:
    from sim.mechanisms.roles import Roles
    from sim.world import Community


class GroupPolicy:
    """The groups of the community and the operator's policies for opening, splitting and ending them."""

    def __init__(self, model: Community, roles: Roles) -> None:
        self.model = model
        self.roles = roles
        self.section = model.params.groups
        self.table = GroupTable()

    def open(self, culture: float, day: int) -> int:
        """Open a group with this culture and return its id; its appeal is set (`appeals`) or drawn, its topic drawn."""
        sc, draws, gid = self.section, self.model.draws, self.table.count
        if gid < len(sc.appeals):
            appeal = sc.appeals[gid]
        else:
            z = float(draws.normal("groups.appeal", 0, [gid])[0])
            appeal = float(np.exp(sc.appeal_spread * z - sc.appeal_spread**2 / 2))
        return self.table.open(culture, day, appeal=appeal, topic=draws.one("groups.topic", 0, gid))

    # ------------------------------------------------------------ placing people
    def place(self, preferred: np.ndarray, rows: np.ndarray, day: Day) -> tuple[np.ndarray, np.ndarray]:
        """Place today's newcomers `rows`: in their inviter's group (`preferred`, -1 if none) or one they choose.

        Opens new groups (copies) while some find no room, unless the split policy is none.
        Returns (each newcomer's group or -1 for those who found no room, members per group after).
        """
        sc, people = self.section, self.model.people
        sizes = np.bincount(people.group[day.start.member_rows], minlength=self.table.count)
        assigned, sizes = self._route(preferred, rows, sizes, "groups.choice")
        while sc.split_policy != "none" and (assigned < 0).any():
            self.copy(parent=int(np.argmax(sizes)), day=day.day)
            day.tally.groups_opened += 1
            sizes = np.append(sizes, 0)
            rest = np.flatnonzero(assigned < 0)
            none = np.full(rest.size, -1, dtype=np.int32)
            assigned[rest], sizes = self._route(none, rows[rest], sizes, "groups.choice")
        return assigned, sizes

    def _route(
        self, preferred: np.ndarray, rows: np.ndarray, sizes: np.ndarray, mechanism: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Route people to groups with room: the preferred group if open, else per `groups.routing`.

        Closed groups (archived, dissolved, merged) take nobody; a kept dead group is open as before.
        Returns (group or -1 per person, the sizes after).
        """
        sc, table = self.section, self.table
        room = np.where(table.closed, 0, sc.capacity - sizes)
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
            return out, sizes
        if sc.routing == "smallest":
            blocked = np.where(choosable, sizes, sc.capacity)
            out[rest], after = route_newcomers(np.full(rest.size, -1, dtype=np.int32), blocked, sc.capacity)
            return out, sizes + after - blocked
        per_member = np.nan_to_num(table.weekly_genuine) / np.maximum(sizes, 1)
        pull = attraction(
            table.appeal, sizes, per_member, size_weight=sc.size_weight, activity_weight=sc.activity_weight
        )
        taste = self.model.draws.uniform("groups.taste", 0, rows[rest])
        while rest.size and (open_ids := np.flatnonzero(choosable & (sc.capacity - sizes > 0))).size:
            weights = pull[open_ids][None, :] * topic_fit(taste, table.topic[open_ids], sc.fit_weight)
            choice = open_ids[race(weights, choice_clocks(self.model.draws, mechanism, rows[rest], open_ids))]
            ok = admit_within_room(choice, sc.capacity - sizes)
            out[rest[ok]] = choice[ok]
            sizes += np.bincount(choice[ok], minlength=sizes.size)
            rest, taste = rest[~ok], taste[~ok]
        return out, sizes

    # ------------------------------------------------------------ opening and splitting
    def copy(self, parent: int, day: int) -> int:
        """Open a group copied from `parent`: culture partly inherited, core team if seeded."""
        sc = self.section
        culture = inherited_culture(
            float(self.table.culture[parent]), sc.seed_core, sc.culture_inheritance, sc.core_culture_inheritance
        )
        gid = self.open(culture, day)
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
        sizes = np.bincount(people.group[rows], minlength=table.count)
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
        sizes = np.bincount(people.group[people.members()], minlength=n)
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

        Merge moves everybody into the most attractive open group with room (overflow
        chooses as newcomers do); dissolve moves a share `move_share`, who choose.
        """
        sc, people, table, d = self.section, self.model.people, self.table, day.day
        rows = people.members()
        sizes = np.bincount(people.group[rows], minlength=table.count)
        members = rows[people.group[rows] == gid]
        target = -1
        if sc.dead_policy == "merge":
            movers = members
            open_ids = np.flatnonzero((table.fate == ALIVE) & ~table.closed & (sizes < sc.capacity))
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
        new_group, _ = self._route(preferred, movers, sizes, "groups.move")
        moved = new_group >= 0
        people.group[movers[moved]] = new_group[moved]
        day.tally.moved += int(moved.sum())
        leavers = np.setdiff1d(members, movers[moved], assume_unique=True)
        people.exit(leavers, LEFT, d)
        day.tally.left += leavers.size
        self.roles.release(gid, target)
