"""The seed-003 data system: per group and per source tables that add up, roll-ups, the four rates."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from helpers import invoke_cli

from sim import CommunityModel, load_scenario
from sim.data_system import DATA_COLUMNS, source_keys
from sim.population import CHANNEL, INITIAL, REFERRAL

SMALL = {"population.potential_pool": 4000}
# with a product on sale, members convert into customers
SELLING = {**SMALL, "monetization.product_price": 30.0, "monetization.buyer_conversion": 0.01}
STOCKS_AND_FLOWS = ["members", "new", "active", "dormant", "joined", "left", "kicked", "went_dormant", "reactivated"]
METRIC_OF = {"left": "left_today", "kicked": "kicked_today"}


def run(name: str, seed: int, days: int, **overrides: object) -> CommunityModel:
    return CommunityModel(load_scenario(name, overrides=dict(overrides)), rng=seed).run(days)


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("baseline", SELLING),
        ("split_150", SMALL),
        ("paid_entry", SMALL),
        ("no_output", {**SMALL, "moderation.ad_policy": "kick", "groups.dead_policy": "dissolve"}),
    ],
)
def test_per_group_and_per_source_tables_add_up_to_the_community_metrics_every_day(name: str, overrides: dict) -> None:
    for seed in (1, 2):
        m = run(name, seed, 90, **overrides)
        metrics = m.metrics().set_index("day")
        community = m.data_system("community").set_index("day")
        for by in ("group", "source"):
            table = m.data_system(by).groupby("day")[[*STOCKS_AND_FLOWS, "conversions", "fission_added"]].sum()
            pd.testing.assert_frame_equal(table, community[table.columns], check_dtype=False)
        for column in STOCKS_AND_FLOWS:
            expected = metrics[METRIC_OF.get(column, column)].to_numpy(dtype=float)
            np.testing.assert_array_equal(community[column].to_numpy(dtype=float), expected, err_msg=column)
        np.testing.assert_array_equal(community["potential"], metrics["potential"])
        np.testing.assert_array_equal(community["fission_added"], metrics["joined_referral"])
        bought = m.people.first_purchase_day
        assert community["conversions"].sum() == np.count_nonzero(bought >= 1)
        assert (m.people.purchases[bought >= 0] >= 1).all() and (bought[m.people.purchases > 0] >= 0).all()


def test_the_rates_and_the_conversion_cycle_follow_their_definitions() -> None:
    m = run("baseline", 3, 120, **SELLING)
    daily = m.data_system("community")
    metrics = m.metrics()
    # at a day's resolution, new and churn rate are the daily metrics' 新增率 and 流失率
    np.testing.assert_allclose(daily["new_rate"], metrics["new_rate"])
    np.testing.assert_allclose(daily["churn_rate"], metrics["churn_rate"])
    monthly = m.data_system("community", "month")
    assert monthly["period"].tolist() == [1, 2, 3, 4] and monthly["day"].tolist() == [30, 60, 90, 120]
    second = monthly.iloc[1]
    days = daily[(daily["day"] > 30) & (daily["day"] <= 60)]
    assert second["members_start"] == daily.loc[daily["day"] == 30, "members"].item()
    assert second["joined"] == days["joined"].sum() and second["members"] == days["members"].iloc[-1]
    assert second["new_rate"] == pytest.approx(days["joined"].sum() / second["members_start"])
    assert second["churn_rate"] == pytest.approx(
        (days["left"].sum() + days["kicked"].sum()) / (second["members_start"] + second["joined"])
    )
    assert second["awakening_rate"] == pytest.approx(
        days["reactivated"].sum() / (second["dormant_start"] + days["went_dormant"].sum())
    )
    prospects = second["members_start"] - daily.loc[daily["day"] == 30, "customers"].item()
    assert second["prospects_start"] == prospects
    assert second["conversion_rate"] == pytest.approx(days["conversions"].sum() / (prospects + second["joined"]))
    # the conversion cycle: days from joining to the first purchase, over the month's converts
    people = m.people
    converts = (people.first_purchase_day > 30) & (people.first_purchase_day <= 60)
    assert converts.sum() == second["conversions"] > 0
    cycle = (people.first_purchase_day[converts] - people.join_day[converts]).mean()
    assert second["conversion_cycle"] == pytest.approx(cycle)


def test_conversion_sources_split_the_converts_by_how_they_came() -> None:
    m = run("baseline", 4, 120, **SELLING)
    by_source = m.data_system("source", "month").groupby("key")["conversions"].sum()
    people = m.people
    for code, name in ((INITIAL, "initial"), (CHANNEL, "channel"), (REFERRAL, "referral")):
        assert by_source[name] == np.count_nonzero((people.first_purchase_day >= 1) & (people.source == code))


def test_fission_is_credited_to_the_source_of_the_inviter() -> None:
    m = run("baseline", 5, 90, **SMALL)
    total = m.data_system("source", "month").groupby("key")["fission_added"].sum()
    people = m.people
    referred = np.flatnonzero((people.source == REFERRAL) & (people.join_day >= 1))
    inviter_source = people.source[people.invited_by[referred]]
    assert total["channel"] == np.count_nonzero(inviter_source == CHANNEL) > 0
    assert total["referral"] == np.count_nonzero(inviter_source == REFERRAL) > 0
    assert total.sum() == referred.size


def test_without_a_product_nobody_converts() -> None:
    m = run("baseline", 1, 60, **SMALL, **{"monetization.product_price": 0.0})
    weekly = m.data_system("group", "week")
    assert weekly["conversions"].sum() == 0 and weekly["customers"].max() == 0
    assert weekly["conversion_cycle"].isna().all()
    assert (weekly["conversion_rate"].dropna() == 0).all()


def test_tables_have_the_documented_columns_and_refuse_unknown_arguments() -> None:
    m = run("baseline", 1, 14, **SMALL)
    assert list(m.data_system()) == list(DATA_COLUMNS)
    assert list(m.data_system("group", "week")) == [c for c in DATA_COLUMNS if c != "potential"]
    weekly = m.data_system("source", "week")
    assert weekly["key"].drop_duplicates().tolist() == ["initial", "channel", "referral", "organic", "ad_account"]
    assert weekly["period"].tolist() == [1] * 5 + [2] * 5
    with pytest.raises(ValueError, match="by: unknown value 'channel'; allowed values: community, group, source"):
        m.data_system("channel")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="period: unknown value 'year'"):
        m.data_system("group", "year")  # type: ignore[arg-type]


def test_named_channels_are_sources_of_their_own_when_the_people_table_has_them() -> None:
    people = SimpleNamespace(
        source=np.array([0, INITIAL, CHANNEL, CHANNEL, REFERRAL, CHANNEL], dtype=np.int8),
        channel=np.array([-1, -1, 1, 2, -1, 0]),
    )
    params = SimpleNamespace(channels=["douyin", "weibo"], channel_names=lambda: ["public", "douyin", "weibo"])
    model = SimpleNamespace(people=people, params=params)
    names, key = source_keys(model, np.arange(6))  # type: ignore[arg-type]
    assert names == ["initial", "channel", "referral", "organic", "ad_account", "public", "douyin", "weibo"]
    assert [names[k] if k >= 0 else None for k in key] == [None, "initial", "douyin", "weibo", "referral", "public"]
    plain = SimpleNamespace(people=SimpleNamespace(source=people.source), params=SimpleNamespace())
    names, key = source_keys(plain, np.arange(6))  # type: ignore[arg-type]
    assert names == ["initial", "channel", "referral", "organic", "ad_account"] and key.tolist() == [-1, 0, 1, 1, 2, 1]


def test_run_writes_data_system_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(
        ["run", "baseline", "--days", "15", "--set", "population.potential_pool=3000", "--out", str(tmp_path)], capsys
    )
    assert code == 0 and "data_system.csv" in out
    data = pd.read_csv(tmp_path / "data_system.csv")
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert list(data) == list(DATA_COLUMNS) and set(data["by"]) == {"community", "group", "source"}
    for by in ("community", "group", "source"):
        assert data[data["by"] == by].groupby("day")["joined"].sum().tolist() == metrics["joined"].tolist()
