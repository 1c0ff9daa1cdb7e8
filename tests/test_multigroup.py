"""A person may belong to more than one group (issue 15; groups.max_groups_per_member, docs/ODD.md §7.11)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS, assert_one_line_error, invoke_cli, run_preset

from sim import CommunityModel, load_scenario
from sim.agents import Member
from sim.groups import FREE, PAID
from sim.population import DORMANT, NEW, PeopleTable
from sim.rules.memberships import combined_value, worst_group

NAN = np.nan
TWO = {"groups__max_groups_per_member": 2, "groups__extra_group_rate": 0.05}


# ---------------------------------------------------------------- the rules
def test_combined_value_is_the_best_group_plus_diminishing_shares_of_the_others() -> None:
    v = np.array([[0.2, 0.6, NAN], [0.5, NAN, NAN], [0.1, 0.4, 0.3], [-0.2, 0.3, NAN]])
    out = combined_value(v, 0.5)
    assert out == pytest.approx([0.6 + 0.5 * 0.2, 0.5, 0.4 + 0.5 * 0.3 + 0.25 * 0.1, 0.3 - 0.5 * 0.2])
    assert combined_value(v, 0.0) == pytest.approx(np.nanmax(v, axis=1))  # w = 0: the best group only
    assert combined_value(v, 1.0) == pytest.approx(np.nansum(v, axis=1))  # w = 1: every group in full
    one = np.array([[0.37], [-0.1]])
    assert np.array_equal(combined_value(one, 0.5), one[:, 0])  # one group: its value exactly


def test_a_second_group_adds_less_than_the_first_gives() -> None:
    rng = np.random.default_rng(0)
    v = rng.uniform(0, 1, (200, 2))
    both, best = combined_value(v, 0.5), v.max(axis=1)
    assert (both >= best).all() and (both - best <= 0.5 * v.min(axis=1) + 1e-12).all()


def test_worst_group_is_the_lowest_value_and_keeps_the_home_group_on_ties() -> None:
    v = np.array([[0.2, 0.6, NAN], [0.5, 0.5, NAN], [0.1, NAN, 0.4], [0.3, 0.3, 0.3], [NAN, 0.2, 0.1]])
    assert worst_group(v).tolist() == [0, 1, 0, 2, 2]


# ---------------------------------------------------------------- storage
def _table(n: int, k: int) -> PeopleTable:
    from sim.population import draw_people
    from sim.scenario.schema import Population

    people = draw_people(Population(potential_pool=n, initial_members=1), np.random.default_rng(0))
    people.allow_groups(k)
    return people


def test_one_group_each_allocates_nothing_and_memberships_are_the_home_groups() -> None:
    people = _table(10, 1)
    assert not people.multi and people.max_groups == 1
    rows = np.arange(4)
    people.group[rows] = [0, 1, 1, 2]
    r, g = people.memberships(rows)
    assert r is rows and g.tolist() == [0, 1, 1, 2]
    assert not people.join_group(rows, np.zeros(4, dtype=np.int32)).any()
    assert people.group_sizes(rows, 3).tolist() == [1, 2, 1]


def test_joining_leaving_and_exiting_further_groups() -> None:
    people = _table(10, 3)
    rows = np.arange(4)
    people.group[rows] = [0, 1, 1, 2]
    joined = people.join_group(rows, np.array([1, 1, 2, 0], dtype=np.int32))
    assert joined.tolist() == [True, False, True, True]  # person 1 is in group 1 already
    assert people.group_count(rows).tolist() == [2, 1, 2, 2]
    assert people.group_sizes(rows, 3).tolist() == [2, 3, 2]
    assert people.in_group(rows, 2).tolist() == [False, False, True, True]
    people.leave_group(np.array([0, 3]), np.array([0, 0], dtype=np.int32))  # 0 leaves home, 3 a further group
    assert people.group[rows].tolist() == [1, 1, 1, 2] and people.group_count(rows).tolist() == [1, 1, 2, 1]
    people.join_group(np.array([1]), np.array([2], dtype=np.int32))
    people.move_home(np.array([1]), np.array([2], dtype=np.int32))  # promoted into a group they were in already
    assert people.groups_of(np.array([1])).tolist() == [[2, -1, -1]]
    people.exit(np.array([2]), 4, day=5)
    assert people.group_count(rows).tolist() == [1, 1, 0, 1] and people.last_group[2] == 1


# ---------------------------------------------------------------- default: today's model
def test_the_default_is_one_group_each() -> None:
    m = run_preset("baseline", 1, days=20)
    assert not m.people.multi
    df = m.metrics()
    assert (df["groups_per_member"] == 1).all() and (df["multi_group_share"] == 0).all()
    assert (m.group_metrics()["also_elsewhere"] == 0).all()


@pytest.mark.parametrize("seed", [1, 2])
def test_room_for_two_groups_without_a_way_in_changes_nothing(seed: int) -> None:
    """The storage and the spread of messages and value over one's groups are exact when everybody has one."""
    one = run_preset("dead_groups_dissolved", seed, days=60)
    two = run_preset("dead_groups_dissolved", seed, days=60, groups__max_groups_per_member=2)
    assert two.people.multi
    pd.testing.assert_frame_equal(one.metrics(), two.metrics(), check_exact=True)
    assert one.people.satisfaction.tobytes() == two.people.satisfaction.tobytes()


# ---------------------------------------------------------------- two groups
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_members_of_decaying_groups_join_a_second_one(seed: int) -> None:
    m = run_preset("dead_groups_dissolved", seed, days=40, **TWO)
    rows = m.people.members()
    row = int(rows[m.people.group_count(rows) == 2][0])
    assert Member(m, row).member_groups == m.people.groups_of(np.array([row]))[0].tolist()
    m.run(30)
    df, g = m.metrics(), m.group_metrics()
    assert df["multi_group_share"].max() > 0.05 and df["groups_per_member"].max() > 1.05
    assert df["joined_another_group"].sum() > 50
    per_day = g.groupby("day")[["members", "messages", "also_elsewhere"]].sum()
    assert (per_day["messages"].to_numpy() == df["messages"].to_numpy()).all()  # messages split, never doubled
    members = per_day["members"].to_numpy()
    assert (members >= df["members"].to_numpy()).all()
    assert (members > df["members"].to_numpy()).sum() > 10  # memberships outnumber people
    # every person in two groups counts in both: the surplus is exactly the second memberships
    surplus = members - df["members"].to_numpy()
    in_two = np.rint(df["multi_group_share"].to_numpy() * df["members"].to_numpy())
    assert np.array_equal(surplus, in_two)
    assert np.array_equal(per_day["also_elsewhere"].to_numpy(), 2 * surplus)


def test_a_dissolved_group_keeps_those_who_have_another_group() -> None:
    """Members of a dissolved group who are in another group stay far more often than those who are not."""
    with_other, without = [], []
    for seed in range(3):
        sc = load_scenario(
            SCENARIOS / "dead_groups_dissolved.toml",
            overrides={"groups.max_groups_per_member": 2, "groups.extra_group_rate": 0.05},
        )
        m = CommunityModel(sc, rng=seed)
        gp, people, close = m.group_policy, m.people, m.group_policy._close

        def watched(gid: int, day: object, close: object = close, people: PeopleTable = people) -> None:
            rows = people.members()
            inside = rows[people.in_group(rows, gid)]
            other = people.group_count(inside) > 1
            close(gid, day)  # type: ignore[operator]
            st = people.stage[inside]
            stayed = (st >= NEW) & (st <= DORMANT)
            with_other.append(stayed[other])
            without.append(stayed[~other])

        gp._close = watched  # type: ignore[method-assign]
        m.run(80)
    kept, alone = np.concatenate(with_other), np.concatenate(without)
    assert kept.size > 100 and alone.size > 100
    assert kept.mean() > 0.95  # they drop the dead group and stay in their other one
    assert alone.mean() < 0.7  # dissolve moves half of the others (move_share = 0.5); the rest leave
    assert kept.mean() > alone.mean() + 0.3


def test_a_fired_leave_hazard_drops_the_worst_group_instead() -> None:
    """Dead groups kept (none closed): every dropped membership is a leave hazard that did not end membership."""
    for seed in range(3):
        df = run_preset("dead_groups_kept", seed, days=70, **TWO).metrics()
        assert df["groups_closed"].sum() == 0
        assert df["groups_dropped"].sum() > 5
        assert df["groups_dropped"].sum() < df["joined_another_group"].sum()  # one can drop only what one joined


def test_a_promoted_member_keeps_the_free_group_where_allowed() -> None:
    for seed in (1, 2):
        m = run_preset("funnel", seed, days=120, groups__max_groups_per_member=2, groups__promote_keeps_free=True)
        people, tier = m.people, m.groups.tier
        rows = people.members()
        promoted = rows[people.promoted_day[rows] >= 0]
        assert promoted.size > 10
        held = people.groups_of(promoted)
        both = held[:, 1] >= 0
        assert both.mean() > 0.5, both.mean()  # most are in both (some dropped one on a fired leave hazard)
        pair = np.sort(tier[held[both]], axis=1)
        assert (pair[:, 0] == FREE).all() and (pair[:, 1] == PAID).all()  # a free group and a paid one
        assert (tier[held[both, 0]] == PAID).mean() > 0.5  # the paid group became their home
        moved = run_preset("funnel", seed, days=120, groups__max_groups_per_member=2)
        rows = moved.people.members()
        assert (moved.people.group_count(rows[moved.people.promoted_day[rows] >= 0]) == 1).all()


def test_a_friend_invites_a_member_of_another_group() -> None:
    joins = 0
    for seed in (1, 2):
        m = run_preset(
            "seed_through_hubs",
            seed,
            days=60,
            groups__capacity=60,
            groups__max_groups_per_member=2,
            groups__extra_group_invitations=0.05,
        )
        df = m.metrics()
        joins += int(df["joined_another_group"].sum())
        assert df["multi_group_share"].iloc[-1] > 0
    assert joins > 20


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"groups.max_groups_per_member": 0}, ["max_groups_per_member"]),
        ({"groups.extra_group_rate": 1.5}, ["extra_group_rate"]),
        ({"groups.extra_group_rate": 0.1}, ["extra_group_rate", "max_groups_per_member >= 2"]),
        ({"groups.promote_keeps_free": True}, ["promote_keeps_free", "max_groups_per_member >= 2"]),
        ({"groups.extra_group_invitations": 0.1}, ["extra_group_invitations", "max_groups_per_member"]),
    ],
)
def test_bad_values_are_refused(overrides: dict[str, object], words: list[str]) -> None:
    with pytest.raises(ValueError) as err:
        load_scenario(SCENARIOS / "baseline.toml", overrides=overrides)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_the_cli_refuses_a_second_group_without_room_for_it(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args = ["run", str(SCENARIOS / "baseline.toml"), "--set", "groups.extra_group_rate=0.1", "--out", str(tmp_path)]
    code, _, err = invoke_cli(args, capsys)
    line = assert_one_line_error(code, err)
    assert "groups.extra_group_rate" in line and "max_groups_per_member" in line
