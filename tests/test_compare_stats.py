"""The statistics and words of a comparison report, on numbers whose answer is known."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import load_scenario
from sim.report.kpi_stats import kpi_table, paired_difference, significance_mark, spread
from sim.report.scenario_diff import changed_keys
from sim.report.wording import change_phrase, scenario_line

ROOT_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture(autouse=True)
def no_warnings() -> Iterator[None]:
    """Edge cases (identical runs, constant differences, NaN) must not warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_paired_difference_is_the_paired_t_test_and_its_interval() -> None:
    rng = np.random.default_rng(3)
    ref = rng.normal(100, 10, 30)
    x = ref + rng.normal(2, 3, 30)
    d = paired_difference(x, ref)
    result = stats.ttest_rel(x, ref)
    half = stats.t.ppf(0.975, 29) * np.std(x - ref, ddof=1) / math.sqrt(30)
    assert d.n == 30 and d.mean == pytest.approx(np.mean(x - ref))
    assert d.p_value == pytest.approx(result.pvalue)
    assert (d.ci_low, d.ci_high) == pytest.approx((d.mean - half, d.mean + half))
    assert (d.ci_low > 0) == (d.p_value < 0.05)  # the interval and the test agree


def test_undefined_values_drop_their_pair() -> None:
    x = np.array([1.0, 2.0, np.nan, 4.0, 5.0])
    ref = np.array([0.5, np.nan, 3.0, 3.0, 4.5])
    d = paired_difference(x, ref)
    assert d.n == 3 and d.mean == pytest.approx(np.mean([0.5, 1.0, 0.5]))
    assert d.p_value == pytest.approx(stats.ttest_rel([1.0, 4.0, 5.0], [0.5, 3.0, 4.5]).pvalue)


def test_degenerate_differences_give_clear_answers_without_warnings() -> None:
    same = paired_difference([3.0, 4.0, 5.0], [3.0, 4.0, 5.0])
    assert (same.mean, same.ci_low, same.ci_high, same.p_value, same.identical) == (0.0, 0.0, 0.0, 1.0, True)
    assert same.mark == "n.s."
    shifted = paired_difference([4.0, 5.0, 6.0], [3.0, 4.0, 5.0])
    assert (shifted.mean, shifted.p_value, shifted.mark) == (1.0, 0.0, "**")
    one = paired_difference([4.0, np.nan], [3.0, 1.0])
    assert one.n == 1 and math.isnan(one.p_value) and one.mark == "n/a"
    none = paired_difference([np.nan, np.nan], [1.0, 2.0])
    assert none.n == 0 and math.isnan(none.mean)


def test_marks_and_spread() -> None:
    assert [significance_mark(p) for p in (0.001, 0.02, 0.05, 0.7, math.nan)] == ["**", "*", "n.s.", "n.s.", "n/a"]
    s = spread([1.0, 2.0, np.nan, 3.0, 4.0, 5.0])
    assert s.n == 5 and s.mean == 3.0 and (s.low, s.high) == pytest.approx((1.2, 4.8))


def test_kpi_table_pairs_runs_by_replicate() -> None:
    runs = pd.DataFrame(
        {
            "scenario_index": [0, 0, 0, 1, 1, 1],
            "replicate": [0, 1, 2, 2, 1, 0],  # stored in any order: pairs are by replicate
            "total_joined": [100.0, 120.0, 110.0, 66.0, 72.0, 60.0],
            "ad_share": [0.1, 0.2, np.nan, 0.3, 0.3, 0.2],
        }
    )
    table = kpi_table(runs, ["base", "fee"], ["total_joined", "ad_share"]).set_index(["scenario", "kpi"])
    joined = table.loc[("fee", "total_joined")]
    assert joined["diff_vs_first"] == pytest.approx(np.mean([60 - 100, 72 - 120, 66 - 110]))
    assert joined["first_mean"] == pytest.approx(110.0) and joined["n_pairs"] == 3
    share = table.loc[("fee", "ad_share")]
    assert share["n"] == 3 and share["n_pairs"] == 2 and share["diff_vs_first"] == pytest.approx(0.1)
    assert table.loc[("base", "ad_share"), "n"] == 2
    assert table.loc[("base", "total_joined"), "significance"] == "reference"


def test_changes_are_said_in_plain_words() -> None:
    assert change_phrase("total_joined", -41.0, 100.0) == "41% fewer joins"
    assert change_phrase("retention_30d", 0.18, 0.6) == "+18 points 30-day retention"
    assert change_phrase("ad_share", -0.0015, 0.002) == "\u22120.15 points ad share"
    assert change_phrase("revenue_total", 90.0, 100.0) == "90% more revenue"
    assert change_phrase("revenue_total", 190.0, 100.0) == "2.9\u00d7 the revenue"
    assert change_phrase("profit", -5000.0, -100.0) == "profit lower by 5,000"
    assert change_phrase("kicked_total", 12.0, 0.0) == "12 more kicks"
    row = {"n": 30, "n_pairs": 30, "p_value": 0.001, "first_mean": 100.0}
    rows = {
        "total_joined": {**row, "kpi": "total_joined", "diff_vs_first": -41.0},
        "retention_30d": {**row, "kpi": "retention_30d", "diff_vs_first": 0.18, "first_mean": 0.6},
        "peak_members": {**row, "kpi": "peak_members", "diff_vs_first": 3.0, "p_value": 0.4},
    }
    line = scenario_line("paid_entry", "baseline", rows, rows)
    assert line == (
        "paid_entry vs baseline: 41% fewer joins and +18 points 30-day retention (both significant); "
        "no significant difference in peak membership."
    )


def test_what_differs_lists_only_changed_keys_and_activities_compactly() -> None:
    values = [
        load_scenario(ROOT_SCENARIOS / f"{name}.toml").model_dump(mode="json")
        for name in ("baseline", "paid_entry", "red_packet_heavy")
    ]
    table = changed_keys(values, ["baseline", "paid_entry", "red_packet_heavy"])
    assert list(table.index) == ["entry.threshold", "entry.fee", "activities"]
    assert table.loc["entry.fee", "paid_entry"] == 49.0
    assert table.loc["activities"].tolist() == [
        "sharing every 7",
        "sharing every 7",
        "sharing every 7; red_packet every 2; checkin",
    ]
