"""The mean-field ODE of the reduced family: the model with its value feedback switched off.

With `dynamics.value_feedback = false`, free entry and no promotions, kicks or activity
awakenings, every hazard of the model depends only on the counts of people by stage,
and the expected counts follow

    dS/dt = -h S                                  h = p + c/M + q' A/M
    dA/dt =  h S - g A + k D - l A                k = r + b a,  a = A / (A + D)
    dD/dt =  g A - k D - m l D                    l = base + v L/M
    dL/dt =  l (A + m D)

S potential, A engaged (new + active), D dormant, L left; M the pool, p the external
rate, c the channel inflow per day, q' = q (1 + referral incentive), g decay, r and b
spontaneous and peer reactivation, v the contagious leave rate, m the dormant leave
multiplier. Special cases: Bass 1969 (g = l = 0), irSIR (Cannarella & Spechler 2014:
p = c = g = base = 0, then I = A and R = L), active-dormant (Ribeiro 2014: no inflow
or leaving, da/dt = (r + b a)(1 - a) - g a).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from sim.scenario.schema import Scenario


class OutsideFamilyError(ValueError):
    """The scenario has a mechanism the mean-field ODE does not describe."""


@dataclass(frozen=True)
class Rates:
    """The parameters of the reduced family, per day."""

    pool: float
    external: float
    referral: float
    decay: float
    reactivation: float
    peer_reactivation: float
    base_leave: float
    peer_leave: float
    dormant_multiplier: float

    @classmethod
    def of(cls, sc: Scenario) -> Rates:
        """Read the rates of a scenario in the family (see `check_family`)."""
        check_family(sc)
        acq, pool = sc.acquisition, float(sc.population.potential_pool)
        return cls(
            pool=pool,
            external=acq.external_rate + sc.channel_inflow() / pool,
            referral=acq.referral_rate * acq.referral_multiplier(),
            decay=sc.activity.decay_rate,
            reactivation=sc.activity.reactivation_rate,
            peer_reactivation=sc.activity.peer_reactivation_rate,
            base_leave=sc.churn.base_rate,
            peer_leave=sc.churn.peer_rate,
            dormant_multiplier=sc.churn.dormant_multiplier,
        )


def family_violations(sc: Scenario) -> list[str]:
    """List what keeps a scenario out of the reduced family, one 'key = value (needs ...)' each."""
    out = []
    if sc.dynamics.value_feedback:
        out.append("dynamics.value_feedback = true (needs false)")
    if sc.entry.threshold != "free":
        out.append(f"entry.threshold = '{sc.entry.threshold}' (needs 'free')")
    if sc.kol.cultivation_rate > 0:
        out.append(f"kol.cultivation_rate = {sc.kol.cultivation_rate} (needs 0: promotions remove members)")
    if sc.moderation.false_positive_rate > 0 and sc.moderation.ad_policy != "tolerate":
        out.append(f"moderation.false_positive_rate = {sc.moderation.false_positive_rate} (needs 0: kicks)")
    if sc.activities:
        out.append(f"activities has {len(sc.activities)} entries (needs none: activities wake dormant members)")
    if sc.groups.split_policy == "none" and sc.groups.capacity < sc.population.potential_pool:
        out.append("groups.split_policy = 'none' with groups.capacity below the pool (newcomers would be refused)")
    return out


def check_family(sc: Scenario) -> None:
    """Raise `OutsideFamilyError` naming every key that keeps `sc` out of the family."""
    problems = family_violations(sc)
    if problems:
        raise OutsideFamilyError("scenario is outside the mean-field family: " + "; ".join(problems))


def derivatives(state: np.ndarray, r: Rates) -> np.ndarray:
    """d(S, A, D, L)/dt of the reduced family."""
    s, a_, d, left = state
    members = a_ + d
    active_share = a_ / members if members > 0 else 0.0
    join = r.external + r.referral * a_ / r.pool
    back = r.reactivation + r.peer_reactivation * active_share
    leave = r.base_leave + r.peer_leave * left / r.pool
    return np.array(
        [
            -join * s,
            join * s - r.decay * a_ + back * d - leave * a_,
            r.decay * a_ - back * d - r.dormant_multiplier * leave * d,
            leave * (a_ + r.dormant_multiplier * d),
        ]
    )


def solve(sc: Scenario, days: int | None = None, points_per_day: int = 1) -> pd.DataFrame:
    """Integrate the expected counts by stage from day 0 to `days`, from the scenario's initial state.

    Columns: day (fractional when points_per_day > 1), potential, engaged, dormant,
    left, members, active_share.
    """
    rates = Rates.of(sc)
    days = sc.run.days if days is None else days
    pop = sc.population
    y0 = np.array(
        [pop.potential_pool - pop.initial_members - pop.initial_left, pop.initial_members, 0.0, pop.initial_left],
        dtype=float,
    )
    t = np.linspace(0.0, float(days), days * points_per_day + 1)
    sol = solve_ivp(
        lambda _t, y: derivatives(y, rates), (0.0, float(days)), y0, t_eval=t, method="LSODA", rtol=1e-9, atol=1e-9
    )
    if not sol.success:  # pragma: no cover - LSODA on this smooth system does not fail
        raise RuntimeError(f"mean-field ODE failed: {sol.message}")
    s, a_, d, left = sol.y
    members = a_ + d
    return pd.DataFrame(
        {
            "day": t if points_per_day > 1 else t.astype(int),
            "potential": s,
            "engaged": a_,
            "dormant": d,
            "left": left,
            "members": members,
            "active_share": np.divide(a_, members, out=np.zeros_like(a_), where=members > 0),
        }
    )


def bass_closed_form(p: float, q: float, t: np.ndarray) -> np.ndarray:
    """Bass (1969) share of adopters: F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1.0 - e) / (1.0 + (q / p) * e)


def active_share_equilibrium(reactivation: float, peer: float, decay: float) -> float:
    """Long-run active share of (r + b a)(1 - a) = g a, the stable root in [0, 1].

    With r = 0 there is a threshold at b = g: a* = 1 - g/b above it, 0 below.
    """
    if reactivation == 0:
        return max(0.0, 1.0 - decay / peer) if peer > 0 else 0.0
    # b a^2 + (g + r - b) a - r = 0
    b_, c_ = decay + reactivation - peer, -reactivation
    if peer == 0:
        return reactivation / (reactivation + decay)
    return (-b_ + np.sqrt(b_**2 - 4 * peer * c_)) / (2 * peer)
