"""The friendship network wired into the day (issue 14): referral along edges, ties as edges, contagious
leaving through friends, unequal participation; both engines agree; well_mixed stays as it was."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import CommunityModel, load_scenario
from sim.engines.member_day import message_authors
from sim.population import KICKED, LEFT
from sim.scenario.loader import scenario_from_dict

SEEDS = range(6)
SMALL = {
    "network.source": "communities",
    "population.potential_pool": 3000,
    "population.initial_members": 100,
    "acquisition.channel_inflow_per_day": 10,
}


def model(seed: int = 1, days: int = 60, engine: str = "vectorized", **overrides: object) -> CommunityModel:
    sc = load_scenario("baseline", overrides={**SMALL, **overrides})
    return CommunityModel(sc, rng=seed, engine=engine).run(days)


def test_a_graph_source_runs_and_exposes_the_network() -> None:
    m = model(days=30)
    graph = m.network
    assert graph is not None and graph.n == m.people.size
    assert graph.indptr.size == m.people.size + 1 and graph.n_edges >= m.friendships.graph.n_edges
    inv = m.invitations()
    assert list(inv.columns) == ["inviter", "invitee", "day", "friends_inside", "accepted", "joined"]
    assert len(inv) > 0 and inv["joined"].sum() > 0
    assert not (inv["joined"] & ~inv["accepted"]).any()
    joined = inv[inv["joined"]]
    assert (m.people.invited_by[joined["invitee"]] == joined["inviter"]).all()
    df = m.metrics()
    assert df["joined_referral"].sum() == inv["joined"].sum()  # referral joins all come from invitations
    bins = df[["joined_friends_0", "joined_friends_1", "joined_friends_2", "joined_friends_3plus"]].sum(axis=1)
    assert (bins == df["joined"]).all()
    cascades = m.cascades()
    assert cascades["size"].sum() - len(cascades) == inv["joined"].sum()


def test_well_mixed_has_no_graph_and_network_columns_are_empty() -> None:
    m = CommunityModel(load_scenario("baseline", overrides={"run.days": 5}), rng=1).run(5)
    assert m.network is None and m.friendships is None
    assert m.invitations().empty and m.cascades().empty
    df = m.metrics()
    assert (df["invitations"] == 0).all() and df["joined_friends_0"].isna().all()
    assert df["mean_tie_value"].between(0, 1).all() and df["top10_message_share"].isna().all()


def test_each_message_has_one_author() -> None:
    m = model(days=10)
    assert m.people.messages.sum() == m.metrics()["messages"].sum()


def test_both_engines_agree_with_a_network() -> None:
    a = model(days=8, engine="vectorized")
    b = model(days=8, engine="agents")
    pd.testing.assert_frame_equal(a.metrics(), b.metrics())
    pd.testing.assert_frame_equal(a.invitations(), b.invitations())
    assert np.array_equal(a.people.messages, b.people.messages)


def test_same_seed_same_network_run() -> None:
    a, b = model(seed=3, days=10), model(seed=3, days=10)
    pd.testing.assert_frame_equal(a.metrics(), b.metrics())
    assert np.array_equal(a.network.indices, b.network.indices)


def test_message_authors_conserve_the_group_counts() -> None:
    m = model(days=1)
    posters = np.sort(m.people.members())[:50]
    rates = np.linspace(0.0, 2.0, posters.size)
    groups = m.people.group[posters]
    messages = np.bincount(groups, minlength=m.groups.count) * 3
    day = type("D", (), {"day": 7})()
    written = message_authors(m, day, groups, rates, messages)  # type: ignore[arg-type]
    assert np.array_equal(np.bincount(groups, weights=written, minlength=m.groups.count), messages)
    assert written[rates == 0].sum() == 0  # a lurker writes nothing


def test_joining_is_contagious_among_friends() -> None:
    """People with more friends already in the group join more often (Backstrom et al. 2006)."""
    inv = pd.concat([model(seed=s, days=60).invitations() for s in SEEDS[:3]])
    rate = inv.groupby(inv["friends_inside"].clip(upper=4))["joined"].mean()
    assert rate.index.min() == 1  # the inviter is a friend inside
    assert rate.loc[4] > rate.loc[1] * 1.3
    assert rate.is_monotonic_increasing


def _friends_leaving(seed: int, kind: str) -> float:
    """Share of the remaining friends of a planned departure who leave in the 10 days after it."""
    m = model(
        seed=seed,
        days=11,
        **{
            "population.initial_members": 1000,
            "acquisition.channel_inflow_per_day": 0,
            "churn.peer_rate": 0.05,
            "network.departure_day": 10,
            "network.departure_size": 60,
            "network.departure_kind": kind,
        },
    )
    among = np.zeros(m.people.size, dtype=bool)
    among[m.friendships.departed] = True
    members = m.people.members()
    friends = members[m.friendships.graph.count_in(among)[members] > 0]
    m.run(10)
    return float(np.isin(m.people.stage[friends], [LEFT, KICKED]).mean())


def test_a_cluster_departure_takes_its_friends_more_than_a_random_one() -> None:
    cluster = np.array([_friends_leaving(s, "cluster") for s in SEEDS])
    random = np.array([_friends_leaving(s, "random") for s in SEEDS])
    departed = model(days=11, **{"network.departure_day": 10, "network.departure_size": 20}).friendships.departed
    assert departed.size == 20
    assert cluster.mean() > random.mean()
    assert (cluster > random).sum() >= 5


def test_invitation_heterogeneity_shapes_the_cascades() -> None:
    """A few heavy inviters make few bushy trees; everyone inviting alike makes many deeper, more viral ones."""

    def structure(**overrides: object) -> tuple[float, float, float]:
        trees, virality, top = [], [], []
        for s in SEEDS[:3]:
            m = model(seed=s, days=60, **overrides)
            c, inv = m.cascades(), m.invitations()
            trees.append(len(c))
            virality.append(c[c["size"] >= 10]["structural_virality"].mean())
            top.append(inv[inv["joined"]].groupby("inviter").size().max())
        return float(np.mean(trees)), float(np.mean(virality)), float(np.mean(top))

    heavy = structure()
    alike = structure(**{"network.inviter_share": 1.0, "network.inviter_sigma": 0.0})
    assert alike[0] > 2 * heavy[0]  # more trees
    assert alike[1] > heavy[1] + 0.3  # longer chains (Goel et al. 2016's structural virality)
    assert heavy[2] > 2 * alike[2]  # the busiest inviter recruits far more


def test_lurkers_exist_receive_value_and_still_invite() -> None:
    m = model(days=60)
    people = m.people
    members = people.members()
    lurkers = members[people.propensity[members] == 0]
    assert lurkers.size > 0.5 * members.size
    assert people.messages[lurkers].sum() == 0
    assert people.satisfaction[lurkers].mean() > 0.5 * people.satisfaction[members].mean()
    assert people.ties[lurkers].mean() > 0  # friends in the group give them tie value
    inv = m.invitations()
    assert (people.propensity[inv["inviter"]] == 0).any()
    df = m.metrics()
    assert df["top10_message_share"].iloc[-10:].mean() > 0.9
    assert df["top1_message_share"].iloc[-10:].mean() > 0.2


def test_replies_raise_posting() -> None:
    m = model(days=20)
    people = m.people
    members = people.members()
    assert people.feedback[members].max() > 1.0
    assert people.feedback[members].min() >= 1.0


def test_well_connected_founders_are_the_hubs() -> None:
    m = model(days=1, **{"network.founders": "well_connected", "population.initial_members": 20})
    founders = np.flatnonzero(m.people.join_day == 0)
    degree = m.friendships.graph.degree()
    assert np.sort(degree[founders])[-20:].min() >= np.sort(degree)[-20]


def test_ties_decay_without_contact() -> None:
    m = model(days=30, **{"network.tie_decay": 0.5})
    kept = m.friendships.talk.weights
    assert kept is not None and (kept >= m.params.network.tie_floor).all()


def test_bad_network_keys_are_refused() -> None:
    from sim.scenario.loader import ScenarioError

    with pytest.raises(ScenarioError, match="departure_kind"):
        scenario_from_dict({"network": {"source": "communities", "departure_kind": "everyone"}})
