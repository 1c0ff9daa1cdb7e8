"""Dates of a run: weekends and festivals change activity and buying; bad dates get one clear line."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from helpers import assert_one_line_error, invoke_cli

from sim import CommunityModel, ScenarioError, load_scenario
from sim.rules.dates import SPRING_FESTIVAL, Festival, day_factors

SEEDS = range(4)


def test_day_factors_combine_the_weekend_and_the_festivals_of_a_date() -> None:
    double_11 = Festival("double_11", -2, 0, 1.1, 4.0)
    assert day_factors(dt.date(2026, 11, 11), 0.8, 1.5, (double_11,)) == pytest.approx((1.1, 4.0))  # a Wednesday
    assert day_factors(dt.date(2026, 11, 8), 0.8, 1.5, (double_11,)) == pytest.approx((0.8, 1.5))  # a Sunday
    assert day_factors(dt.date(2026, 11, 12), 0.8, 1.5, (double_11,)) == (1.0, 1.0)
    spring = Festival("spring_festival", -1, 6, 1.3, 0.5)
    assert spring.holds(SPRING_FESTIVAL[2026]) and spring.holds(dt.date(2026, 2, 16))
    assert not spring.holds(dt.date(2026, 2, 24)) and not spring.holds(dt.date(2026, 3, 1))


def test_a_run_has_dates_only_when_it_is_given_a_start_date() -> None:
    undated = CommunityModel(load_scenario("baseline", overrides={"run.days": 10}))
    assert undated.calendar.date_of(1) is None
    dated = CommunityModel(load_scenario("baseline", overrides={"calendar.start_date": "2026-11-01"}))
    assert dated.calendar.date_of(1) == dt.date(2026, 11, 1)
    assert dated.calendar.date_of(11) == dt.date(2026, 11, 11)


def _run(seed: int, **overrides: object) -> CommunityModel:
    sc = load_scenario("baseline", overrides={"run.days": 60, **overrides})
    return CommunityModel(sc, rng=seed).run()


def test_quiet_weekends_lower_messages_on_saturdays_and_sundays_only() -> None:
    ratios_weekend, ratios_week = [], []
    for seed in SEEDS:
        plain = _run(seed, **{"calendar.start_date": "2026-03-02"}).metrics()  # a Monday, no festival within
        quiet = _run(seed, **{"calendar.start_date": "2026-03-02", "calendar.weekend_activity": 0.5}).metrics()
        weekend = ((plain["day"] - 1) % 7 >= 5).to_numpy()
        first_weekend = weekend & (plain["day"] <= 7).to_numpy()
        ratios_weekend.append(quiet["messages"][first_weekend].sum() / plain["messages"][first_weekend].sum())
        first_week = ~weekend & (plain["day"] <= 5).to_numpy()
        ratios_week.append(quiet["messages"][first_week].sum() / plain["messages"][first_week].sum())
    assert np.mean(ratios_weekend) == pytest.approx(0.5, abs=0.1)
    assert np.mean(ratios_week) == pytest.approx(1.0, abs=0.02)  # weekdays before the first weekend: untouched


def test_double_11_lifts_purchases_in_its_window() -> None:
    sales = {"calendar.start_date": "2026-10-15", "monetization.product_price": 99.0}
    inside, outside = [], []
    for seed in SEEDS:
        df = _run(seed, **sales, **{"monetization.buyer_conversion": 0.01}).metrics()
        dates = [dt.date(2026, 10, 15) + dt.timedelta(days=int(d) - 1) for d in df["day"]]
        window = np.array([dt.date(2026, 11, 9) <= d <= dt.date(2026, 11, 11) for d in dates])
        near = np.array([dt.date(2026, 11, 2) <= d <= dt.date(2026, 11, 8) for d in dates])
        inside.append(df["purchases"][window].mean())
        outside.append(df["purchases"][near].mean())
    assert np.mean(inside) > 2.5 * np.mean(outside)


def test_without_a_start_date_the_run_is_unchanged_by_the_calendar_levers() -> None:
    a = _run(1).metrics()
    b = _run(1, **{"calendar.weekend_activity": 0.3, "calendar.weekend_buying": 3.0}).metrics()
    assert a.equals(b)


def test_dates_outside_the_spring_festival_table_get_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ScenarioError, match="calendar.start_date"):
        load_scenario("baseline", overrides={"calendar.start_date": "2040-01-01"})
    code, _, err = invoke_cli(["run", "baseline", "--set", "calendar.start_date=2041-05-01", "--days", "5"], capsys)
    assert "calendar.start_date" in assert_one_line_error(code, err)
