"""Groups with lives of their own: the per-group record, choosing a group, lifecycle, death and what follows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import invoke_cli

import sim.groups as sim_groups
from sim import CommunityModel, load_scenario
from sim.experiments import Job, run_job
from sim.experiments.store import RunStore
from sim.groups import (
    AD_GROUP,
    ALIVE,
    DEAD,
    DECLINE,
    EMPTY,
    GROWTH,
    INCEPTION,
    MATURITY,
    SILENT,
    admit_within_room,
    attraction,
    classify,
    fitted_choice,
    keyed_race,
    own_topic_fit,
    race,
    topic_fit,
)
from sim.random import Draws

SUMMED = [
    "members",
    "new",
    "active",
    "dormant",
    "joined",
    "joined_channel",
    "joined_referral",
    "joined_organic",
    "left_today",
    "kicked_today",
    "messages",
    "content_posts",
    "ad_messages",
    "ads_removed",
    "spammers",
]
SMALL = {"population.potential_pool": 4000}
MANY_GROUPS = {"population.initial_members": 1000, "groups.capacity": 150}
TOLERATED = {**MANY_GROUPS, "moderation.ad_policy": "tolerate"}
CHOOSING = {  # three groups of 333 with room, appeals 4 : 1 : ¼, a slow inflow
    "population.initial_members": 1000,
    "groups.capacity": 400,
    "groups.appeals": [4.0, 1.0, 0.25],
    "acquisition.channel_inflow_per_day": 4,
    "acquisition.referral_rate": 0.005,
}
NO_INFLOW = {
    "population.initial_members": 600,
    "groups.capacity": 150,
    "moderation.ad_policy": "kick",
    "acquisition.channel_inflow_per_day": 0,
    "acquisition.referral_rate": 0.0,
}


def run(name: str, seed: int, days: int, **overrides: object) -> CommunityModel:
    return CommunityModel(load_scenario(name, overrides=dict(overrides)), rng=seed).run(days)


# ---------------------------------------------------------------- the per-group record
@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("baseline", SMALL),
        ("split_150", SMALL),
        ("no_output", {**TOLERATED, "groups.dead_policy": "dissolve"}),
        ("no_output", {**NO_INFLOW, "groups.dead_policy": "merge"}),
        ("funnel", {**SMALL, "groups.splinter_rate": 0.05, "groups.return_rate": 0.005}),
    ],
)
def test_per_group_records_add_up_to_the_community_metrics_every_day(name: str, overrides: dict) -> None:
    for seed in (1, 2):
        m = run(name, seed, 120, **overrides)
        per_day = m.group_metrics().groupby("day")[SUMMED].sum()
        community = m.metrics()[SUMMED]
        assert m.group_metrics()["day"].nunique() == len(community)
        np.testing.assert_array_equal(per_day.to_numpy(dtype=float), community.to_numpy(dtype=float))


def test_the_record_has_one_row_per_group_and_day_and_rolls_up_by_week_and_month() -> None:
    m = run("baseline", 1, 60, **SMALL)
    daily = m.group_metrics()
    counts = daily.groupby("day").size()
    assert counts.index.tolist() == list(range(1, 61))
    assert (counts.diff().fillna(0) >= 0).all(), "groups are never removed from the record"
    weekly = m.group_metrics(7)
    assert set(weekly["period"]) == set(range(1, 10))
    assert weekly["messages"].sum() == daily["messages"].sum()
    last = daily[daily["day"] == 60].set_index("group")["members"]
    assert weekly[weekly["period"] == 9].set_index("group")["members"].equals(last)
    monthly = m.group_metrics(30)
    assert monthly.groupby("group")["joined"].sum().equals(daily.groupby("group")["joined"].sum())


def test_run_writes_groups_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(
        ["run", "baseline", "--days", "20", "--set", "population.potential_pool=3000", "--out", str(tmp_path)], capsys
    )
    assert code == 0 and "groups.csv" in out
    groups = pd.read_csv(tmp_path / "groups.csv")
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert sorted(set(groups["day"])) == list(range(1, 21))
    assert groups.groupby("day")["messages"].sum().tolist() == metrics["messages"].tolist()
    assert set(groups["phase"]) <= {"inception", "growth", "maturity", "decline", "dead"}


def test_a_sweep_store_keeps_a_groups_part_per_run_keyed_by_run_id_and_group(tmp_path: Path) -> None:
    jobs = [Job(f"r{i}", "baseline", {"population.potential_pool": 3000}, seed=i, days=15) for i in range(2)]
    with RunStore(tmp_path, "fp") as store:
        store.commit((j, run_job(j)) for j in jobs)
        groups = store.groups()
        runs = store.runs()
    assert runs["groups_part"].notna().all()
    assert sorted(set(groups["run_id"])) == ["r0", "r1"]
    assert not groups.duplicated(["run_id", "day", "group"]).any()
    assert groups.groupby(["run_id", "day"]).size().min() >= 1


# ---------------------------------------------------------------- rules
def test_classify_phases_and_fates() -> None:
    n = 7
    phase, fate = classify(
        age=np.array([3, 30, 30, 30, 30, 30, 30]),
        size=np.array([10, 120, 100, 40, 50, 50, 0]),
        size_week_ago=np.array([5, 100, 100, 100, 50, 50, 10]),
        peak_size=np.array([10, 120, 100, 100, 50, 50, 10]),
        weekly_genuine=np.array([5.0, 50, 50, 50, 50, 0, 0]),
        genuine_peak=np.array([5.0, 50, 60, 60, 60, 60, 60]),
        genuine_ema=np.array([5.0, 50, 50, 50, 50, 0.2, 0]),
        ad_share=np.array([0.9, 0.1, 0.1, 0.1, 0.7, 0.1, 0]),
        inception_days=14,
        growth_rate=0.05,
        decline_share=0.5,
        silent_days=14,
        silent_messages=1.0,
        ad_dominance=0.5,
    )
    assert phase.size == n
    assert phase.tolist() == [INCEPTION, GROWTH, MATURITY, DECLINE, DEAD, DEAD, DEAD]
    assert fate.tolist() == [ALIVE, ALIVE, ALIVE, ALIVE, AD_GROUP, SILENT, EMPTY]


def test_choice_rules() -> None:
    clocks = np.random.default_rng(0).exponential(size=(20000, 3))
    picks = race(np.tile([1.0, 3.0, 0.0], (20000, 1)), clocks)
    assert abs((picks == 1).mean() - 0.75) < 0.01 and not (picks == 2).any()  # weight 0 never wins
    # stable under small changes: 5% more pull for group 0 moves few people, and only towards it
    again = race(np.tile([1.05, 3.0, 0.0], (20000, 1)), clocks)
    assert ((again != picks) & (again != 0)).sum() == 0 and (again != picks).mean() < 0.02
    # a new group takes only people from others, the rest keep their choice
    wider = race(np.tile([1.0, 3.0, 1.0], (20000, 1)), clocks)
    assert ((wider != picks) & (wider != 2)).sum() == 0
    fit = topic_fit(np.array([0.05]), np.array([0.05, 0.95, 0.55]), 3.0)[0]
    assert fit[0] == 1.0 and fit[1] == pytest.approx(np.exp(-0.3)) and fit[2] == pytest.approx(np.exp(-1.5))
    pull = attraction(
        np.array([1.0, 1.0, 2.0]), np.array([0, 99, 0]), np.array([0.0, 0.0, 1.0]), size_weight=0.5, activity_weight=1.0
    )
    assert pull.tolist() == [1.0, 10.0, 4.0]
    ok = admit_within_room(np.array([0, 1, 0, 0, 1]), np.array([2, 0]))
    assert ok.tolist() == [True, False, True, False, False]


GROUP_IDS = np.array([0, 1, 5, 63, 64, 65, 130, 200])
GROUP_WEIGHTS = np.array([1.0, 2.0, 0.0, 3.0, 1.0, 4.0, 2.0, 7.0])


def _keyed_race(weights: np.ndarray, groups: np.ndarray = GROUP_IDS, n: int = 200_000) -> np.ndarray:
    return keyed_race(Draws(5), "test.choice", np.arange(n), groups, lambda block: weights[None, :])


def test_the_two_stage_race_picks_each_group_in_proportion_to_its_weight() -> None:
    """Bands of 16 ids, then a group within the band: the law of one race over all groups."""
    won = _keyed_race(GROUP_WEIGHTS)
    share = np.bincount(won, minlength=GROUP_IDS.size) / won.size
    expected = GROUP_WEIGHTS / GROUP_WEIGHTS.sum()
    assert share[2] == 0.0  # weight 0 never wins
    sd = np.sqrt(expected * (1 - expected) / won.size)
    assert np.all(np.abs(share - expected) < 5 * sd + 1e-12), (share, expected)


def _assert_each_follows_own_weights(groups: np.ndarray, weights: np.ndarray, n: int = 100_000) -> None:
    """Two kinds of people (weights and the weights reversed), each choosing in proportion to their own row."""
    kind = np.arange(n) % 2
    table = np.stack([weights, weights[::-1]])
    won = keyed_race(Draws(6), "test.choice", np.arange(n), groups, lambda block: table[kind[block]])
    for k in (0, 1):
        share = np.bincount(won[kind == k], minlength=groups.size) / (n / 2)
        expected = table[k] / table[k].sum()
        assert np.all(np.abs(share - expected) < 5 * np.sqrt(expected * (1 - expected) / (n / 2)) + 1e-12)


def test_the_two_stage_race_follows_each_persons_own_weights() -> None:
    """Per-person weights (taste)."""
    _assert_each_follows_own_weights(GROUP_IDS, GROUP_WEIGHTS)


def test_the_two_stage_race_keeps_choices_when_a_weight_changes_a_little() -> None:
    """5% more weight for one group moves few people, all into its band; so does a new group.

    One race over every group would move people only into the group that gained; two races
    move them into its band (ids 64-79 here), where they meet the band's other groups too.
    """
    before = _keyed_race(GROUP_WEIGHTS)
    heavier = GROUP_WEIGHTS.copy()
    heavier[4] *= 1.05  # group 64, in the band 64-79 with group 65 (not 130)
    after = _keyed_race(heavier)
    moved = after != before
    assert 0 < moved.mean() < 0.02
    assert set(GROUP_IDS[after[moved]].tolist()) <= {64, 65}
    wider = _keyed_race(np.append(GROUP_WEIGHTS, 1.0), np.append(GROUP_IDS, 201))  # 201 joins 200's band
    moved = wider != before
    new_share = (wider == GROUP_IDS.size).mean()
    assert abs(new_share - 1 / 21) < 0.003
    assert set(np.append(GROUP_IDS, 201)[wider[moved]].tolist()) <= {200, 201} and moved.mean() < 2 * new_share


def test_the_two_stage_race_is_the_same_in_blocks_of_people(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _keyed_race(GROUP_WEIGHTS, n=5_000)
    monkeypatch.setattr(sim_groups, "RACE_BLOCK_CELLS", 7)
    assert np.array_equal(whole, _keyed_race(GROUP_WEIGHTS, n=5_000))


def test_a_community_of_many_groups_races_in_bands_the_same_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """More than 16 groups: newcomers and inviters race bands, then groups; race blocks of 5 cells change nothing."""
    sc = load_scenario("baseline", overrides={"groups.capacity": 25})

    def run() -> pd.DataFrame:
        return CommunityModel(sc, rng=4).run(30).group_metrics()

    whole = run()
    assert whole["group"].max() >= sim_groups.BAND  # groups in more than one band
    later_bands = whole[whole["group"] >= sim_groups.BAND]
    assert later_bands["joined_channel"].sum() > 0 and later_bands["joined_referral"].sum() > 0
    monkeypatch.setattr(sim_groups, "RACE_BLOCK_CELLS", 5)
    pd.testing.assert_frame_equal(whole, run(), check_exact=True)


DEEP_IDS = np.array([0, 2, 17, 250, 255, 256, 300, 1000, 4095, 4096, 9000])  # four levels: ids past 4,096
DEEP_WEIGHTS = np.array([1.0, 2.0, 0.5, 3.0, 0.0, 1.0, 4.0, 2.0, 1.5, 2.5, 3.0])


def test_a_race_over_ids_past_256_goes_down_a_tree_of_bands_with_the_law_of_one_race() -> None:
    """Bands of 16 ids, bands of bands, ...: each group still wins in proportion to its weight."""
    won = _keyed_race(DEEP_WEIGHTS, DEEP_IDS, n=300_000)
    share = np.bincount(won, minlength=DEEP_IDS.size) / won.size
    expected = DEEP_WEIGHTS / DEEP_WEIGHTS.sum()
    assert share[4] == 0.0
    assert np.all(np.abs(share - expected) < 5 * np.sqrt(expected * (1 - expected) / won.size) + 1e-12)
    _assert_each_follows_own_weights(DEEP_IDS, DEEP_WEIGHTS)


def test_the_tree_race_keeps_choices_when_a_weight_changes_and_is_the_same_in_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """5% more weight for group 300 moves few people, all into the top branch it is in (ids 0-4095).

    Who is drawn into a branch by its extra weight races its branches again, one level
    down, so they may land in any group of it: at each level the branch's other groups too.
    """
    before = _keyed_race(DEEP_WEIGHTS, DEEP_IDS)
    heavier = DEEP_WEIGHTS.copy()
    heavier[6] *= 1.05
    after = _keyed_race(heavier, DEEP_IDS)
    moved = after != before
    gained = DEEP_WEIGHTS[6] * 0.05 / DEEP_WEIGHTS.sum()  # the share the group gained
    assert 0 < moved.mean() < 4 * gained
    assert set(DEEP_IDS[after[moved]].tolist()) <= set(DEEP_IDS[DEEP_IDS < 4096].tolist())
    assert (DEEP_IDS[after[moved]] == 300).mean() > 0.5  # most of them into the group that gained
    whole = _keyed_race(DEEP_WEIGHTS, DEEP_IDS, n=5_000)
    monkeypatch.setattr(sim_groups, "RACE_BLOCK_CELLS", 7)
    assert np.array_equal(whole, _keyed_race(DEEP_WEIGHTS, DEEP_IDS, n=5_000))


def test_the_two_stage_race_needs_ascending_group_ids() -> None:
    with pytest.raises(ValueError, match="ascending"):
        _keyed_race(GROUP_WEIGHTS, GROUP_IDS[::-1].copy(), n=10)
    assert _keyed_race(np.ones(1), np.array([7]), n=3).tolist() == [0, 0, 0]


FIT_GROUPS = np.array([0, 3, 17, 40, 41, 90, 91, 92])  # four bands
FIT_PULL = np.array([1.0, 2.0, 0.5, 3.0, 1.0, 2.5, 1.0, 4.0])
FIT_TOPIC = np.array([0.05, 0.3, 0.5, 0.62, 0.9, 0.15, 0.45, 0.75])


def _fitted(
    taste: np.ndarray, fit_weight: float = 3.0, groups: np.ndarray = FIT_GROUPS, pull: np.ndarray = FIT_PULL
) -> np.ndarray:
    return fitted_choice(Draws(8), "test.fit", np.arange(taste.size), groups, pull, taste, FIT_TOPIC, fit_weight)


def _assert_law(won: np.ndarray, expected: np.ndarray) -> None:
    share = np.bincount(won, minlength=expected.size) / won.size
    sd = np.sqrt(expected * (1 - expected) / won.size)
    assert np.all(np.abs(share - expected) < 5 * sd + 1e-12), (share, expected)


def test_own_topic_fit_is_the_grids_diagonal() -> None:
    taste = np.array([0.1, 0.95, 0.5])
    assert np.allclose(own_topic_fit(taste, FIT_TOPIC[:3], 3.0), np.diag(topic_fit(taste, FIT_TOPIC[:3], 3.0)))


@pytest.mark.parametrize("fit_weight", [3.0, 40.0])
def test_the_fitted_choice_by_rejection_has_the_law_of_pull_times_fit(fit_weight: float) -> None:
    """Groups in several bands: proposals by pull, taken with the fit, give P(g) = pull x fit / total.

    Three kinds of newcomers by taste, each with its own law; at fit weight 40 most turn
    down all FIT_TRIES proposals and the exact race decides, with the same law.
    """
    n = 150_000
    tastes = np.array([0.1, 0.5, 0.8])
    kind = np.arange(n) % 3
    won = _fitted(tastes[kind], fit_weight)
    for k, taste in enumerate(tastes):
        weights = FIT_PULL * topic_fit(np.array([taste]), FIT_TOPIC, fit_weight)[0]
        _assert_law(won[kind == k], weights / weights.sum())


def test_the_fitted_choice_is_the_race_over_the_pull_at_fit_weight_0_and_one_race_within_a_band() -> None:
    taste = Draws(9).uniform("taste", 0, np.arange(2_000))
    rows = np.arange(taste.size)
    by_pull = keyed_race(Draws(8), "test.fit", rows, FIT_GROUPS, lambda _: FIT_PULL[None, :])
    assert np.array_equal(_fitted(taste, 0.0), by_pull)
    one_band = np.arange(8)
    weights = sim_groups.chooser_weights(taste, FIT_TOPIC, FIT_PULL, 3.0)
    assert np.array_equal(_fitted(taste, groups=one_band), keyed_race(Draws(8), "test.fit", rows, one_band, weights))


def test_choosing_again_when_the_chosen_group_is_full_follows_the_law_among_the_rest() -> None:
    """Those who chose group 40 choose again without it: pull x fit over the other groups, one taste for all."""
    n = 200_000
    taste = np.full(n, 0.6)
    first = _fitted(taste)
    chose = np.flatnonzero(first == 3)  # group 40
    rest = np.delete(np.arange(FIT_GROUPS.size), 3)
    again = fitted_choice(
        Draws(8), "test.fit", chose, FIT_GROUPS[rest], FIT_PULL[rest], taste[chose], FIT_TOPIC[rest], 3.0, again=1
    )
    weights = (FIT_PULL * topic_fit(np.array([0.6]), FIT_TOPIC, 3.0)[0])[rest]
    _assert_law(again, weights / weights.sum())


def test_the_fitted_choice_keeps_choices_when_a_pull_changes_a_little() -> None:
    taste = Draws(9).uniform("taste", 0, np.arange(100_000))
    before = _fitted(taste)
    stronger = FIT_PULL.copy()
    stronger[5] *= 1.05
    moved = _fitted(taste, pull=stronger) != before
    assert 0 < moved.mean() < 0.03


# ---------------------------------------------------------------- choosing a group
def test_newcomers_choose_appealing_groups_and_invited_ones_join_their_inviter() -> None:
    ov = {**CHOOSING, "groups.fit_weight": 0.0}
    joined = np.zeros(3)
    for seed in range(3):
        m = run("baseline", seed, 15, **ov)
        g = m.group_metrics()
        chosen = g.groupby("group")[["joined_channel", "joined_organic"]].sum().sum(axis=1)
        joined += chosen.to_numpy()[:3]
        people = m.people
        invited = np.flatnonzero((people.invited_by >= 0) & (people.join_day >= 1) & (people.group >= 0))
        inviter_group = people.group[people.invited_by[invited]]
        known = inviter_group >= 0
        assert (people.group[invited][known] == inviter_group[known]).all()
    assert joined[0] > 2 * joined[1] > 4 * joined[2] > 0


def test_the_old_routing_to_the_smallest_group_makes_groups_of_equal_size() -> None:
    for seed in range(3):
        smallest = run("baseline", seed, 15, **CHOOSING, **{"groups.routing": "smallest"}).group_table()["members"]
        appeal = run("baseline", seed, 15, **CHOOSING).group_table()["members"]
        assert smallest.max() - smallest.min() < 0.5 * (appeal.max() - appeal.min())


# ---------------------------------------------------------------- lifecycle and death
def test_without_output_and_with_tolerated_ads_groups_end_as_ad_groups() -> None:
    for seed in range(3):
        t = run("no_output", seed, 240, **TOLERATED).groups
        dead = t.fate != ALIVE
        assert dead.sum() >= 5
        assert (t.fate[dead] == AD_GROUP).mean() > 0.9


def test_without_output_but_moderated_groups_go_silent_and_are_dissolved() -> None:
    for seed in range(3):
        m = run("no_output", seed, 365, **NO_INFLOW, **{"groups.dead_policy": "dissolve"})
        t = m.groups
        assert (t.fate == SILENT).sum() >= 3, t.fate
        assert t.closed[t.fate != ALIVE].all()
        sizes = m.group_table()["members"].to_numpy()
        assert (sizes[t.closed] == 0).all(), "a dissolved group keeps nobody"
        daily = m.metrics()
        assert daily["groups_died"].sum() == daily["groups_closed"].sum() == (t.fate != ALIVE).sum()
        assert daily["members_moved"].sum() > 0


def test_kept_dead_groups_keep_their_members() -> None:
    m = run("no_output", 1, 240, **TOLERATED)
    t, sizes = m.groups, m.group_table()["members"].to_numpy()
    assert not t.closed.any()
    assert sizes[t.fate == AD_GROUP].sum() > 0


def test_groups_differ_in_fate_within_one_community() -> None:
    """One admin and one KOL spread over the founding groups: they become ad groups; copies with a core thrive."""
    thin = {**MANY_GROUPS, "roles.admin_minutes_per_day": 10.0, "roles.kols": 1, "groups.dead_policy": "dissolve"}
    for seed in range(3):
        t = run("baseline", seed, 200, **thin).groups
        founding = t.opened_day == 0
        assert (t.fate[founding] == AD_GROUP).sum() >= 3
        assert (t.fate == ALIVE).sum() >= 10 and (t.fate[~founding] == ALIVE).mean() > 0.9


def test_a_merged_group_hands_its_members_to_another_and_archived_groups_take_no_newcomers() -> None:
    merged = run("no_output", 2, 300, **NO_INFLOW, **{"groups.dead_policy": "merge"})
    g = merged.group_metrics()
    dissolved = run("no_output", 2, 300, **NO_INFLOW, **{"groups.dead_policy": "dissolve", "groups.move_share": 0.0})
    # merging keeps people in the community longer than dissolving without moves
    assert merged.metrics()["members"].sum() > dissolved.metrics()["members"].sum()
    closed = g[g["closed"]]
    assert (closed.groupby("group")["members"].last() == 0).all()
    archived = run("no_output", 1, 240, **TOLERATED, **{"groups.dead_policy": "archive"})
    ga = archived.group_metrics()
    after = ga[ga["closed"] & (ga["day"] > ga["group"].map(pd.Series(archived.groups.died_day)))]
    assert after["joined"].sum() == 0 and after["members"].sum() > 0


def test_dissolving_dead_groups_keeps_more_members_than_keeping_them() -> None:
    for seed in range(3):
        kept = run("dead_groups_kept", seed, 150)
        dissolved = run("dead_groups_dissolved", seed, 150)
        assert (kept.groups.fate == AD_GROUP).sum() >= 3 and (dissolved.groups.fate == AD_GROUP).sum() >= 3
        assert dissolved.metrics()["active"].iloc[-1] > 1.5 * kept.metrics()["active"].iloc[-1]
        assert dissolved.metrics()["ad_messages"].iloc[-30:].sum() < kept.metrics()["ad_messages"].iloc[-30:].sum()
