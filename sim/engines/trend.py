"""Trend: the population terms of today's hazards, placed within the day (see `Trend`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.rules.daystep import ChainRates, DayPlan, auto_substeps, plan_day

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario


@dataclass
class Trend:
    """The population terms of today's hazards, placed within the day rather than at its start.

    Hazards that depend on the population (referrers A/M, the share who left R/M, the
    active share a) change during a day; evaluating them at the start of the day would
    bias a day-long step by O(1 day). Two predictors, by the value-feedback switch:

    - feedback off: every member of a stage shares its hazards, so today's course is
      planned from the counts at the start of the day and the member chain itself, in
      `substeps` sub-steps (`sim.rules.daystep.plan_day`); members move with the plan's
      day transition (the product of the sub-steps').
    - feedback on: hazards differ member by member; the terms move linearly over the
      day, at yesterday's pace (its flows, joins excluded) plus today's expected joins,
      and are taken at the midpoint of each sub-step. On day 1, "yesterday's" flows are
      those the chain plan expects at the bare rates.
    """

    rates: ChainRates
    feedback: bool = True
    substeps: int = 1
    engaged_change: float = 0.0  # change of new + active members yesterday, joins excluded
    members_change: float = 0.0  # change of members yesterday, joins excluded
    exits: float = 0.0  # members who left or were kicked yesterday
    pass_share: float = 1.0  # share of yesterday's arrivals who passed the threshold and found room
    gone: int = 0  # people who left or were kicked, all days so far (R)
    plan: DayPlan | None = None  # today's plan (feedback off)
    _seen_a_day: bool = False

    @classmethod
    def of(cls, sc: Scenario) -> Trend:
        """Build the predictor for a scenario: its bare rates, feedback switch and sub-steps (0 = auto)."""
        # read here, not from sim.meanfield.Rates, so that `verify` compares two independent readings
        acq, pool = sc.acquisition, float(sc.population.potential_pool)
        rates = ChainRates(
            pool=pool,
            external=acq.external_rate + sc.channel_inflow() / pool,
            referral=acq.referral_rate * acq.referral_multiplier(),
            base_leave=sc.churn.base_rate,
            peer_leave=sc.churn.peer_rate,
            dormant_multiplier=sc.churn.dormant_multiplier,
            decay=sc.activity.decay_rate,
            reactivation=sc.activity.reactivation_rate,
            peer_reactivation=sc.activity.peer_reactivation_rate,
        )
        fb = sc.dynamics.value_feedback
        substeps = sc.dynamics.substeps or (1 if fb else auto_substeps(rates.largest))
        return cls(rates=rates, feedback=fb, substeps=substeps)

    @property
    def plans_today(self) -> bool:
        """True when today's terms come from a day plan (feedback off, or the first day): it needs the counts."""
        return not self.feedback or not self._seen_a_day

    def begin(self, potential: int, engaged: int, dormant: int, awaken: float) -> None:
        """Open the day from the counts at its start: plan it (feedback off), or seed day 1's flows."""
        if not self.plans_today:
            return
        start = (potential, engaged, dormant, self.gone)
        plan = plan_day(start, self.rates, self.substeps, pass_share=self.pass_share, awaken=awaken)
        if self.feedback:
            self.engaged_change, self.members_change, self.exits = plan.changes
        else:
            self.plan = plan

    def update(self, record: dict[str, float], members: int, engaged: int, applicants: int) -> None:
        """Remember today's flows for tomorrow; `members` and `engaged` counted them at the start of the day."""
        engaged_end = record["new"] + record["active"]
        self.engaged_change = engaged_end - engaged - record["joined"]
        self.members_change = record["members"] - members - record["joined"]
        self.exits = record["left_today"] + record["kicked_today"]
        self.pass_share = record["joined"] / applicants if applicants else 1.0
        self.gone = int(record["left"] + record["kicked"])
        self._seen_a_day = True

    def midday_engaged(self, start: int, joins: float) -> float:
        """Return new + active members at mid-day (the referrers of the join hazard).

        With a plan: averaged over the day's sub-steps; otherwise start + (joins +
        yesterday's other change) / 2.
        """
        if self.plan is not None:
            return self.plan.referrers
        return max(0.0, start + 0.5 * (joins + self.engaged_change))

    def terms(self, members: int, engaged: int, joins: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(active share a, left share R/M) at the midpoint of each sub-step of today.

        `members` and `engaged` count them at the start of the day, `joins` today's.
        """
        if self.plan is not None:
            return self.plan.active_shares, self.plan.left_shares
        actives, lefts = [], []
        for k in range(self.substeps):
            t = (k + 0.5) / self.substeps
            n = max(0.0, members + t * (joins + self.members_change))
            e = max(0.0, engaged + t * (joins + self.engaged_change))
            actives.append(min(1.0, e / n) if n else 0.0)
            lefts.append((self.gone + t * self.exits) / self.rates.pool)
        return tuple(actives), tuple(lefts)
