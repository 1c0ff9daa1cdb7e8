"""DayContext: what happened so far today, passed from one phase of the day to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.population import ACTIVE, NEW

if TYPE_CHECKING:
    from sim.population import PeopleTable
    from sim.rules.activities import ActivityEffect

_EMPTY_ROWS = np.zeros(0, dtype=np.intp)


def _rows() -> np.ndarray:
    return _EMPTY_ROWS.copy()


@dataclass
class DayContext:
    """State of one day in progress. Per-group arrays are indexed by group id."""

    day: int
    member_rows: np.ndarray  # members at the start of the day
    engaged_rows: np.ndarray  # new or active members at the start of the day
    activities: list[int]  # indexes of the activities running today
    start_counts: np.ndarray  # members by stage at the start of the day
    lift: float = 0.0
    novelty_refresh: float = 0.0
    activity_ties: float = 0.0
    awaken: float = 0.0
    # acquisition
    applicants: int = 0
    refused_threshold: int = 0
    refused_full: int = 0
    joined_rows: np.ndarray = field(default_factory=_rows)
    joined_channel: int = 0
    joined_referral: int = 0
    joined_organic: int = 0
    groups_opened: int = 0
    review_minutes: float = 0.0
    sizes: np.ndarray | None = None  # members per group once today's newcomers are placed
    occupied: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # groups with members
    kol_activity_g: list = field(default_factory=list)  # activity minutes each serving KOL gives a group today
    # output and posting
    quality_posts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    content_posts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    admin_capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    kol_help: np.ndarray = field(default_factory=lambda: np.zeros(0))  # KOL minutes helping admins, per group
    messages_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ads_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    replies: int = 0
    spam_rows: np.ndarray = field(default_factory=_rows)
    spam_ads: np.ndarray = field(default_factory=_rows)
    poster_rows: np.ndarray = field(default_factory=_rows)
    poster_rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    posts_log: list = field(default_factory=list)  # each member's (posters, rates, spammers, ads), agents engine
    # moderation
    coverage: np.ndarray = field(default_factory=lambda: np.zeros(0))  # share of moderation work done
    enforcement: np.ndarray = field(default_factory=lambda: np.zeros(0))  # coverage x strictness
    focus: np.ndarray = field(default_factory=lambda: np.zeros(0))  # share of off-topic chatter deleted
    off_topic_removed: int = 0
    ads_removed_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    welcomed_rows: np.ndarray = field(default_factory=_rows)  # today's newcomers an admin welcomed, sorted
    false_flags: int = 0
    kicked_today: int = 0
    warnings_today: int = 0
    # value terms per group (after moderation)
    size_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    engaged_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    engaged_list: list = field(default_factory=list)  # engaged_g as a list, for per-KOL lookups
    content_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chat_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    annoyance_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    crowd_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tie_rate_g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    identity_g: np.ndarray = field(default_factory=lambda: np.zeros(0))  # commitment from topical focus
    left_shares: tuple[float, ...] = ()  # R/M, share of the pool who left or were kicked, in each sub-step
    active_shares: tuple[float, ...] = ()  # a, share of members who are new or active, in each sub-step
    # moves
    left_today: int = 0
    first_day_left: int = 0
    new_to_active: int = 0
    active_to_dormant: int = 0
    dormant_to_active: int = 0
    new_spammers: int = 0
    # money
    fees_paid: int = 0  # entry fees and renewals paid today
    purchases: int = 0
    operator_money: float = 0.0
    # KOLs and groups
    kols_quit: int = 0
    kols_cultivated: int = 0
    splits: int = 0

    @classmethod
    def start(
        cls, people: PeopleTable, activity_until: dict[int, int], effects: list[ActivityEffect], day: int
    ) -> DayContext:
        """Open the day: who is a member, who is engaged, which activities run."""
        rows = people.members()
        st = people.stage[rows]
        running = [i for i, until in activity_until.items() if day <= until]
        ctx = cls(
            day=day,
            member_rows=rows,
            engaged_rows=rows[(st == NEW) | (st == ACTIVE)],
            activities=running,
            start_counts=np.bincount(st, minlength=7),
        )
        for i in running:
            eff = effects[i]
            ctx.lift += eff.lift
            ctx.novelty_refresh = 1.0 - (1.0 - ctx.novelty_refresh) * (1.0 - eff.novelty)
            ctx.activity_ties += eff.ties / eff.duration
            ctx.awaken = 1.0 - (1.0 - ctx.awaken) * (1.0 - eff.awaken)
        return ctx
