"""The day step: the member chain's blocks, the day plan and its sub-steps, as pure functions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from sim import CommunityModel, load_scenario
from sim.engines.trend import Trend
from sim.meanfield import Rates, derivatives
from sim.rules import daystep, lifecycle, value
from sim.rules.daystep import ChainRates, auto_substeps, plan_day
from sim.rules.hazards import leave_hazard, satisfaction_multiplier, step_probability
from sim.rules.lifecycle import MemberHazards, compose, day_block, member_hazards, transient_block
from sim.rules.money import purchase_hazard
from sim.rules.value import saturating
from sim.validation import VALIDATION_DIR

H = MemberHazards(leave_engaged=0.07, leave_dormant=0.2, decay=0.3, reactivate=0.45)


def _matrix(h: MemberHazards) -> np.ndarray:
    x, y = h.decay + h.leave_engaged, h.reactivate + h.leave_dormant
    return np.array([[-x, h.decay], [h.reactivate, -y]])


@pytest.mark.parametrize("t", [0.1, 0.5, 1.0, 3.0])
def test_transient_block_is_the_matrix_exponential(t: float) -> None:
    block = transient_block(H, t)
    assert np.allclose(np.array([[block.ee, block.ed], [block.de, block.dd]]), expm(_matrix(H) * t), atol=1e-12)
    assert np.allclose(daystep.transient_block(H, t), block, atol=1e-14)  # the plan's float copy agrees


def test_transient_block_without_switching_is_plain_survival() -> None:
    """decay = reactivate = 0 (s = 0): only leaving, exp(-leave t) on the diagonal."""
    h = MemberHazards(leave_engaged=0.2, leave_dormant=0.5, decay=0.0, reactivate=0.0)
    block = transient_block(h, 2.0)
    assert np.allclose(block, (np.exp(-0.4), 0.0, 0.0, np.exp(-1.0)))


def test_day_of_equal_sub_steps_is_one_step_and_rows_sum_to_at_most_one() -> None:
    assert np.allclose(day_block([H] * 7), transient_block(H, 1.0), atol=1e-12)
    two = MemberHazards(0.01, 0.03, 0.1, 0.2)
    product = compose(transient_block(H, 0.5), transient_block(two, 0.5))
    m = expm(_matrix(H) * 0.5) @ expm(_matrix(two) * 0.5)
    assert np.allclose(day_block([H, two]), (m[0, 0], m[0, 1], m[1, 0], m[1, 1]))
    assert np.allclose(product, day_block([H, two]))
    left, switch = lifecycle.block_probabilities(product, np.array([False, True]))
    assert np.all((left >= 0) & (switch >= 0) & (left + switch <= 1))
    assert np.allclose(left, 1 - np.array([m[0].sum(), m[1].sum()]))


def test_substep_probabilities_with_one_step_are_day_probabilities() -> None:
    dormant = np.array([False, True, False])
    h = member_hazards(
        np.array([0.5, 1.0, 2.0]),
        np.array([1.0, 2.0, 0.5]),
        np.zeros(3),
        feedback=True,
        base_rate=0.01,
        peer_rate=0.1,
        left_share=0.2,
        dormant_multiplier=3.0,
        decay_rate=0.1,
        reactivation_rate=0.05,
        peer_reactivation_rate=0.2,
        active_share=0.6,
        awaken=0.0,
    )
    one = lifecycle.substep_probabilities([h], dormant)
    assert np.allclose(one, lifecycle.day_probabilities(h, dormant))
    assert np.allclose(lifecycle.substep_probabilities([h] * 4, dormant), one)  # constant terms: same day


@pytest.mark.parametrize("scale", [1e-12, 1e-3, 0.5])  # 1e-12: sinh(s t)/s is taken as t
@pytest.mark.parametrize("t", [1.0, 0.25])
def test_members_arrays_get_exactly_the_one_member_blocks(scale: float, t: float) -> None:
    # arrays of members run an in-place form of the matrix exponential: not one bit may differ
    rng = np.random.default_rng(3)
    h = MemberHazards(*(rng.random(50) * scale for _ in range(4)))
    dormant = rng.random(50) < 0.4
    arrays = (*lifecycle.day_probabilities(h, dormant, t), *transient_block(h, t))
    for i in range(50):
        one = MemberHazards(*(float(a[i]) for a in h))
        alone = (*lifecycle.day_probabilities(one, bool(dormant[i]), t), *transient_block(one, t))
        assert [float(a[i]) for a in arrays] == [float(a) for a in alone]


def test_arrays_of_members_get_exactly_the_one_member_multiplier_probability_tie_value_and_move() -> None:
    # arrays are computed in place: the same bits as one member at a time
    rng = np.random.default_rng(5)
    s, h = rng.normal(0.2, 1.5, 200), rng.exponential(0.5, 200)
    s_before, h_before = s.copy(), h.copy()
    multiplier, probability = satisfaction_multiplier(s, 0.3, 2.0), step_probability(h)
    assert multiplier.tolist() == [float(satisfaction_multiplier(float(x), 0.3, 2.0)) for x in s]
    assert probability.tolist() == [float(step_probability(float(x))) for x in h]
    assert np.array_equal(s, s_before) and np.array_equal(h, h_before)  # the inputs are left alone
    m, patience, commitment = rng.random(200) + 0.1, rng.random(200) + 0.5, rng.random(200)
    assert leave_hazard(0.01, 0.2, 0.3, m, patience, commitment).tolist() == [
        float(leave_hazard(0.01, 0.2, 0.3, float(a), float(b), float(c)))
        for a, b, c in zip(m, patience, commitment, strict=True)
    ]
    bought, wtp = rng.random(200) < 0.3, rng.lognormal(3.0, 1.0, 200)
    assert purchase_hazard(bought, m, commitment, wtp, price=30.0, conversion=0.01, repurchase=0.05).tolist() == [
        float(purchase_hazard(bool(b), float(x), float(i), float(w), price=30.0, conversion=0.01, repurchase=0.05))
        for b, x, i, w in zip(bought, m, commitment, wtp, strict=True)
    ]
    satisfaction, today, refresh = rng.normal(0, 1, 200), rng.normal(0, 1, 200), rng.random(200) * 0.3
    assert value.update_satisfaction(satisfaction, today, 7.0).tolist() == [
        float(value.update_satisfaction(float(a), float(b), 7.0)) for a, b in zip(satisfaction, today, strict=True)
    ]
    assert value.decay_novelty(commitment, 0.05, refresh).tolist() == [
        float(value.decay_novelty(float(a), 0.05, float(r))) for a, r in zip(commitment, refresh, strict=True)
    ]
    ties, crowd = rng.exponential(3.0, 200), rng.random(200)
    assert value.grow_ties(ties, m, 0.05, crowd, 0.01).tolist() == [
        float(value.grow_ties(float(t), float(x), 0.05, float(c), 0.01)) for t, x, c in zip(ties, m, crowd, strict=True)
    ]
    assert saturating(ties, 2.5).tolist() == [float(saturating(float(x), 2.5)) for x in ties]
    u, left, switch = rng.random(200), rng.random(200) * 0.4, rng.random(200) * 0.4
    assert lifecycle.day_move(u, left, switch).tolist() == [
        int(lifecycle.day_move(float(a), float(b), float(c))) for a, b, c in zip(u, left, switch, strict=True)
    ]


def test_the_value_of_members_from_their_groups_part_is_exactly_the_value_of_each_alone() -> None:
    rng = np.random.default_rng(6)
    n, groups = 300, 7
    g = rng.integers(0, groups, n)
    content, chat, culture, annoy = (rng.random(groups) for _ in range(4))
    interest, ties, novelty = rng.random(n), rng.exponential(2.0, n), rng.random(n)
    exposure = np.where(rng.random(n) < 0.3, 0.4, 1.0)
    weights, floor, saturation = (0.5, 0.3, 0.2), 0.2, 3.0
    shared, culture_factor = value.group_value(content, chat, culture, weights)
    members = value.member_value(
        interest, shared[g], ties, culture_factor[g], novelty, annoy[g], exposure, weights[2], floor, saturation
    )
    alone = [
        float(value.daily_value(*(float(a) for a in args), weights, floor, saturation))
        for args in zip(interest, content[g], chat[g], ties, culture[g], novelty, annoy[g], exposure, strict=True)
    ]
    assert members.tolist() == alone


def test_chain_rates_hazards_are_the_member_hazards_with_feedback_off() -> None:
    rates = ChainRates(1000.0, 0.01, 0.2, 0.02, 0.3, 3.0, 0.1, 0.05, 0.4)
    mine = rates.hazards(0.2, 0.7, 0.1)
    theirs = member_hazards(
        1.0,
        1.0,
        0.0,
        feedback=False,
        base_rate=0.02,
        peer_rate=0.3,
        left_share=0.2,
        dormant_multiplier=3.0,
        decay_rate=0.1,
        reactivation_rate=0.05,
        peer_reactivation_rate=0.4,
        active_share=0.7,
        awaken=0.1,
    )
    assert np.allclose(mine, theirs)


@pytest.mark.parametrize(
    "largest, expected", [(0.0, 1), (0.01, 1), (0.05, 1), (0.051, 2), (0.35, 7), (0.5, 10), (2.0, 40), (1e6, 100)]
)
def test_auto_substeps_follow_the_largest_rate(largest: float, expected: int) -> None:
    assert auto_substeps(largest) == expected


def test_largest_rate_counts_dormant_leaving_only_when_members_go_dormant() -> None:
    irsir = ChainRates(1000.0, 0.0, 0.35, 0.0, 0.2, 3.0, 0.0, 0.0, 0.0)
    assert irsir.largest == 0.35
    assert ChainRates(1000.0, 0.0, 0.35, 0.0, 0.2, 3.0, 0.01, 0.0, 0.0).largest == pytest.approx(0.6)


def _ode_day(rates: ChainRates, start: tuple[float, float, float, float]) -> np.ndarray:
    r = Rates(
        pool=rates.pool,
        external=rates.external,
        referral=rates.referral,
        decay=rates.decay,
        reactivation=rates.reactivation,
        peer_reactivation=rates.peer_reactivation,
        base_leave=rates.base_leave,
        peer_leave=rates.peer_leave,
        dormant_multiplier=rates.dormant_multiplier,
    )
    y0 = np.array(start, dtype=float)
    sol = solve_ivp(lambda _t, y: derivatives(y, r), (0, 1), y0, rtol=1e-12, atol=1e-12, method="LSODA")
    return sol.y[:, -1]


@pytest.mark.parametrize(
    "rates, start",
    [
        (ChainRates(10_000.0, 0.05, 0.5, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0), (6000, 4000, 0, 0)),  # Bass
        (ChainRates(10_000.0, 0.0, 0.5, 0.0, 0.45, 3.0, 0.0, 0.0, 0.0), (6000, 2500, 0, 1500)),  # irSIR
        (ChainRates(10_000.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.5, 0.1, 0.5), (0, 10_000, 0, 0)),  # active-dormant
        (ChainRates(10_000.0, 0.02, 0.3, 0.05, 0.2, 2.0, 0.2, 0.05, 0.3), (5000, 2000, 1000, 2000)),  # all terms
    ],
)
def test_one_planned_day_converges_to_the_ode_day_at_second_order(rates: ChainRates, start: tuple) -> None:
    exact = _ode_day(rates, start)
    errors = [np.abs(np.array(plan_day(start, rates, k).end) - exact).max() for k in (1, 2, 4, 8)]
    assert errors[-1] < 1.0  # persons a day, out of 10 000
    for coarse, fine in zip(errors, errors[1:], strict=False):
        assert fine < coarse / 3  # halving the sub-step cuts the error about fourfold


def test_the_plan_conserves_people_and_its_blocks_are_the_members_moves() -> None:
    rates = ChainRates(10_000.0, 0.02, 0.3, 0.05, 0.2, 2.0, 0.2, 0.05, 0.3)
    start = (5000.0, 2000.0, 1000.0, 2000.0)
    plan = plan_day(start, rates, 5)
    assert sum(plan.end) == pytest.approx(sum(start))
    assert len(plan.active_shares) == len(plan.left_shares) == 5
    joined = start[0] - plan.end[0]
    member, newcomer = plan.member, plan.newcomer
    engaged = start[1] * member.ee + start[2] * member.de + joined * newcomer.ee
    dormant = start[1] * member.ed + start[2] * member.dd + joined * newcomer.ed
    assert (engaged, dormant) == pytest.approx(plan.end[1:3], rel=1e-9)
    changes = plan.changes
    assert changes[2] == pytest.approx(plan.end[3] - start[3]) and changes[2] > 0


def test_with_constant_terms_the_plan_is_the_exact_chain() -> None:
    """No peer terms: the hazards do not depend on the counts, so any K gives exp(B)."""
    rates = ChainRates(1000.0, 0.0, 0.0, 0.1, 0.0, 2.0, 0.3, 0.2, 0.0)
    exact = transient_block(rates.hazards(0.0, 0.0, 0.0), 1.0)
    for k in (1, 3):
        assert np.allclose(plan_day((0, 600, 400, 0), rates, k).member, exact, atol=1e-12)


def test_trend_starts_day_one_from_the_chain_not_from_zero() -> None:
    sc = load_scenario(
        VALIDATION_DIR / "active_dormant.toml", overrides={"dynamics.value_feedback": True, "activity.decay_rate": 0.25}
    )
    trend = Trend.of(sc)
    assert trend.substeps == 1  # feedback on: automatic is one step a day
    trend.begin(0, 5000, 0, 0.0)
    assert trend.engaged_change < -0.2 * 5000 * 0.8  # about a fifth of the engaged lapse on day 1
    actives, _ = trend.terms(5000, 5000, 0)
    assert 0.85 < actives[0] < 0.92  # mid-day active share, not 1


def test_substeps_is_a_lever_and_auto_follows_the_rates() -> None:
    sc = load_scenario(VALIDATION_DIR / "irsir.toml", overrides={"acquisition.referral_rate": 0.35})
    assert Trend.of(sc).substeps == 7
    one = CommunityModel(load_scenario(VALIDATION_DIR / "irsir.toml", overrides={"dynamics.substeps": 1}), rng=1)
    auto = CommunityModel(load_scenario(VALIDATION_DIR / "irsir.toml"), rng=1)
    assert one.trend.substeps == 1 and auto.trend.substeps == 4
    a, b = one.run(30).metrics(), auto.run(30).metrics()
    assert not a["members"].equals(b["members"])


def test_sub_steps_with_feedback_on_refine_numerics_only() -> None:
    """At the baseline's slow rates, four sub-steps a day change the full model by no more than noise."""
    over = {"population.potential_pool": 2000, "population.initial_members": 60, "run.days": 60}
    finals = {}
    for k in (1, 4):
        sc = load_scenario(VALIDATION_DIR.parent / "baseline.toml", overrides={**over, "dynamics.substeps": k})
        runs = [CommunityModel(sc, rng=s).run() for s in range(8)]
        assert all(m.trend.substeps == k for m in runs)
        finals[k] = np.array([m.metrics()["members"].iloc[-1] for m in runs], dtype=float)
    se = np.sqrt(finals[1].var(ddof=1) / 8 + finals[4].var(ddof=1) / 8)
    assert abs(finals[1].mean() - finals[4].mean()) < 4 * se, finals


def test_agents_engine_follows_the_day_plan_too() -> None:
    over = {"population.potential_pool": 600, "run.days": 40, "acquisition.referral_rate": 0.4, "churn.peer_rate": 0.2}
    sc = load_scenario(VALIDATION_DIR / "irsir.toml", overrides={**over, "population.initial_members": 30})
    finals = {
        engine: [CommunityModel(sc, rng=s, engine=engine).run().metrics()["left"].iloc[-1] for s in range(8)]
        for engine in ("vectorized", "agents")
    }
    v, a = np.array(finals["vectorized"]), np.array(finals["agents"])
    se = np.sqrt(v.var(ddof=1) / v.size + a.var(ddof=1) / a.size)
    assert abs(v.mean() - a.mean()) < 4 * se + 1, finals
