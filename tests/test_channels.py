"""Acquisition channels, referral rewards and the task's posters: money buys arrivals and invitations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import CommunityModel, load_scenario
from sim.channel_metrics import CHANNEL_COLUMNS
from sim.report.cost_effect import cost_effectiveness
from sim.rules.channels import channel_reach, referral_multiplier
from tests.helpers import assert_one_line_error, invoke_cli

SEEDS = range(4)
SMALL = {
    "population.potential_pool": 4000,
    "population.initial_members": 60,
    "acquisition.channel_inflow_per_day": 0,
    "run.days": 40,
}
TWO_CHANNELS = """
extends = "baseline"

[[channels]]
name = "douyin"
daily_spend = {spend}
cost_per_arrival = 4
saturation = 40
interest_mean = 0.25
wtp_mean = 20

[[channels]]
name = "gongzhonghao"
daily_volume = 8
cost_per_arrival = 10
interest_mean = 0.8
wtp_mean = 200
"""


def _model(tmp_path: Path, body: str, seed: int, **overrides: object) -> CommunityModel:
    path = tmp_path / f"s{abs(hash(body)) % 10**8}.toml"
    path.write_text(body, encoding="utf-8")
    sc = load_scenario(path, overrides={**SMALL, **overrides})
    return CommunityModel(sc, rng=seed).run(sc.run.days)


# ---------------------------------------------------------------- rules


def test_spend_buys_arrivals_at_the_price_then_with_diminishing_returns() -> None:
    assert channel_reach(100.0, 5.0, None) == pytest.approx(20.0)
    assert channel_reach(0.0, 5.0, 30.0) == 0.0
    small = channel_reach(1.0, 5.0, 30.0)
    assert small == pytest.approx(0.2, rel=0.01)  # the first arrivals cost the price
    reach = [channel_reach(s, 5.0, 30.0) for s in (100.0, 200.0, 400.0, 10_000.0)]
    assert all(b > a for a, b in zip(reach, reach[1:], strict=False))
    assert reach[1] - reach[0] > reach[2] - reach[1] > 0  # each extra 100 buys fewer than the one before
    assert reach[-1] <= 30.0 and reach[-1] == pytest.approx(30.0, rel=1e-6)
    with pytest.raises(ValueError):
        channel_reach(10.0, 0.0, None)


def test_referral_reward_raises_the_referral_rate_with_diminishing_returns() -> None:
    assert referral_multiplier(0.5, 0.0, 0.5, 10.0) == 1.5  # no reward: the incentive alone, exactly
    lifts = [referral_multiplier(0.0, r, 0.5, 10.0) for r in (5.0, 10.0, 20.0, 40.0)]
    assert all(b > a for a, b in zip(lifts, lifts[1:], strict=False))
    gains = np.diff(lifts)
    assert gains[-1] < 2 * gains[0]  # doubling steps of the reward buy about the same: log response
    assert referral_multiplier(0.0, 10.0, 0.5, 10.0) == pytest.approx(1 + 0.5 * math.log(2))


# ---------------------------------------------------------------- model


def test_spend_on_a_channel_buys_arrivals_of_its_quality(tmp_path: Path) -> None:
    joined = {100: [], 400: []}
    for seed in SEEDS:
        for spend in joined:
            m = _model(tmp_path, TWO_CHANNELS.format(spend=spend), seed)
            p = m.people
            douyin = (p.channel == 1) & (p.join_day >= 1)
            gzh = (p.channel == 2) & (p.join_day >= 1)
            joined[spend].append(int(douyin.sum()))
            # each channel brings people of its own distribution
            assert p.interest[douyin].mean() == pytest.approx(0.25, abs=0.04)
            assert p.interest[gzh].mean() == pytest.approx(0.8, abs=0.05)
            assert np.median(p.wtp[gzh]) > 4 * np.median(p.wtp[douyin])
            table = m.channel_table()
            whole = table[(table["cohort_first_day"] == 1) & (table["cohort_last_day"] == 40)]
            assert whole["cost"].sum() == pytest.approx(m.summary()["acquisition_cost_total"])
            assert whole.set_index("channel").loc["douyin", "cost"] == pytest.approx(spend * 40)
    low, high = np.mean(joined[100]), np.mean(joined[400])
    expected = channel_reach(400, 4, 40) / channel_reach(100, 4, 40)  # 1.85: less than 4x for 4x the money
    assert high / low == pytest.approx(expected, rel=0.2)
    assert all(h > lo for h, lo in zip(joined[400], joined[100], strict=True))


def test_a_channel_of_interested_people_keeps_them_longer(tmp_path: Path) -> None:
    kept = {1: [], 2: []}
    for seed in SEEDS:
        m = _model(tmp_path, TWO_CHANNELS.format(spend=200), seed, **{"run.days": 60})
        table = m.channel_table()
        whole = table[(table["cohort_first_day"] == 1) & (table["cohort_last_day"] == 60)].set_index("channel")
        kept[1].append(whole.loc["douyin", "members_end"] / whole.loc["douyin", "joined"])
        kept[2].append(whole.loc["gongzhonghao", "members_end"] / whole.loc["gongzhonghao", "joined"])
    assert np.mean(kept[2]) > np.mean(kept[1]) + 0.05


@pytest.mark.parametrize("network", [False, True])
def test_a_referral_reward_raises_referral_joins(network: bool) -> None:
    over = {**SMALL, "acquisition.channel_inflow_per_day": 5}
    if network:
        over |= {"network.source": "communities"}
    joins, costs = {0.0: [], 30.0: []}, {0.0: [], 30.0: []}
    for seed in SEEDS:
        for reward in joins:
            sc = load_scenario("baseline", overrides={**over, "acquisition.referral_reward": reward})
            m = CommunityModel(sc, rng=seed).run(40)
            df = m.metrics()
            joins[reward].append(int(df["joined_referral"].sum()))
            costs[reward].append(float(df["acquisition_cost"].sum()))
    assert np.mean(joins[30.0]) > 1.2 * np.mean(joins[0.0])
    assert sum(h > lo for h, lo in zip(joins[30.0], joins[0.0], strict=True)) >= 3
    assert costs[0.0] == [0.0] * len(SEEDS)
    assert costs[30.0] == [30.0 * j for j in joins[30.0]]


@pytest.mark.parametrize("network", [False, True])
def test_the_entry_tasks_poster_brings_referrals(network: bool) -> None:
    over = {**SMALL, "acquisition.channel_inflow_per_day": 10, "entry.threshold": "task", "entry.task_effort": 0.2}
    if network:
        over |= {"network.source": "communities"}
    joins = {0.0: [], 1.5: []}
    for seed in SEEDS:
        for posters in joins:
            sc = load_scenario("baseline", overrides={**over, "entry.poster_invitations": posters})
            m = CommunityModel(sc, rng=seed).run(40)
            joins[posters].append(int(m.metrics()["joined_referral"].sum()))
    assert np.mean(joins[1.5]) > 1.2 * np.mean(joins[0.0])


def test_default_channel_is_the_free_inflow(tmp_path: Path) -> None:
    sc = load_scenario("baseline", overrides={**SMALL, "acquisition.channel_inflow_per_day": 20})
    m = CommunityModel(sc, rng=2).run(20)
    p = m.people
    joined = p.join_day >= 1
    from sim.population import CHANNEL

    assert np.array_equal(p.channel[joined] == 0, p.source[joined] == CHANNEL)
    assert m.summary()["acquisition_cost_total"] == 0.0
    assert {mem.channel for mem in m.members if mem.source == "channel"} == {"public"}


def test_run_writes_channels_csv(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "two.toml"
    path.write_text(TWO_CHANNELS.format(spend=100), encoding="utf-8")
    small = ["--set", "population.potential_pool=3000", "--set", "population.initial_members=50"]
    code, out, err = invoke_cli(["run", str(path), "--days", "30", *small, "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    table = pd.read_csv(tmp_path / "out" / "channels.csv", keep_default_na=False)
    assert tuple(table.columns) == CHANNEL_COLUMNS
    assert {"public", "douyin", "gongzhonghao"} <= set(table["channel"])
    assert {"channel", "referral", "organic"} == set(table["source"])
    assert "channels.csv" in out


BAD_CHANNELS = [
    ('name = "a"\ndaily_spend = 10\ndaily_volume = 5\ncost_per_arrival = 1', ["channels[0]", "exactly one"]),
    ('name = "a"\ncost_per_arrival = 1', ["channels[0]", "exactly one"]),
    ('name = "a"\ndaily_spend = 10', ["channels[0]", "cost_per_arrival >= 0.01"]),
    ('name = "a"\ndaily_volume = 10\nsaturation = 5', ["channels[0]", "saturation"]),
    ('name = "a"\ndaily_volume = -1', ["channels[0].daily_volume", ">= 0"]),
    ('name = "a"\ndaily_volume = 1\ninterest_mean = 1.5', ["channels[0].interest_mean", "<= 0.99"]),
    ('name = "a"\ndialy_volume = 1', ["channels[0].dialy_volume", "daily_volume"]),
    ('name = "public"\ndaily_volume = 1', ["public", "free inflow"]),
    ('name = ""\ndaily_volume = 1', ["channels[0].name"]),
]


@pytest.mark.parametrize(("body", "words"), BAD_CHANNELS)
def test_bad_channel_definitions_are_one_line_errors(
    body: str, words: list[str], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'extends = "baseline"\n\n[[channels]]\n{body}\n', encoding="utf-8")
    code, _, err = invoke_cli(["run", str(path), "--days", "1", "--out", str(tmp_path / "out")], capsys)
    line = assert_one_line_error(code, err)
    for word in words:
        assert word in line, line


def test_channels_cannot_be_set_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args = ["run", "baseline", "--days", "1", "--set", "channels.daily_spend=5", "--out", str(tmp_path)]
    code, _, err = invoke_cli(args, capsys)
    assert "array of tables" in assert_one_line_error(code, err)


def test_twice_the_same_channel_name_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    entry = '[[channels]]\nname = "weibo"\ndaily_volume = 1\n'
    path = tmp_path / "twice.toml"
    path.write_text(f'extends = "baseline"\n\n{entry}\n{entry}', encoding="utf-8")
    code, _, err = invoke_cli(["run", str(path), "--days", "1", "--out", str(tmp_path / "out")], capsys)
    assert "given twice" in assert_one_line_error(code, err)


# ---------------------------------------------------------------- cost-effectiveness


def _runs(costs: dict[int, list[float]], members: dict[int, list[float]]) -> pd.DataFrame:
    rows = []
    for index in costs:
        for r, (c, n) in enumerate(zip(costs[index], members[index], strict=True)):
            rows.append(
                {
                    "scenario_index": index,
                    "replicate": r,
                    "operator_cost_total": c,
                    "final_members": n,
                    "final_active": n / 2,
                }
            )
    return pd.DataFrame(rows)


def test_cost_per_extra_member_is_paired_with_an_interval() -> None:
    ref_cost, ref_members = [1000.0, 1100.0, 900.0, 1050.0], [500.0, 520.0, 480.0, 510.0]
    runs = _runs(
        {0: ref_cost, 1: [c + 2000 for c in ref_cost], 2: [c + 500 for c in ref_cost]},
        {0: ref_members, 1: [n + d for n, d in zip(ref_members, [90, 110, 100, 100], strict=True)], 2: ref_members},
    )
    table = cost_effectiveness(runs, ["ref", "channels", "nothing"]).set_index(["scenario", "effect"])
    row = table.loc[("channels", "final_members")]
    assert row["cost_per_extra"] == pytest.approx(20.0)  # 2000 more for 100 more members
    assert row["ci_low"] <= 20.0 <= row["ci_high"] and row["ci_high"] - row["ci_low"] < 10
    assert table.loc[("channels", "final_active"), "cost_per_extra"] == pytest.approx(40.0)
    assert table.loc[("nothing", "final_members"), "verdict"].startswith("dominated")
    assert math.isnan(table.loc[("nothing", "final_members"), "cost_per_extra"])
