"""The day's hand-offs: what each mechanism publishes for those after it.

A day is a sequence of mechanisms (`CommunityModel.day_order`). Each one writes only
its own record on the `Day` and reads the records of the mechanisms before it:

- `DayStart` (the model, before any mechanism): who is a member, who is engaged,
  which activities run and their combined effect;
- `Arrivals` (acquisition): today's newcomers and the group sizes once they are placed;
- `Output` (content output): posts per group and the staff's attention per group;
- `Posting` (the member day, first phase): who wrote and how much, per group;
- `Moderation` (moderation): how much of the work was done, ads removed, newcomers welcomed;
- `GroupTerms` (the member day, second phase): the value terms per group;
- `NetworkDay` (the friendship network, with a graph only): invitations, joins by friends inside;
- `Tally` (everybody): the day's counts, which the metrics read;
- `DayEnd` (the model, after every mechanism): the members as they end the day, read
  once for the day's three records (community metrics, per-group record, data system).

Per-group arrays are indexed by group id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.population import ACTIVE, DORMANT, NEW
from sim.rules.value import saturating

if TYPE_CHECKING:
    from sim.population import PeopleTable
    from sim.rules.activities import ActivityEffect


def _rows() -> np.ndarray:
    return np.zeros(0, dtype=np.intp)


def _values() -> np.ndarray:
    return np.zeros(0)


@dataclass(frozen=True)
class DayStart:
    """The community at the start of the day, and the effect of today's activities."""

    day: int
    member_rows: np.ndarray  # members at the start of the day
    engaged_rows: np.ndarray  # new or active members at the start of the day
    start_counts: np.ndarray  # people by stage at the start of the day
    activities: tuple[int, ...]  # indexes of the activities running today
    lift: float = 0.0  # participation lift
    novelty_refresh: float = 0.0  # share of lost novelty restored
    activity_ties: float = 0.0  # ties formed per engaged member
    awaken: float = 0.0  # chance a dormant member is woken
    activity_factor: float = 1.0  # the date's factor on message rates (weekend, festivals)
    buying_factor: float = 1.0  # the date's factor on purchase hazards
    campaign_lift: float = 0.0  # relative lift of purchase hazards from today's campaigns
    campaign_annoyance: float = 0.0  # value today's campaigns take from every member

    @classmethod
    def of(
        cls,
        people: PeopleTable,
        day: int,
        running: list[int],
        effects: list[ActivityEffect],
        factors: tuple[float, float] = (1.0, 1.0),
        campaign: tuple[float, float] = (0.0, 0.0),
    ) -> DayStart:
        """Open the day: who is a member, who is engaged, what the running activities (`effects`) add up to.

        `factors` are the date's (activity, buying) factors, `campaign` today's campaigns' (lift, annoyance).
        """
        rows = people.members()
        st = people.stage[rows]
        new, active = st == NEW, st == ACTIVE
        engaged = new | active
        counts = np.zeros(7, dtype=np.int64)  # members are new, active or dormant: one count each, no bincount
        counts[NEW], counts[ACTIVE] = np.count_nonzero(new), np.count_nonzero(active)
        counts[DORMANT] = rows.size - counts[NEW] - counts[ACTIVE]
        lift = novelty = ties = awaken = 0.0
        for eff in effects:
            lift += eff.lift
            novelty = 1.0 - (1.0 - novelty) * (1.0 - eff.novelty)
            ties += eff.ties / eff.duration
            awaken = 1.0 - (1.0 - awaken) * (1.0 - eff.awaken)
        return cls(
            day=day,
            member_rows=rows,
            engaged_rows=rows[engaged],
            start_counts=counts,
            activities=tuple(running),
            lift=lift,
            novelty_refresh=novelty,
            activity_ties=ties,
            awaken=awaken,
            activity_factor=factors[0],
            buying_factor=factors[1],
            campaign_lift=campaign[0],
            campaign_annoyance=campaign[1],
        )


@dataclass
class Arrivals:
    """Published by acquisition: today's newcomers, placed in groups."""

    joined_rows: np.ndarray = field(default_factory=_rows)  # sorted
    joined_groups: np.ndarray = field(default_factory=_rows)  # the group each newcomer joined
    sizes: np.ndarray | None = None  # members per group once today's newcomers are placed
    review_minutes: float = 0.0  # admin minutes today's applications need (review threshold)


@dataclass
class Output:
    """Published by content output: posts per group and the staff's attention per group."""

    quality_posts: np.ndarray = field(default_factory=_values)  # posts weighted by their quality
    content_posts: np.ndarray = field(default_factory=_values)
    admin_capacity: np.ndarray = field(default_factory=_values)  # moderation minutes, KOLs' help included
    kol_help: np.ndarray = field(default_factory=_values)  # KOL minutes helping admins
    occupied: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # groups with members
    kol_activity: np.ndarray = field(default_factory=_values)  # activity minutes each serving KOL gives a group
    kol_posts: int = 0


@dataclass
class Posting:
    """Published by the member day's first phase: who wrote, and the messages and ads per group."""

    poster_rows: np.ndarray = field(default_factory=_rows)  # sorted
    poster_rates: np.ndarray = field(default_factory=_values)  # their message rates
    poster_messages: np.ndarray = field(default_factory=_rows)  # messages each of them wrote
    spam_rows: np.ndarray = field(default_factory=_rows)  # sorted
    spam_ads: np.ndarray = field(default_factory=_rows)  # their ad counts
    messages: np.ndarray = field(default_factory=_values)  # per group
    ads: np.ndarray = field(default_factory=_values)  # per group


@dataclass
class Moderation:
    """Published by moderation: the share of the work done, what it removed, whom it welcomed."""

    coverage: np.ndarray = field(default_factory=_values)  # share of moderation work done
    enforcement: np.ndarray = field(default_factory=_values)  # coverage x strictness
    focus: np.ndarray = field(default_factory=_values)  # share of off-topic chatter deleted
    ads_removed: np.ndarray = field(default_factory=_values)  # per group
    welcomed_rows: np.ndarray = field(default_factory=_rows)  # today's newcomers an admin welcomed, sorted


@dataclass
class GroupTerms:
    """Published by the member day's second phase: the day's value terms per group."""

    size: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    engaged: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    content: np.ndarray = field(default_factory=_values)
    chat: np.ndarray = field(default_factory=_values)
    visible_ads: np.ndarray = field(default_factory=_values)  # ads members saw: posted, less those removed unseen
    annoyance: np.ndarray = field(default_factory=_values)
    crowd: np.ndarray = field(default_factory=_values)
    tie_rate: np.ndarray = field(default_factory=_values)
    identity: np.ndarray = field(default_factory=_values)  # commitment from topical focus
    replies: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # messages that are replies
    active_shares: tuple[float, ...] = ()  # a, share of members who are new or active, in each sub-step
    left_shares: tuple[float, ...] = ()  # R/M, share of the pool who left or were kicked, in each sub-step


@dataclass
class NetworkDay:
    """Published by the friendship network (a graph source only): today's invitations and joins by friends inside."""

    invitations: int = 0
    accepted: int = 0
    joined_by_friends: np.ndarray = field(default_factory=lambda: np.zeros(4, dtype=np.int64))  # 0, 1, 2, 3+


@dataclass
class Tally:
    """The day's counts, added to by every mechanism and read by the metrics."""

    applicants: int = 0
    refused_threshold: int = 0
    refused_full: int = 0
    joined_channel: int = 0
    joined_referral: int = 0
    joined_organic: int = 0
    groups_opened: int = 0
    replies: int = 0
    off_topic_removed: int = 0
    false_flags: int = 0
    kicked: int = 0
    warnings: int = 0
    left: int = 0  # first-day exits and lapsed fees included
    first_day_left: int = 0
    new_to_active: int = 0
    active_to_dormant: int = 0
    dormant_to_active: int = 0
    new_spammers: int = 0
    fees_paid: int = 0  # entry fees and renewals
    purchases: int = 0  # first purchases and repurchases
    first_purchases: int = 0  # members who became customers today (conversion)
    conversion_days: int = 0  # days from joining to the first purchase, summed over today's converted joiners
    converted_joiners: int = 0  # today's first purchases by people who joined during the run (not founders)
    tier_fees: int = 0  # membership-tier periods bought or renewed
    tier_lapsed: int = 0  # tier memberships that ended without renewal
    ad_accounts_joined: int = 0  # ad accounts from outside who passed the threshold and joined
    operator_money: float = 0.0  # rewards and activity money spent
    acquisition_cost: float = 0.0  # channel spend and prices, referral rewards (also in operator_money)
    kols_quit: int = 0
    kols_cultivated: int = 0
    kols_eliminated: int = 0  # KOLs let go below the output bar (staff.eliminate_below_posts)
    staff_hired: int = 0  # admins and KOLs hired for copied groups or cultivated within the staff budget
    splits: int = 0
    groups_died: int = 0
    groups_closed: int = 0  # dissolved, merged or archived
    moved: int = 0  # members moved out of a dissolved or merged group into another
    splinters: int = 0  # groups founded by disaffected members
    returned: int = 0  # people who left and came back
    promoted_to_paid: int = 0  # members promoted from a free group into a paid one
    extra_joins: int = 0  # members who joined a further group while keeping theirs (groups.max_groups_per_member)
    groups_dropped: int = 0  # memberships ended by members who stayed in the community through another group
    paid_group_fees: float = 0.0  # fees paid on promotion into a paid group (groups.paid_fee)


def stage_cells(key: np.ndarray, stage: np.ndarray, customer: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return members by key (0..n-1) and stage (n x 3: new, active, dormant), and customers by key, in one count.

    `key`, `stage` and `customer` (has bought) are the members'; every key must be in 0..n-1.
    """
    cells = np.bincount(key * 6 + (stage - NEW) * 2 + customer, minlength=6 * n).reshape(n, 3, 2)
    return cells.sum(axis=2), cells[:, :, 1].sum(axis=1)


class DayEnd:
    """The members as they end the day, read once and shared by the day's three records.

    The community metrics (`sim.metrics`), the per-group record (`sim.group_metrics`)
    and the data system (`sim.data_system`) all count the members by group and stage
    and read the same member columns. At 100k members each pass over them costs about
    a millisecond, and the three used to make a dozen; here the member rows, their
    group and stage and the members per group and stage are made once, and every member
    column the records read (`column`) is gathered once. Make it after the day's last
    mechanism: it reads the people table as it stands then, and nothing may change it
    before the records are taken.
    """

    def __init__(self, people: PeopleTable, day: int, n_groups: int, ties_saturation: float) -> None:
        self.people, self.day, self.n_groups = people, day, n_groups
        self._ties_saturation = ties_saturation
        self._columns: dict[str, np.ndarray] = {}
        self._tie_value: np.ndarray | None = None
        self._memberships: tuple[np.ndarray, np.ndarray] | None = None
        self._pool: dict[int, int] = {}
        self.member_rows = people.members()
        self.group = people.group[self.member_rows].astype(np.intp)  # intp: bincounts need not convert it
        self.stage = people.stage[self.member_rows]
        #: members per group (rows) and stage (columns: new, active, dormant), and customers per group
        self.by_stage, self.customers = stage_cells(
            self.group, self.stage, self.column("first_purchase_day") >= 0, n_groups
        )
        self.sizes = self.by_stage.sum(axis=1)  # members per group

    def memberships(self) -> tuple[np.ndarray, np.ndarray]:
        """Return every membership as (position in `member_rows`, group): home groups first, then the further ones.

        For groups.max_groups_per_member > 1 (`PeopleTable.memberships`); computed once.
        """
        if self._memberships is None:
            held = self.people.groups_of(self.member_rows)
            at, slot = np.nonzero(held[:, 1:] >= 0)
            self._memberships = (
                np.concatenate([np.arange(self.member_rows.size), at]),
                np.concatenate([self.group, held[at, slot + 1].astype(np.intp)]),
            )
        return self._memberships

    def group_counts(self) -> np.ndarray:
        """Return how many groups each member is in (`member_rows` order), from `memberships`."""
        return np.bincount(self.memberships()[0], minlength=self.member_rows.size)

    def column(self, name: str) -> np.ndarray:
        """Return the people-table column `name` of the members (in `member_rows` order), gathered once."""
        values = self._columns.get(name)
        if values is None:
            values = self._columns[name] = getattr(self.people, name)[self.member_rows]
        return values

    def tie_value(self) -> np.ndarray:
        """Each member's tie value, 1 - exp(-ties / value.ties_saturation) (`saturating`), computed once."""
        if self._tie_value is None:
            self._tie_value = np.asarray(saturating(self.column("ties"), self._ties_saturation))
        return self._tie_value

    def stage_count(self, stage: int) -> int:
        """Return how many people of the whole pool are in `stage` (members from `by_stage`, others counted once)."""
        if NEW <= stage <= DORMANT:
            return int(self.by_stage[:, stage - NEW].sum())
        count = self._pool.get(stage)
        if count is None:
            count = self._pool[stage] = int(np.count_nonzero(self.people.stage == stage))
        return count


@dataclass
class Day:
    """One day in progress: the start, each mechanism's record, and the tally."""

    start: DayStart
    tally: Tally = field(default_factory=Tally)
    arrivals: Arrivals = field(default_factory=Arrivals)
    output: Output = field(default_factory=Output)
    posting: Posting = field(default_factory=Posting)
    moderation: Moderation = field(default_factory=Moderation)
    terms: GroupTerms = field(default_factory=GroupTerms)
    network: NetworkDay | None = None  # None without a friendship graph (well_mixed)
    end: DayEnd | None = None  # set by the model once every mechanism has run (`close`)

    def close(self, people: PeopleTable, n_groups: int, ties_saturation: float) -> DayEnd:
        """Return the day's end (`DayEnd`), made on the first call, once every mechanism has run."""
        if self.end is None:
            self.end = DayEnd(people, self.day, n_groups, ties_saturation)
        return self.end

    @property
    def day(self) -> int:
        """The day's number (0 = the first step)."""
        return self.start.day
