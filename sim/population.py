"""The people of the model as columns: one row per person of the potential pool.

Members are many (10^3 to 10^6), so their state lives in numpy arrays owned by the
model; `Member` agents are views on rows of this table. A person's row exists from the
start (as a potential member) so that entry thresholds deplete the pool of its most
interested people first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from sim.scenario.schema import Population as PopulationParams

POTENTIAL, NEW, ACTIVE, DORMANT, LEFT, KICKED, PROMOTED = range(7)
STAGE_NAMES = ("potential", "new", "active", "dormant", "left", "kicked", "promoted")
SOURCE_NAMES = ("none", "initial", "channel", "referral", "organic", "ad_account")
INITIAL, CHANNEL, REFERRAL, ORGANIC, AD_ACCOUNT = 1, 2, 3, 4, 5
#: what was on when a customer first bought (`first_purchase_source`): nothing special, a festival date, a campaign
PURCHASE_SOURCE_NAMES = ("none", "everyday", "festival", "campaign")
EVERYDAY, FESTIVAL, CAMPAIGN = 1, 2, 3
#: columns only some mechanisms change (the network, returns, the funnel, the membership tier), with their
#: initial value and type: read-only and without memory until a mechanism owns them (`PeopleTable.own`)
OPTIONAL_COLUMNS: dict[str, tuple[float, type]] = {
    "tier_until": (-1, np.int32),
    "feedback": (1.0, np.float64),
    "friends": (0, np.int32),
    "friends_left": (0, np.int32),
    "returns": (0, np.int16),
    "promoted_day": (-1, np.int32),
}


@dataclass
class PeopleTable:
    """Column store of every person: traits (fixed) and state (changing daily)."""

    # traits
    interest: np.ndarray  # match to the group topic, 0..1 (同好)
    propensity: np.ndarray  # messages/day when engaged
    patience: np.ndarray  # divides the leave hazard
    wtp: np.ndarray  # willingness to pay, currency
    # state
    stage: np.ndarray  # int8, one of the stage constants
    group: np.ndarray  # int32 group id, -1 when in no group
    last_group: np.ndarray  # int32 group a member was in when they exited, -1 before
    satisfaction: np.ndarray
    novelty: np.ndarray  # 1 on joining, wears off
    ties: np.ndarray  # ties to other members
    commitment: np.ndarray  # from the entry threshold
    spammer: np.ndarray  # bool: posts ads
    warnings: np.ndarray  # int16
    join_day: np.ndarray  # int32, -1 before joining
    exit_day: np.ndarray  # int32, -1 while a member
    source: np.ndarray  # int8, how they came (SOURCE_NAMES)
    invited_by: np.ndarray  # int32 row of the inviter, -1 if none
    channel: np.ndarray  # int8 acquisition channel of a channel arrival (index into Scenario.channel_names()), else -1
    purchases: np.ndarray  # int16 product purchases
    first_purchase_day: np.ndarray  # int32 day of the first purchase (conversion into a customer), -1 none
    first_purchase_source: np.ndarray  # int8 what was on that day (PURCHASE_SOURCE_NAMES)
    tier_until: np.ndarray  # int32 last day of the paid membership tier bought, -1 never a tier member
    messages: np.ndarray  # int32 messages written, all days so far
    feedback: np.ndarray  # posting multiplier from yesterday's replies and recognition (1 without a network)
    friends: np.ndarray  # int32 friends ever had (friendship graph and ties formed by talking); 0 without a network
    friends_left: np.ndarray  # int32 of those friends, how many left the community
    returns: np.ndarray  # int16 times they came back after leaving
    promoted_day: np.ndarray  # int32 day they were promoted into a paid group, -1 if never
    # the rows of members, kept between joins and exits (`members`); not a column
    _member_rows: np.ndarray | None = field(default=None, repr=False, compare=False)
    # further groups beyond the home group (`group`): rows x (k - 1) int32, -1 = none; None while k = 1
    _extra: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        """Number of people (the potential pool M)."""
        return self.stage.size

    def members(self) -> np.ndarray:
        """Rows of current members (new, active or dormant), in order; a read-only array.

        A day asks for them a dozen times, and at a million people each scan costs
        milliseconds; they change only when people join (`enter`) or exit (`exit`), so
        they are kept until then. Code that moves people in or out of membership by
        writing `stage` directly must call `membership_changed`.
        """
        if self._member_rows is None:
            rows = np.flatnonzero((self.stage >= NEW) & (self.stage <= DORMANT))
            rows.setflags(write=False)
            self._member_rows = rows
        return self._member_rows

    def own(self, *names: str) -> None:
        """Make the columns `names` writable: a mechanism that changes them calls this once, when it is built.

        The columns of `OPTIONAL_COLUMNS` start as a read-only broadcast of their initial
        value, which takes no memory (26 bytes a person, 78 MB for a pool of 3 million):
        most scenarios never change them. Writing one that no mechanism owns raises.
        """
        for name in names:
            column = getattr(self, name)
            if not column.flags.writeable:
                setattr(self, name, np.array(column))

    def membership_changed(self) -> None:
        """Forget the member rows: `stage` was written so that people became members or stopped being ones."""
        self._member_rows = None

    def enter(self, rows: np.ndarray) -> None:
        """People in `rows` become new members (stage NEW)."""
        self.stage[rows] = NEW
        self._member_rows = None

    def exit(self, rows: np.ndarray, stage: int, day: int) -> None:
        """Members in `rows` leave (LEFT), are kicked (KICKED) or become KOLs (PROMOTED) on `day`.

        They leave all their groups; `last_group` keeps the home group.
        """
        self._member_rows = None
        self.stage[rows] = stage
        self.exit_day[rows] = day
        self.last_group[rows] = self.group[rows]
        self.group[rows] = -1
        self.spammer[rows] = False
        if self._extra is not None:
            self._extra[rows] = -1

    # ---------------------------------------------------------------- memberships
    # A person is in their home group (`group`) and, when the scenario allows more than one
    # group per member (groups.max_groups_per_member = k > 1), in up to k - 1 further groups.
    # Mechanisms that count or serve every membership ask these methods; those that need
    # one group per person (moderation, the network, the data system) use the home group.
    def allow_groups(self, k: int) -> None:
        """Let each person be in up to `k` groups: allocates the further-groups array when k > 1 (else nothing)."""
        if k > 1 and self._extra is None:
            self._extra = np.full((self.size, k - 1), -1, dtype=np.int32)

    @property
    def multi(self) -> bool:
        """Whether people may be in more than one group (the further-groups array exists)."""
        return self._extra is not None

    @property
    def max_groups(self) -> int:
        """The most groups one person may be in (groups.max_groups_per_member)."""
        return 1 if self._extra is None else 1 + self._extra.shape[1]

    def groups_of(self, rows: np.ndarray) -> np.ndarray:
        """Each person's groups as a (rows x k) int32 matrix: the home group first, -1 where none."""
        home = self.group[rows][:, None]
        return home if self._extra is None else np.concatenate([home, self._extra[rows]], axis=1)

    def group_count(self, rows: np.ndarray) -> np.ndarray:
        """How many groups each person in `rows` is in (0 for non-members)."""
        count = (self.group[rows] >= 0).astype(np.int64)
        if self._extra is not None:
            count += (self._extra[rows] >= 0).sum(axis=1)
        return count

    def memberships(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (row, group) of every membership of the people `rows`: home groups first, then the further ones.

        With one group per person this is `rows` and their home groups, no copy made.
        """
        if self._extra is None:
            return rows, self.group[rows]
        extra = self._extra[rows]
        at, slot = np.nonzero(extra >= 0)
        return np.concatenate([rows, rows[at]]), np.concatenate([self.group[rows], extra[at, slot]])

    def group_sizes(self, rows: np.ndarray, n_groups: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Members per group among `rows` (every membership counts), of those where `mask` (per row) is True."""
        if self._extra is None:
            g = self.group[rows] if mask is None else self.group[rows][mask]
            return np.bincount(g, minlength=n_groups)
        sub = rows if mask is None else rows[mask]
        return np.bincount(self.memberships(sub)[1], minlength=n_groups)

    def in_group(self, rows: np.ndarray, gid: int) -> np.ndarray:
        """Return True for the people in `rows` who are in group `gid` (home or further)."""
        inside = self.group[rows] == gid
        if self._extra is not None:
            inside |= (self._extra[rows] == gid).any(axis=1)
        return inside

    def join_group(self, rows: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """People `rows` join `groups` as a further group, keeping the groups they are in; returns who did.

        A person already in the group, or with no free slot (k groups already), does not join.
        """
        if self._extra is None or rows.size == 0:
            return np.zeros(rows.size, dtype=bool)
        extra = self._extra[rows]
        free = extra < 0
        ok = free.any(axis=1)
        ok &= (self.group[rows] != groups) & ~(extra == groups[:, None]).any(axis=1)
        slot = np.argmax(free, axis=1)
        self._extra[rows[ok], slot[ok]] = groups[ok]
        return ok

    def move_home(self, rows: np.ndarray, groups: np.ndarray) -> None:
        """People `rows` move their home group to `groups`; a further group that is the new home is let go."""
        self.group[rows] = groups
        if self._extra is not None and rows.size:
            extra = self._extra[rows]
            self._extra[rows] = np.where(extra == groups[:, None], -1, extra)

    def leave_group(self, rows: np.ndarray, groups: np.ndarray) -> None:
        """People `rows` leave `groups` and stay in their others; leaving the home group makes a further one home.

        For people with another group only (`group_count` > 1): who is in one group leaves by `exit`.
        """
        if self._extra is None or rows.size == 0:
            return
        extra = self._extra[rows]
        home = self.group[rows] == groups
        # a further group takes the home group's place: the first one held
        first = np.argmax(extra >= 0, axis=1)
        drop = np.where(home, first, np.argmax(extra == groups[:, None], axis=1))
        new_home = extra[np.arange(rows.size), first]
        self.group[rows[home]] = new_home[home]
        self._extra[rows, drop] = -1

    def columns(self) -> list[str]:
        """Names of all columns."""
        return [f.name for f in fields(self) if not f.name.startswith("_")]


def draw_people(params: PopulationParams, rng: np.random.Generator) -> PeopleTable:
    """Draw the traits of the whole potential pool; everybody starts as potential.

    interest ~ Beta(mean * c, (1 - mean) * c); propensity and willingness to pay are
    lognormal with the given means; patience ~ Gamma(shape, mean / shape). With
    `homogeneous`, every trait sits at its mean (the classic special cases). The traits
    are drawn once, before any lever acts, from a Generator keyed by the run seed and
    the population mechanism (`Draws.generator`), so every scenario run with the same
    seed and population has the same people.
    """
    n = params.potential_pool
    if params.homogeneous:
        interest = np.full(n, params.interest_mean)
        propensity = np.full(n, params.propensity_mean)
        patience = np.full(n, params.patience_mean)
        wtp = np.full(n, params.wtp_mean)
    else:
        c = params.interest_concentration
        interest = rng.beta(params.interest_mean * c, (1 - params.interest_mean) * c, n)
        propensity = _lognormal(rng, params.propensity_mean, params.propensity_sigma, n)
        patience = rng.gamma(params.patience_shape, params.patience_mean / params.patience_shape, n)
        wtp = _lognormal(rng, params.wtp_mean, params.wtp_sigma, n)
    return PeopleTable(
        interest=interest,
        propensity=propensity,
        patience=patience,
        wtp=wtp,
        stage=np.zeros(n, dtype=np.int8),
        group=np.full(n, -1, dtype=np.int32),
        last_group=np.full(n, -1, dtype=np.int32),
        satisfaction=np.zeros(n),
        novelty=np.zeros(n),
        ties=np.zeros(n),
        commitment=np.zeros(n),
        spammer=np.zeros(n, dtype=bool),
        warnings=np.zeros(n, dtype=np.int16),
        join_day=np.full(n, -1, dtype=np.int32),
        exit_day=np.full(n, -1, dtype=np.int32),
        source=np.zeros(n, dtype=np.int8),
        invited_by=np.full(n, -1, dtype=np.int32),
        channel=np.full(n, -1, dtype=np.int8),
        purchases=np.zeros(n, dtype=np.int16),
        first_purchase_day=np.full(n, -1, dtype=np.int32),
        first_purchase_source=np.zeros(n, dtype=np.int8),
        messages=np.zeros(n, dtype=np.int32),
        **{name: np.broadcast_to(np.array(value, dtype), n) for name, (value, dtype) in OPTIONAL_COLUMNS.items()},
    )


def _lognormal(rng: np.random.Generator, mean: float, sigma: float, n: int) -> np.ndarray:
    """Lognormal draws with the given arithmetic mean."""
    if sigma == 0 or mean == 0:
        return np.full(n, float(mean))
    return rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, n)
