"""Activities: money that buys lift with diminishing returns, and habituation that wears repeated activities out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.rules.activities import DEFAULTS, effect, habituate, money_response, recover
from tests.helpers import run_preset

RED_PACKET = [{"kind": "red_packet", "every": 7, "start": 7}]
SEEDS = range(4)


def test_money_response_is_one_at_the_reference_zero_without_money_and_concave() -> None:
    assert money_response(50, 50, 20) == pytest.approx(1.0)
    assert money_response(0, 50, 20) == 0.0
    r5, r50, r500 = money_response(5, 50, 20), money_response(50, 50, 20), money_response(500, 50, 20)
    assert r5 < r50 < r500 < 10 * r50  # more money lifts more, ten times the money much less than ten times
    assert (r500 - r50) / 450 < (r50 - r5) / 45  # each extra unit of money buys less


def test_a_larger_red_packet_scales_lift_and_awaken_but_other_kinds_ignore_their_money() -> None:
    small, big = effect("red_packet", money=50), effect("red_packet", money=500)
    assert small.lift == DEFAULTS["red_packet"].lift
    assert big.lift > small.lift and big.awaken > small.awaken
    assert effect("meetup", money=3000).lift == DEFAULTS["meetup"].lift  # a venue's cost is not a payout


def test_habituation_accumulates_with_repetition_and_recovers_with_rest() -> None:
    h1 = habituate(0.0, 0.4)
    h2 = habituate(h1, 0.4)
    assert h1 == pytest.approx(0.4) and h2 == pytest.approx(0.64)
    assert recover(h2, 14, 14) == pytest.approx(h2 / math.e)
    assert recover(h2, 0, 14) == h2 and recover(0.0, 30, 14) == 0.0


def _packet_days(seed: int, **activity: object) -> tuple[np.ndarray, np.ndarray]:
    """The activity lift and messages on the first day of each red packet (a 120-day baseline run)."""
    m = run_preset("baseline", seed, days=120, activities=[{**RED_PACKET[0], **activity}])
    df = m.metrics()
    days = df[df["activity_lift"] > 0]
    return days["activity_lift"].to_numpy(), days["messages"].to_numpy()


def test_larger_red_packets_lift_activity_more_with_diminishing_returns() -> None:
    gains_small, gains_big = [], []
    for seed in SEEDS:
        base = run_preset("baseline", seed, days=120, activities=[]).metrics()["messages"].to_numpy()
        for money, gains in ((50, gains_small), (500, gains_big)):
            m = run_preset("baseline", seed, days=120, activities=[{**RED_PACKET[0], "money": money}])
            df = m.metrics()
            on = df["activity_lift"].to_numpy() > 0
            gains.append(float((df["messages"].to_numpy()[on] - base[on]).mean()))
    small, big = np.mean(gains_small), np.mean(gains_big)
    assert small > 0
    assert big > 1.3 * small  # more money, more activity
    assert big < 10 * small  # ten times the money buys far less than ten times the extra messages


def test_habituation_shrinks_the_lift_of_a_repeated_activity_and_rest_restores_it() -> None:
    lifts, _ = _packet_days(0, habituation=0.5, recovery_days=30)
    assert lifts[0] == pytest.approx(DEFAULTS["red_packet"].lift)
    assert np.all(np.diff(lifts[:6]) < 0)  # weekly packets wear out
    rested, _ = _packet_days(0, every=60, habituation=0.5, recovery_days=10)
    assert rested[1] > 0.95 * rested[0]  # two months apart, the second packet works almost as well
    plain, _ = _packet_days(0)
    assert np.allclose(plain, plain[0])  # without habituation every packet lifts alike


def test_habituated_weekly_packets_buy_fewer_messages_over_a_run() -> None:
    fresh, tired = [], []
    for seed in SEEDS:
        fresh.append(_packet_days(seed)[1].sum())
        tired.append(_packet_days(seed, habituation=0.5, recovery_days=30)[1].sum())
    assert np.mean(tired) < 0.9 * np.mean(fresh)
