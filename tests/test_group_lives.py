"""Groups with lives of their own, the rest of issue 15: time to death and how groups die as whole-run KPIs,
splinter groups founded by members, returns of people who left, and the free-to-paid funnel."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import invoke_cli

from sim import CommunityModel, load_scenario
from sim.groups import ALIVE, FREE, PAID, eligible_for_paid, first_per_group, lifetimes, lowest
from sim.population import KICKED

SEEDS = (1, 2, 3)
MANY_GROUPS = {"population.initial_members": 1000, "groups.capacity": 150}
TOLERATED = {**MANY_GROUPS, "moderation.ad_policy": "tolerate"}
NO_INFLOW = {
    "population.initial_members": 600,
    "groups.capacity": 150,
    "moderation.ad_policy": "kick",
    "acquisition.channel_inflow_per_day": 0,
    "acquisition.referral_rate": 0.0,
}
SPLINTERING = {**NO_INFLOW, "groups.splinter_rate": 0.05}
SMALL = {"population.potential_pool": 4000}
RETURNING = {**SMALL, "groups.return_rate": 0.003}
NETWORK = {
    "network.source": "communities",
    "population.potential_pool": 3000,
    "population.initial_members": 100,
    "acquisition.channel_inflow_per_day": 10,
}


def run(name: str, seed: int, days: int, engine: str = "vectorized", **overrides: object) -> CommunityModel:
    return CommunityModel(load_scenario(name, overrides=dict(overrides)), rng=seed, engine=engine).run(days)


# ---------------------------------------------------------------- rules
def test_rules_of_splinters_funnels_and_lifetimes() -> None:
    groups = np.array([3, 1, 3, 1, 2])
    u = np.array([0.5, 0.9, 0.1, 0.2, 0.7])
    assert first_per_group(groups, u).tolist() == [2, 3, 4]
    assert lowest(np.array([0.4, 0.1, 0.9, 0.2]), 2).tolist() == [1, 3]
    assert lowest(np.array([0.4, 0.1]), 5).tolist() == [1, 0]
    messages, purchases = np.array([0, 60, 0, 60]), np.array([0, 0, 2, 2])
    limits = {"min_messages": 50, "min_purchases": 1}
    assert eligible_for_paid(messages, purchases, "activity", **limits).tolist() == [False, True, False, True]
    assert eligible_for_paid(messages, purchases, "purchase", **limits).tolist() == [False, False, True, True]
    assert eligible_for_paid(messages, purchases, "either", **limits).tolist() == [False, True, True, True]
    assert lifetimes(np.array([0, 5, 10]), np.array([30, -1, 12])).tolist() == [30, 2]


# ---------------------------------------------------------------- time to death, silent and ad deaths
def test_groups_left_to_ads_die_as_ad_groups_and_the_summary_says_when() -> None:
    for seed in SEEDS:
        m = run("no_output", seed, 240, **TOLERATED)
        s, table = m.summary(), m.group_table()
        dead = table[table["died_day"] >= 0]
        assert s["groups_died_total"] == len(dead) >= 5
        assert s["ad_death_share"] > 0.9 and s["silent_death_share"] < 0.1
        assert s["ad_death_share"] == pytest.approx((dead["fate"] == "ads").mean())
        assert s["median_group_lifetime"] == float(np.median(dead["died_day"] - dead["opened_day"]))
        assert 14 <= s["median_group_lifetime"] < 240
        assert s["groups_alive_final"] == (table["fate"] == "alive").sum() == m.metrics()["groups_alive"].iloc[-1]


def test_moderated_groups_without_output_die_silent() -> None:
    for seed in SEEDS:
        s = run("no_output", seed, 365, **NO_INFLOW, **{"groups.dead_policy": "dissolve"}).summary()
        assert s["groups_died_total"] >= 3
        assert s["silent_death_share"] > 0.9 and s["ad_death_share"] < 0.1


def test_without_deaths_the_death_kpis_are_undefined() -> None:
    s = run("baseline", 1, 60, **SMALL).summary()
    assert s["groups_died_total"] == 0 and s["groups_alive_final"] >= 1
    assert s["median_group_lifetime"] is None and s["silent_death_share"] is None and s["ad_death_share"] is None
    assert s["funnel_conversion"] is None and s["splinter_groups"] == 0 and s["returned_total"] == 0


def test_run_reports_the_group_kpis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", "no_output", "--days", "60", "--out", str(tmp_path)]
    for key, value in TOLERATED.items():
        args += ["--set", f"{key}={value}"]
    code, out, _ = invoke_cli(args, capsys)
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["groups_died_total"] > 0 and summary["ad_death_share"] > 0.5
    assert "Ad-group deaths" in out or "ad_death_share" in out


# ---------------------------------------------------------------- splinters
def test_splinter_groups_appear_when_groups_decay_while_interest_remains() -> None:
    for seed in SEEDS:
        m = run("no_output", seed, 200, **SPLINTERING)
        table = m.group_table()
        splinters = table[table["owner"] >= 0]
        assert m.summary()["splinter_groups"] == len(splinters) == m.metrics()["splinters"].sum() >= 3
        assert (splinters["parent"] >= 0).all() and (splinters["opened_day"] > 0).all()
        founders = m.people
        assert (founders.interest[splinters["owner"]] >= 0.6).all()
        # no interest left: the same decay produces no splinter
        assert run("no_output", seed, 200, **SPLINTERING, **{"groups.splinter_interest": 1.0}).groups.owner.max() < 0


def test_splinter_founders_take_friends_along_the_network() -> None:
    founded = followers = 0
    for seed in SEEDS:
        ov = {**NETWORK, "output.kol_posts_per_day": 0.0, "groups.splinter_rate": 0.2, "groups.splinter_follow": 1.0}
        m = run("baseline", seed, 150, **ov)
        table = m.groups
        graph = m.friendships.graph
        for gid in np.flatnonzero(table.owner >= 0).tolist():
            founder = int(table.owner[gid])
            in_group = np.flatnonzero((m.people.group == gid) | (m.people.last_group == gid))
            others = in_group[in_group != founder]
            founded += 1
            followers += others.size
            friends = set(graph.neighbours(founder).tolist())
            joined_later = m.people.join_day[others] > table.opened_day[gid]
            assert all(int(r) in friends for r in others[~joined_later])
    assert founded >= 3 and followers > 0


def test_without_splinters_nobody_founds_a_group() -> None:
    m = run("no_output", 1, 200, **NO_INFLOW)
    assert (m.groups.owner < 0).all() and m.metrics()["splinters"].sum() == 0


# ---------------------------------------------------------------- returns
def test_people_who_left_come_back_into_groups_and_kicked_ones_do_not() -> None:
    more = 0
    for seed in SEEDS:
        m = run("baseline", seed, 150, **RETURNING)
        daily, people = m.metrics(), m.people
        assert daily["returned"].sum() == m.summary()["returned_total"] == people.returns.sum() > 50
        assert daily["returned"].sum() < 0.5 * daily["joined"].sum(), "returns are rarer than first joins"
        g = m.group_metrics()
        np.testing.assert_array_equal(g.groupby("day")["returned"].sum().to_numpy(), daily["returned"].to_numpy())
        back = np.flatnonzero(people.returns > 0)
        assert (people.join_day[back] > 0).all()
        more += daily["members"].iloc[-1] - run("baseline", seed, 150, **SMALL).metrics()["members"].iloc[-1]
    assert more > 0, "returns add members"


def test_kicked_people_never_return() -> None:
    ov = {**RETURNING, "groups.return_rate": 0.05, "moderation.ad_policy": "kick"}
    m = run("baseline", 1, 60, **ov)
    kicked, returns = np.flatnonzero(m.people.stage == KICKED), m.people.returns.copy()
    m.run(60)
    assert kicked.size > 0 and (m.people.stage[kicked] == KICKED).all()
    assert (m.people.returns[kicked] == returns[kicked]).all()
    assert m.people.returns.sum() > returns.sum()


def test_invited_returners_join_their_friends_group() -> None:
    invited = returned = 0
    for seed in SEEDS:
        ov = {**NETWORK, "groups.return_rate": 0.01, "groups.return_invited_share": 1.0}
        m = CommunityModel(load_scenario("baseline", overrides=ov), rng=seed)
        m.run(40)
        for _ in range(40):
            people = m.people
            before_returns, before_inviter = people.returns.copy(), people.invited_by.copy()
            sizes = np.bincount(people.group[people.members()], minlength=m.groups.count + 5)
            m.step()
            back = np.flatnonzero(people.returns > before_returns)
            back = back[people.group[back] >= 0]
            by = people.invited_by[back]
            new = np.flatnonzero(by != before_inviter[back])
            returned += back.size
            invited += new.size
            assert m.friendships.graph.has_edges(back[new], by[new]).all()
            g = people.group[by[new]]
            still = (g >= 0) & (sizes[g] < 450)  # the inviter is still there and had room at the start of the day
            assert (people.group[back[new]][still] == people.group[by[new]][still]).all()
    assert returned > 20 and invited > 0.5 * returned


# ---------------------------------------------------------------- the funnel
def test_a_two_tier_funnel_moves_members_from_free_to_paid_groups() -> None:
    for seed in SEEDS:
        m = run("funnel", seed, 120)
        daily, g, table = m.metrics(), m.group_metrics(), m.groups
        promoted = int(daily["promoted_to_paid"].sum())
        assert promoted >= 50
        paid = g[g["tier"] == "paid"]
        assert paid["joined"].sum() == 0, "newcomers enter free groups only"
        assert paid["promoted_in"].sum() == promoted
        people = m.people
        moved = np.flatnonzero(people.promoted_day >= 0)
        in_group = people.group[moved]
        assert (table.tier[in_group[in_group >= 0]] == PAID).all()
        assert (people.commitment[moved] >= 1.0).all()
        s = m.summary()
        assert 0 < s["funnel_conversion"] < 0.5
        assert daily["fee_revenue"].sum() == pytest.approx(30.0 * promoted)
        assert (table.tier[table.opened_day > 0] == FREE).sum() > 0


def test_promotion_by_purchase_only_promotes_buyers() -> None:
    m = run("funnel", 1, 120, **{"groups.promote_by": "purchase", "groups.paid_fee": 0.0})
    moved = np.flatnonzero(m.people.promoted_day >= 0)
    assert moved.size > 0 and (m.people.purchases[moved] >= 1).all()
    assert m.metrics()["fee_revenue"].sum() == 0.0


# ---------------------------------------------------------------- defaults and engines
def test_the_new_mechanisms_are_off_by_default() -> None:
    m = CommunityModel(load_scenario("baseline"))
    names = {step.__name__ for step in m.day_order}
    assert m.returns is None and not {"splinter", "promote"} & names
    on = CommunityModel(load_scenario("funnel", overrides={"groups.splinter_rate": 0.1, "groups.return_rate": 0.01}))
    assert {"splinter", "promote", "step"} <= {step.__name__ for step in on.day_order} and on.returns is not None


def test_both_engines_agree_with_splinters_returns_and_the_funnel() -> None:
    ov = {
        "population.potential_pool": 2000,
        "population.initial_members": 300,
        "output.kol_posts_per_day": 0.5,
        "groups.splinter_rate": 0.1,
        "groups.return_rate": 0.01,
        "groups.promote_messages": 10,
        "groups.promote_rate": 0.2,
    }
    fast = run("funnel", 2, 40, **ov)
    slow = run("funnel", 2, 40, engine="agents", **ov)
    assert fast.metrics().equals(slow.metrics())
    assert fast.metrics()["promoted_to_paid"].sum() > 0 and fast.metrics()["returned"].sum() > 0
    assert (fast.groups.fate != ALIVE).sum() == (slow.groups.fate != ALIVE).sum()
