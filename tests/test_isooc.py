"""The ISOOC health score of seed 002: each element moves with the lever it reads, over several seeds."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from helpers import invoke_cli

from sim import CommunityModel, load_scenario
from sim.rules import isooc

SEEDS = (0, 1, 2)
DAYS = 90
ELEMENTS = [*isooc.ELEMENTS, "score"]


@cache
def run(name: str, seed: int, **overrides: object) -> CommunityModel:
    scenario = load_scenario(name, overrides={"population.potential_pool": 6000, **overrides})
    return CommunityModel(scenario, rng=seed).run(DAYS)


def final(name: str, element: str, **overrides: object) -> np.ndarray:
    return np.array([run(name, seed, **overrides).summary()[f"isooc_{element}_final"] for seed in SEEDS])


# ---------------------------------------------------------------- rules
def test_structure_grows_with_staff_per_member_and_ties_with_diminishing_returns() -> None:
    s = isooc.structure([0, 1, 2, 20], [100, 100, 100, 100], [0.2, 0.2, 0.2, 0.2])
    assert s[0] == pytest.approx(0.1) and s[1] == pytest.approx((1 - np.exp(-1)) / 2 + 0.1)
    assert s[1] - s[0] > s[2] - s[1] > 0 and s[3] < 0.6
    assert np.isnan(isooc.structure([1], [0], [np.nan])[0])


def test_output_reads_content_per_member_and_the_share_engaged() -> None:
    quiet, written = isooc.output([0, 2], [50, 50], [100, 100])
    assert quiet == pytest.approx(0.25) and written == pytest.approx((1 - np.exp(-2)) / 2 + 0.25)
    assert isooc.output([2], [50], [1000])[0] < written  # the same posts spread over more members


def test_operation_is_zero_coverage_without_an_admin_and_counts_ads_kept_out() -> None:
    op = isooc.operation([1.0, 1.0, 0.5, 1.0], [True, False, True, True], [0, 0, 10, 10], [0, 0, 10, 0])
    np.testing.assert_allclose(op, [1.0, 0.5, 0.75, 0.5])


def test_copy_survival_and_the_score() -> None:
    assert isooc.copy_survival(0, 0) == 0.0 and isooc.copy_survival(4, 3) == 0.75
    np.testing.assert_allclose(isooc.score([1, 0], [0, 0], [1, 1], [0, 1], [0.5, 0.5]), [0.5, 0.5])


# ---------------------------------------------------------------- the model
def test_group_scores_are_the_mean_of_their_elements_and_the_community_weights_groups_by_members() -> None:
    m = run("split_150", 1)
    groups = m.group_metrics()
    cols = [f"isooc_{e}" for e in isooc.ELEMENTS]
    alive = groups[groups["members"] > 0]
    np.testing.assert_allclose(alive["isooc_score"], alive[cols].mean(axis=1))
    assert groups.loc[groups["members"] == 0, "isooc_score"].isna().all()
    assert ((alive[cols] >= 0) & (alive[cols] <= 1)).all().all()
    daily = m.metrics().set_index("day")
    for element in isooc.ELEMENTS[:-1]:
        weighted = alive.groupby("day").apply(
            lambda g, e=element: np.average(g[f"isooc_{e}"], weights=g["members"]), include_groups=False
        )
        np.testing.assert_allclose(daily[f"isooc_{element}"], weighted, err_msg=element)
    last = daily.tail(30)
    assert m.summary()["isooc_score_final"] == pytest.approx(last["isooc_score"].mean())


def test_groups_without_output_score_lower_on_output() -> None:
    with_output, without = final("baseline", "output"), final("no_output", "output")
    assert (without < with_output - 0.15).all(), (with_output, without)
    per_group = [
        run(name, s).group_metrics()["isooc_output"].mean() for name in ("baseline", "no_output") for s in SEEDS
    ]
    assert max(per_group[3:]) < min(per_group[:3])


def test_moderation_raises_operation_where_spam_exists() -> None:
    moderated, tolerated = final("baseline", "operation"), final("no_moderation", "operation")
    assert all(run("no_moderation", s).metrics()["ad_messages"].sum() > 0 for s in SEEDS)
    assert (tolerated < moderated - 0.3).all(), (moderated, tolerated)


def test_more_staff_raise_structure() -> None:
    staffed = final("baseline", "structure", **{"roles.admins": 3, "roles.kols": 4})
    assert (staffed > final("baseline", "structure") + 0.01).all()


def test_an_entry_review_raises_interest() -> None:
    assert (final("review_entry", "interest") > final("baseline", "interest") + 0.1).all()


def test_a_community_that_never_copies_scores_zero_on_copy_and_surviving_copies_score_high() -> None:
    never = final("baseline", "copy", **{"groups.split_policy": "none"})
    assert (never == 0).all()
    assert (final("baseline", "copy") > 0.8).all()
    assert all(run("baseline", s, **{"groups.split_policy": "none"}).groups.count == 1 for s in SEEDS)


def test_run_prints_the_isooc_outcomes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(
        ["run", "baseline", "--days", "10", "--set", "population.potential_pool=3000", "--out", str(tmp_path)], capsys
    )
    assert code == 0
    for element in ELEMENTS:
        assert f"isooc_{element}_final" in out
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert all(0 <= summary[f"isooc_{e}_final"] <= 1 for e in ELEMENTS)
