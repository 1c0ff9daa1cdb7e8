"""Groups (chat groups): their state, lifecycle and appeal, and the copy/split policies (ISOOC's copy element).

Group-level state is small (one entry per group), so it lives in plain numpy arrays
grown as groups are opened. Which members belong to which group is the people
table's `group` column.

A group lives through phases (after Iriberri & Leroy 2009): inception, growth,
maturity, decline, and death. It dies in one of three ways: silent (hardly any
genuine messages for a period), taken over by ads (ads dominate what is visible), or
empty. What then happens to it is the operator's policy (`groups.dead_policy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

INCEPTION, GROWTH, MATURITY, DECLINE, DEAD = range(5)
PHASE_NAMES = ("inception", "growth", "maturity", "decline", "dead")
ALIVE, SILENT, AD_GROUP, EMPTY = range(4)
FATE_NAMES = ("alive", "silent", "ads", "empty")
FREE, PAID = range(2)
TIER_NAMES = ("free", "paid")
WEEK = 7


def _floats(fill: float = 0.0) -> np.ndarray:
    return np.full(0, fill)


def _ints() -> np.ndarray:
    return np.zeros(0, dtype=np.int32)


@dataclass
class GroupTable:
    """Per-group state; group ids are indexes into these arrays."""

    culture: np.ndarray = field(default_factory=_floats)
    opened_day: np.ndarray = field(default_factory=_ints)
    last_split: np.ndarray = field(default_factory=_ints)
    chat_per_member: np.ndarray = field(default_factory=_floats)  # 7-day EMA
    appeal: np.ndarray = field(default_factory=_floats)  # quality of founders and staff, a multiplier (1 = typical)
    topic: np.ndarray = field(default_factory=_floats)  # sub-topic, a point on the circle [0, 1)
    phase: np.ndarray = field(default_factory=_ints)  # PHASE_NAMES
    fate: np.ndarray = field(default_factory=_ints)  # FATE_NAMES: how it died, ALIVE while alive
    died_day: np.ndarray = field(default_factory=_ints)  # -1 while alive
    closed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # takes no newcomers
    genuine_ema: np.ndarray = field(default_factory=_floats)  # genuine messages per day, silent_days-day EMA
    genuine_peak: np.ndarray = field(default_factory=_floats)  # highest weekly EMA of genuine messages
    weekly_genuine: np.ndarray = field(default_factory=_floats)  # genuine messages per day, 7-day EMA
    ad_share: np.ndarray = field(default_factory=_floats)  # visible ads / everything visible, 7-day EMA
    peak_size: np.ndarray = field(default_factory=_ints)
    size_history: np.ndarray = field(default_factory=lambda: np.zeros((WEEK, 0), dtype=np.int32))  # last 7 days
    tier: np.ndarray = field(default_factory=_ints)  # TIER_NAMES: free traffic group or paid core group
    parent: np.ndarray = field(default_factory=_ints)  # the group it was copied, split or splintered from; -1
    owner: np.ndarray = field(default_factory=_ints)  # people row of the member who founded it (a splinter); -1

    @property
    def count(self) -> int:
        """Number of groups ever opened (closed ones keep their id and their record)."""
        return self.culture.size

    def open(
        self,
        culture: float,
        day: int,
        appeal: float = 1.0,
        topic: float = 0.0,
        *,
        tier: int = FREE,
        parent: int = -1,
        owner: int = -1,
    ) -> int:
        """Open a new group and return its id."""
        self.tier = np.append(self.tier, np.int32(tier))
        self.parent = np.append(self.parent, np.int32(parent))
        self.owner = np.append(self.owner, np.int32(owner))
        self.culture = np.append(self.culture, culture)
        self.opened_day = np.append(self.opened_day, np.int32(day))
        self.last_split = np.append(self.last_split, np.int32(day))
        self.chat_per_member = np.append(self.chat_per_member, np.inf)
        self.appeal = np.append(self.appeal, appeal)
        self.topic = np.append(self.topic, topic)
        self.phase = np.append(self.phase, np.int32(INCEPTION))
        self.fate = np.append(self.fate, np.int32(ALIVE))
        self.died_day = np.append(self.died_day, np.int32(-1))
        self.closed = np.append(self.closed, False)
        self.genuine_ema = np.append(self.genuine_ema, np.nan)
        self.genuine_peak = np.append(self.genuine_peak, 0.0)
        self.weekly_genuine = np.append(self.weekly_genuine, np.nan)
        self.ad_share = np.append(self.ad_share, 0.0)
        self.peak_size = np.append(self.peak_size, np.int32(0))
        self.size_history = np.hstack([self.size_history, np.zeros((WEEK, 1), dtype=np.int32)])
        return self.count - 1


def inherited_culture(parent_culture: float, seeded_core: bool, inheritance: float, core_inheritance: float) -> float:
    """Culture of a new group: only part of the parent's subculture carries over.

    A seeded core of KOLs and admins carries more of it (seed 002, the three questions
    before copying: self-organisation, a core group, a shared subculture).
    """
    return parent_culture * (core_inheritance if seeded_core else inheritance)


def grow_culture(culture: np.ndarray, participation: np.ndarray, rate: float) -> np.ndarray:
    """Culture grows toward 1 with participation (share of members engaged)."""
    return culture + rate * participation * (1.0 - culture)


def groups_to_split(
    policy: str,
    sizes: np.ndarray,
    chat_per_member: np.ndarray,
    last_split: np.ndarray,
    day: int,
    *,
    dunbar_size: int,
    low_activity_messages: float,
    low_activity_min_size: int,
    cooldown: int,
) -> np.ndarray:
    """Ids of groups the policy splits in two today.

    - dunbar: groups above the emotional boundary (about 150, Dunbar);
    - low_activity: groups of at least `low_activity_min_size` whose messages per member
      per day (7-day average) fell below the threshold, at most once per `cooldown` days;
    - none and at_capacity never split (at_capacity opens new groups for newcomers).
    """
    if policy == "dunbar":
        return np.flatnonzero(sizes > dunbar_size)
    ready = (day - last_split) >= cooldown
    if policy == "low_activity":
        return np.flatnonzero(ready & (sizes >= low_activity_min_size) & (chat_per_member < low_activity_messages))
    return np.zeros(0, dtype=np.intp)


def route_newcomers(preferred: np.ndarray, sizes: np.ndarray, capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """Place newcomers in groups with room.

    A newcomer goes to the preferred group (an inviter's) if it has room, else to the
    open group with the fewest members. `preferred` holds a group id or -1 per newcomer.
    Returns (assigned group or -1 for those who found no room, the new sizes).
    """
    sizes = sizes.astype(np.int64, copy=True)
    out = np.full(preferred.size, -1, dtype=np.int32)
    has_pref = np.flatnonzero(preferred >= 0)
    if has_pref.size:
        order = has_pref[np.argsort(preferred[has_pref], kind="stable")]
        g = preferred[order]
        first = np.searchsorted(g, g, side="left")
        rank = np.arange(g.size) - first
        ok = rank < (capacity - sizes[g])
        out[order[ok]] = g[ok]
        np.add.at(sizes, g[ok], 1)
    rest = np.flatnonzero(out < 0)
    if rest.size == 0:
        return out, sizes
    room = capacity - sizes
    start = 0
    for gid in np.argsort(sizes, kind="stable"):
        if start >= rest.size:
            break
        take = int(min(room[gid], rest.size - start))
        if take <= 0:
            continue
        out[rest[start : start + take]] = gid
        sizes[gid] += take
        start += take
    return out, sizes


def padded(values: np.ndarray, n: int) -> np.ndarray:
    """Per-group values of the groups that existed when they were computed, zero for the groups opened since."""
    return np.concatenate([values, np.zeros(n - values.size)]) if values.size < n else values


def ema(previous: np.ndarray, today: np.ndarray, span: float) -> np.ndarray:
    """Exponential moving average with weight 1/span on today; NaN (no history yet) starts at today."""
    return np.where(np.isnan(previous), today, previous + (today - previous) / span)


def classify(
    age: np.ndarray,
    size: np.ndarray,
    size_week_ago: np.ndarray,
    peak_size: np.ndarray,
    weekly_genuine: np.ndarray,
    genuine_peak: np.ndarray,
    genuine_ema: np.ndarray,
    ad_share: np.ndarray,
    *,
    inception_days: int,
    growth_rate: float,
    decline_share: float,
    silent_days: int,
    silent_messages: float,
    ad_dominance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (phase, fate) of groups from their measured activity (rules of docs/ODD.md §7.11).

    - dead when empty (after its first day), taken over by ads (the 7-day share of ads
      in what is visible reaches `ad_dominance`, past inception) or silent (genuine
      messages, `silent_days`-day average, below `silent_messages` a day, once the group
      is `silent_days` old); the fate says which, tested in that order;
    - inception for its first `inception_days` days;
    - decline when the 7-day average of genuine messages fell below `decline_share` of
      its peak, or the group shrank below `decline_share` of its largest size;
    - growth when it grew by at least `growth_rate` in a week;
    - maturity otherwise.
    """
    fate = np.full(size.size, ALIVE, dtype=np.int32)
    silent = (age >= silent_days) & (genuine_ema < silent_messages)
    fate[silent] = SILENT
    fate[(age >= inception_days) & (ad_share >= ad_dominance)] = AD_GROUP
    fate[(age >= 1) & (size == 0)] = EMPTY
    phase = np.full(size.size, MATURITY, dtype=np.int32)
    grew = size >= (1.0 + growth_rate) * size_week_ago
    phase[grew & (size > size_week_ago)] = GROWTH
    declined = (weekly_genuine < decline_share * genuine_peak) | (size < decline_share * peak_size)
    phase[declined] = DECLINE
    phase[age < inception_days] = INCEPTION
    phase[fate != ALIVE] = DEAD
    return phase, fate


def attraction(
    appeal: np.ndarray, size: np.ndarray, genuine_per_member: np.ndarray, *, size_weight: float, activity_weight: float
) -> np.ndarray:
    """How strongly each group draws a newcomer who has to choose (before fit to their taste).

    appeal × (1 + size)^size_weight × (1 + activity_weight × genuine messages per member
    per day): a group's founders and staff, social proof, and visible life.
    """
    return appeal * (1.0 + size) ** size_weight * (1.0 + activity_weight * genuine_per_member)


def topic_fit(taste: np.ndarray, topic: np.ndarray, fit_weight: float) -> np.ndarray:
    """Fit of each newcomer's taste (rows) to each group's sub-topic (columns): exp(−weight × distance).

    Tastes and topics are points on a circle of circumference 1, so distances are 0..½.
    """
    return _fit_of_offsets(np.subtract(taste[:, None], topic[None, :]), fit_weight)  # newcomers x groups


def own_topic_fit(taste: np.ndarray, topic: np.ndarray, fit_weight: float) -> np.ndarray:
    """`topic_fit` of each newcomer's taste to one group's sub-topic each (`taste[i]` to `topic[i]`)."""
    return _fit_of_offsets(np.subtract(taste, topic), fit_weight)


def _fit_of_offsets(d: np.ndarray, fit_weight: float) -> np.ndarray:
    """exp(−weight × distance on the circle) of the offsets `d` (taste − topic), each step in place."""
    np.abs(d, out=d)
    np.minimum(d, 1.0 - d, out=d)
    d *= -fit_weight
    return np.exp(d, out=d)


def chooser_weights(
    taste: np.ndarray, topic: np.ndarray, pull: np.ndarray, fit_weight: float
) -> Callable[[slice], np.ndarray]:
    """Return the weights of newcomers choosing among groups, for `keyed_race`: pull x `topic_fit`, block by block."""

    def weights(block: slice) -> np.ndarray:
        fit = topic_fit(taste[block], topic, fit_weight)
        fit *= pull[None, :]
        return fit

    return weights


#: group ids below this number are keyed with a person's row in one identity (row * span + group)
GROUP_KEY_SPAN = 1 << 24


def choice_clocks(draws: Any, mechanism: str, rows: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each person's exponential clock for each group (rows x groups), for `race`: fixed, whatever the day.

    `groups` is one list of group ids for every person (1-D) or a list per person (rows x k).
    Keyed without the day, so a person who joins a day earlier or later in a paired
    scenario, or finds one more group open, makes the same choice unless the groups'
    pull changed enough to reorder them for that person.
    """
    if groups.ndim == 1:  # fresh: -log1p(-u) is taken in place
        clocks = draws.uniform_grid(mechanism, 0, rows, groups, GROUP_KEY_SPAN)
    else:
        ids = rows.astype(np.uint64)[:, None] * np.uint64(GROUP_KEY_SPAN) + groups.astype(np.uint64)
        clocks = np.asarray(draws.uniform(mechanism, 0, ids))
    np.negative(clocks, out=clocks)
    np.log1p(clocks, out=clocks)
    return np.negative(clocks, out=clocks)


def race(weights: np.ndarray, clocks: np.ndarray) -> np.ndarray:
    """Return one column per row: the one whose exponential clock, sped up by its weight, rings first.

    With `clocks` independent Exp(1) numbers, column j wins with probability proportional to
    its weight (the exponential race, equivalent to the Gumbel-max trick), the same law as
    drawing from the cumulative weights. Unlike that draw, a person keeps their choice when
    another column's weight changes a little or a column is added, unless they were nearly
    indifferent: each clock belongs to one person and one column, so paired scenarios pair
    choices too. Columns of weight 0 never win; a row of zeros gets column 0.
    """
    positive = weights > 0
    if positive.all():
        return np.argmin(clocks / weights, axis=1)
    with np.errstate(divide="ignore"):
        times = np.where(positive, clocks / np.where(positive, weights, 1.0), np.inf)
    return np.argmin(times, axis=1)


#: people x groups cells raced at a time by `keyed_race`: its temporaries stay within tens of megabytes
RACE_BLOCK_CELLS = 1 << 20
#: groups per band of `keyed_race`: the ids 0-15, 16-31, ... (a power of two; 16 ran fastest from 1,000 groups
#: to 3,000, measured against 8, 32 and 64)
BAND_BITS = 4
BAND = 1 << BAND_BITS


def keyed_race(
    draws: Any, mechanism: str, rows: np.ndarray, groups: np.ndarray, weights: Callable[[slice], np.ndarray]
) -> np.ndarray:
    """Return each person's winning column (an index into `groups`, ascending group ids), in a race down a tree.

    The group ids are the leaves of a tree of 16 branches: bands of 16 consecutive ids,
    bands of 16 bands (256 ids), and so on, as deep as the ids need. Each person races
    the top's branches, each weighted by the sum of its groups' weights, then the
    branches of the one they won, down to a group: P(group j) = the product of each
    branch's share of its parent = w_j / W, the law of one `race` over every group. A
    branch's clocks are keyed by (person, branch), a group's by (person, group), so
    each person keeps their choice when a weight changes a little, as in one race, with
    one difference: people drawn by a heavier (or new) group move into its band (and
    the bands above it) and there meet those branches' other groups too, so about 1.6
    times as many people move in two levels (tests/test_groups.py) and 2.9 times in three
    (3,000 groups; racing all 188 bands at once moved 2.0 times). In exchange a person looks
    at 16 clocks a level instead of one per group: at a million members, 40,000
    newcomers a day face 3,000 groups, 48 clocks each instead of 3,000 (or 204 in two
    levels). Ids below 16 are one race, below 256 two (bands, then groups).

    `weights(block)` gives the weights of the people `rows[block]` (block x groups, or
    1 x groups when everyone weighs the groups alike). People are raced `RACE_BLOCK_CELLS`
    cells at a time; every clock is keyed, so the blocks change no result.
    """
    if groups.size > 1 and not np.all(groups[1:] > groups[:-1]):
        raise ValueError("keyed_race: groups must be distinct group ids in ascending order")
    if groups.size == 0:
        return np.zeros(rows.size, dtype=np.intp)
    won = np.empty(rows.size, dtype=np.intp)
    levels = _race_levels(groups)
    within = np.arange(BAND)
    step = max(1, RACE_BLOCK_CELLS // groups.size)
    for start in range(0, rows.size, step):
        block = slice(start, start + step)
        people, w = rows[block], weights(block)
        if len(levels) == 1:  # one band: one race over its groups
            won[block] = race(w, choice_clocks(draws, mechanism, people, groups))
            continue
        top = levels[0]
        clocks = choice_clocks(draws, top.mechanism(mechanism), people, top.ids)
        branch = race(np.add.reduceat(w, top.first, axis=1), clocks)
        for level in levels[1:]:
            # the branches of the node each person won: consecutive in this level, at most 16
            lo, hi = level.child_from[branch][:, None], level.child_to[branch][:, None]
            position = lo + within[None, :]
            column = np.minimum(position, hi)  # the last branch repeated to fill 16
            node_w = w if level.height == 0 else np.add.reduceat(w, level.first, axis=1)
            branch_w = node_w[0][column] if node_w.shape[0] == 1 else np.take_along_axis(node_w, column, axis=1)
            branch_w[position > hi] = 0.0  # the repeats take no part
            clocks = choice_clocks(draws, level.mechanism(mechanism), people, level.ids[column])
            branch = column[np.arange(people.size), race(branch_w, clocks)]
        won[block] = branch
    return won


@dataclass(frozen=True)
class _RaceLevel:
    """One level of `keyed_race`'s tree: its nodes (ids, first columns) and each parent's children among them."""

    height: int  # 0: the groups themselves, 1: bands of 16 ids, 2: bands of 256 ids, ...
    ids: np.ndarray  # each node's id at this level: group id >> (4 x height)
    first: np.ndarray  # each node's first column
    child_from: np.ndarray  # for each node of the level above: its first and last child here
    child_to: np.ndarray

    def mechanism(self, name: str) -> str:
        """Return the name this level's clocks are keyed by: `name` for groups, then name.band, name.band2, ..."""
        return name if self.height == 0 else f"{name}.band" if self.height == 1 else f"{name}.band{self.height}"


def _race_levels(groups: np.ndarray) -> list[_RaceLevel]:
    """Return the levels of `keyed_race`'s tree over `groups` (ascending ids), from the top (under one root) down."""
    height = 0
    while groups[0] >> (BAND_BITS * (height + 1)) != groups[-1] >> (BAND_BITS * (height + 1)):
        height += 1
    levels: list[_RaceLevel] = []
    parent_of: np.ndarray | None = None  # each column's node one level up
    for h in range(height, -1, -1):
        node_of = groups >> (BAND_BITS * h)
        first = np.flatnonzero(np.concatenate([[True], node_of[1:] != node_of[:-1]]))
        if parent_of is None:
            child_from = child_to = np.zeros(0, dtype=np.intp)
        else:  # children of each parent: consecutive nodes, from the one at the parent's first column
            parent_first = np.flatnonzero(np.concatenate([[True], parent_of[1:] != parent_of[:-1]]))
            node_index = np.cumsum(np.concatenate([[False], node_of[1:] != node_of[:-1]]))
            child_from = node_index[parent_first]
            child_to = np.append(child_from[1:], first.size) - 1
        levels.append(_RaceLevel(h, node_of[first], first, child_from, child_to))
        parent_of = node_of
    return levels


#: proposals a newcomer of `fitted_choice` may turn down before the exact race decides (8: at the default
#: groups.fit_weight of 3 about half the proposals are taken, and 0.3% of newcomers reach the race)
FIT_TRIES = 8


def fitted_choice(
    draws: Any,
    mechanism: str,
    rows: np.ndarray,
    groups: np.ndarray,
    pull: np.ndarray,
    taste: np.ndarray,
    topic: np.ndarray,
    fit_weight: float,
    again: int = 0,
) -> np.ndarray:
    """Return each newcomer's group (an index into `groups`), drawn with probability ∝ pull × `topic_fit`.

    Within one band of 16 ids, one `keyed_race` over the weights pull × fit. With more
    groups, by rejection (von Neumann): a newcomer is proposed a group by a `keyed_race`
    over the pull alone, the same for everyone, and takes it with probability equal to
    its fit (at most 1), else is proposed another (clocks keyed by the try), up to
    `FIT_TRIES` proposals; the few who turned all down are decided by the race over
    pull × fit (clocks of their own). Each accepted proposal, and the race, has the law
    pull × fit / total, so the choice has it too. A newcomer then looks at about
    (groups / 16 + 16) clocks per proposal, two proposals at the default fit weight,
    instead of computing their fit to every group: at a million members that was a
    fifth of a run. With `fit_weight` 0 every first proposal is taken: the race over
    the pull, draw for draw. The proposals' clocks are keyed by (person, try, band or
    group), the acceptance by (person, try, group proposed), so paired scenarios pair both.

    `again` counts the rounds of choosing before this one, for people whose chosen group
    filled before them. Within one band they race again with the same clocks, which is
    exact: in an exponential race the runner-up, once the winner is out, has the law of
    the weights of the rest. Across bands it is not (the band that won keeps its
    clock's advantage, and would get its other groups chosen 2.6 times too often), so
    each round after the first draws fresh numbers (keyed by the round).
    """
    if groups.size == 0 or groups[0] >> BAND_BITS == groups[-1] >> BAND_BITS:
        return keyed_race(draws, mechanism, rows, groups, chooser_weights(taste, topic, pull, fit_weight))
    if again:
        mechanism = f"{mechanism}.again{again}"
    won = np.empty(rows.size, dtype=np.intp)
    pending = np.arange(rows.size)
    common = pull[None, :]
    for attempt in range(FIT_TRIES):
        name = mechanism if attempt == 0 else f"{mechanism}.try{attempt}"
        proposed = keyed_race(draws, name, rows[pending], groups, lambda _: common)
        fit = own_topic_fit(taste[pending], topic[proposed], fit_weight)
        ids = rows[pending].astype(np.uint64) * np.uint64(GROUP_KEY_SPAN) + groups[proposed].astype(np.uint64)
        took = draws.uniform(f"{mechanism}.accept", 0, ids, slot=attempt) < fit
        won[pending[took]] = proposed[took]
        pending = pending[~took]
        if pending.size == 0:
            return won
    rest = chooser_weights(taste[pending], topic, pull, fit_weight)
    won[pending] = keyed_race(draws, f"{mechanism}.fitted", rows[pending], groups, rest)
    return won


def admit_within_room(choice: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Return which of the newcomers choosing `choice` (group ids) find room, first come first served."""
    order = np.argsort(choice, kind="stable")
    g = choice[order]
    rank = np.arange(g.size) - np.searchsorted(g, g, side="left")
    ok = np.zeros(choice.size, dtype=bool)
    ok[order] = rank < room[g]
    return ok


def first_per_group(groups: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return the indexes of one entry per distinct group: the one with the smallest `u` (ties: the first)."""
    order = np.lexsort((u, groups))
    first = np.ones(order.size, dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    return np.sort(order[first])


def lowest(u: np.ndarray, k: int) -> np.ndarray:
    """Return the indexes of the `k` smallest of `u`, in increasing order of `u` (a keyed draw without replacement)."""
    return np.argsort(u, kind="stable")[:k]


def eligible_for_paid(
    messages: np.ndarray, purchases: np.ndarray, by: str, *, min_messages: int, min_purchases: int
) -> np.ndarray:
    """Which members of a free group qualify for the paid group: by `activity`, `purchase` or `either`."""
    active = messages >= min_messages
    bought = purchases >= min_purchases
    return active if by == "activity" else bought if by == "purchase" else active | bought


def lifetimes(opened_day: np.ndarray, died_day: np.ndarray) -> np.ndarray:
    """Days each group that died lived, from its opening to its death (groups still alive are left out)."""
    dead = died_day >= 0
    return (died_day[dead] - opened_day[dead]).astype(np.int64)
