"""The day plan: the population terms of the hazards within a day, from today's own chain.

Hazards that depend on the population (the referrers A/M of joining, the share R/M who
left, the active share a of reactivation) change during a day. With value feedback off
every member of a stage has the same hazards, so the expected course of the day follows
from the counts at its start and the member chain itself: the day is cut into K equal
sub-steps, and in each the expected counts are advanced by the chain's own exact
transition (members) and join probability (potential people), with the population
terms taken at the sub-step's midpoint, predicted by half a sub-step at the terms of its
start (explicit midpoint: an error of order (rate / K)^3 per sub-step). Members then
move once per day with the product of the sub-steps' transitions (as `lifecycle.day_block`),
so the number of random draws does not depend on K. A newcomer arrives in sub-step k
in proportion to the sub-step's expected joins, at a uniform time within it (Simpson's
rule over the arrival time), and lives through the rest of the day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.rules.lifecycle import STILL, Block, MemberHazards, compose

#: the largest rate (per day) one sub-step is trusted with: K = ceil(largest rate / this)
RATE_PER_SUBSTEP = 0.05
#: the most sub-steps a day is cut into (also the bound of `dynamics.substeps`)
MAX_SUBSTEPS = 100


@dataclass(frozen=True)
class ChainRates:
    """The bare rates (per day, multiplier 1) of joining and of the member chain."""

    pool: float  # M, the whole potential pool
    external: float  # p + channel inflow / M
    referral: float  # q' = referral rate x (1 + incentive)
    base_leave: float  # beta_0
    peer_leave: float  # v
    dormant_multiplier: float  # mu
    decay: float  # g
    reactivation: float  # r
    peer_reactivation: float  # b

    @property
    def largest(self) -> float:
        """The largest hazard any term can reach (A/M, R/M and a are at most 1)."""
        leave = self.base_leave + self.peer_leave
        dormant_leave = self.dormant_multiplier * leave if self.decay > 0 else 0.0  # nobody is dormant otherwise
        return max(
            self.external + self.referral, self.decay, self.reactivation + self.peer_reactivation, leave, dormant_leave
        )

    def hazards(self, left_share: float, active_share: float, awaken: float) -> MemberHazards:
        """Return the hazards every member shares with value feedback off (`member_hazards`, in floats)."""
        leave = self.base_leave + self.peer_leave * left_share
        return MemberHazards(
            leave_engaged=leave,
            leave_dormant=leave * self.dormant_multiplier,
            decay=self.decay,
            reactivate=self.reactivation + self.peer_reactivation * active_share - math.log1p(-awaken),
        )


def auto_substeps(largest_rate: float) -> int:
    """Sub-steps a day needs so that no sub-step carries more than RATE_PER_SUBSTEP of any rate."""
    return max(1, min(MAX_SUBSTEPS, math.ceil(largest_rate / RATE_PER_SUBSTEP - 1e-9)))


@dataclass(frozen=True)
class DayPlan:
    """The expected course of one day, sub-step by sub-step, and the transitions it implies."""

    active_shares: tuple[float, ...]  # a at the midpoint of each sub-step
    left_shares: tuple[float, ...]  # R/M at the midpoint of each sub-step
    referrers: float  # engaged members averaged over the day: the A of today's join hazard
    member: Block  # the day's transition of a member there at the start of the day
    newcomer: Block  # the day's transition of a member who joined today
    start: tuple[float, float, float, float]  # (potential, engaged, dormant, gone) at the start
    end: tuple[float, float, float, float]  # the same, expected at the end of the day

    @property
    def changes(self) -> tuple[float, float, float]:
        """Expected (change of engaged, change of members, exits) over the day, joins excluded."""
        joins = self.start[0] - self.end[0]
        engaged = self.end[1] - self.start[1] - joins
        members = self.end[1] + self.end[2] - self.start[1] - self.start[2] - joins
        return engaged, members, self.end[3] - self.start[3]


def _terms(engaged: float, dormant: float, gone: float, pool: float) -> tuple[float, float]:
    members = engaged + dormant
    return (min(1.0, engaged / members) if members > 0 else 0.0), gone / pool


def transient_block(h: MemberHazards, t: float) -> Block:
    """`lifecycle.transient_block` for one set of float hazards, in plain floats (the plan runs it often)."""
    x, y = h.decay + h.leave_engaged, h.reactivate + h.leave_dormant
    half_gap = (x - y) * 0.5
    s = math.sqrt(half_gap * half_gap + h.decay * h.reactivate)
    e1, e2 = math.exp((s - (x + y) * 0.5) * t), math.exp((-s - (x + y) * 0.5) * t)
    cosh = (e1 + e2) * 0.5
    sinh = t * e1 if s * t < 1e-8 else (e1 - e2) / (2.0 * s)
    return Block(cosh - sinh * half_gap, sinh * h.decay, sinh * h.reactivate, cosh + sinh * half_gap)


def _blocks(hazards: MemberHazards, tau: float) -> tuple[Block, Block]:
    """(block over `tau` days, block of a member arriving at a uniform time within them).

    The second is the average of exp(B u) over the time u left, by Simpson's rule:
    (I + 4 exp(B tau/2) + exp(B tau)) / 6.
    """
    half, full = transient_block(hazards, 0.5 * tau), transient_block(hazards, tau)
    arrived = Block(
        (1.0 + 4.0 * half.ee + full.ee) / 6.0,
        (4.0 * half.ed + full.ed) / 6.0,
        (4.0 * half.de + full.de) / 6.0,
        (1.0 + 4.0 * half.dd + full.dd) / 6.0,
    )
    return full, arrived


def plan_day(
    start: tuple[float, float, float, float],
    rates: ChainRates,
    substeps: int,
    *,
    pass_share: float = 1.0,
    awaken: float = 0.0,
) -> DayPlan:
    """Plan a day of `substeps` sub-steps from `start` = (potential, engaged, dormant, gone).

    `pass_share` is the share of arrivals who pass the entry threshold and find room,
    `awaken` today's awakening probability of activities (a reactivation hazard).
    """
    tau, pool = 1.0 / substeps, rates.pool
    first = tuple(float(x) for x in start)
    potential, engaged, dormant, gone = first
    actives, lefts, referrers = [], [], []
    member, joined, total = STILL, Block(0.0, 0.0, 0.0, 0.0), 0.0  # joined: sum over arrivals, weighted by joins
    for _ in range(substeps):
        # predictor: half a sub-step at the terms of its start, newcomers counted as engaged
        a, share_left = _terms(engaged, dormant, gone, pool)
        half = transient_block(rates.hazards(share_left, a, awaken), 0.5 * tau)
        arriving = potential * -math.expm1(-_join(rates, engaged) * 0.5 * tau) * pass_share
        mid_engaged = float(engaged * half.ee + dormant * half.de) + arriving
        mid_dormant = float(engaged * half.ed + dormant * half.dd)
        mid_gone = gone + engaged + dormant - float(engaged * (half.ee + half.ed) + dormant * (half.de + half.dd))
        # the sub-step, at the midpoint's terms
        a, share_left = _terms(mid_engaged, mid_dormant, mid_gone, pool)
        there, arrived = _blocks(rates.hazards(share_left, a, awaken), tau)
        new = potential * -math.expm1(-_join(rates, mid_engaged) * tau) * pass_share
        next_engaged = float(engaged * there.ee + dormant * there.de + new * arrived.ee)
        next_dormant = float(engaged * there.ed + dormant * there.dd + new * arrived.ed)
        gone += engaged + dormant + new - next_engaged - next_dormant
        potential, engaged, dormant = potential - new, next_engaged, next_dormant
        member = compose(member, there)
        joined = Block(*(j + new * x for j, x in zip(compose(joined, there), arrived, strict=True)))
        actives.append(a)
        lefts.append(share_left)
        referrers.append(mid_engaged)
        total += new
    return DayPlan(
        active_shares=tuple(actives),
        left_shares=tuple(lefts),
        referrers=sum(referrers) / substeps,
        member=member,
        newcomer=Block(*(x / total for x in joined)) if total > 0 else STILL,
        start=first,  # type: ignore[arg-type]
        end=(potential, engaged, dormant, gone),
    )


def _join(rates: ChainRates, referrers: float) -> float:
    return rates.external + rates.referral * referrers / rates.pool
