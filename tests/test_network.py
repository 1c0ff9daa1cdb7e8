from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from sim.network import (
    NetworkDataError,
    NetworkSection,
    SocialGraph,
    build_attributes,
    build_network,
    cascades,
    communities,
    holme_kim,
    joins_by_friends_inside,
    message_shares,
    read_attributes,
    read_edge_list,
    rules,
    write_edge_list,
)
from sim.scenario.loader import ScenarioError, scenario_from_dict
from sim.scenario.schema import Scenario

SEEDS = [1, 2, 3]
N = 20_000


@pytest.fixture(scope="module")
def generated() -> dict[int, SocialGraph]:
    return {seed: communities(N, np.random.default_rng(seed)) for seed in SEEDS}


def _assert_valid_csr(g: SocialGraph) -> None:
    rows = g.rows()
    assert np.all(rows != g.indices), "self loop"
    # sorted, no duplicates inside each row
    keys = rows.astype(np.int64) * g.n + g.indices
    assert np.all(np.diff(keys) > 0)
    # symmetric
    back = g.indices.astype(np.int64) * g.n + rows
    assert np.array_equal(np.sort(back), keys)


# ---------------------------------------------------------------- generated structure


@pytest.mark.parametrize("seed", SEEDS)
def test_communities_mean_degree_and_validity(generated: dict[int, SocialGraph], seed: int) -> None:
    g = generated[seed]
    _assert_valid_csr(g)
    assert g.n == N
    assert g.degree().mean() == pytest.approx(20.0, rel=0.01)


@pytest.mark.parametrize("seed", SEEDS)
def test_communities_heavy_tail(generated: dict[int, SocialGraph], seed: int) -> None:
    deg = generated[seed].degree()
    assert deg.max() > 15 * deg.mean()
    # a Poisson degree of mean 20 essentially never exceeds 100; here a visible share does
    assert (deg > 100).mean() > 0.005
    # and most people have fewer friends than the mean (right-skewed)
    assert np.median(deg) < deg.mean()


@pytest.mark.parametrize("seed", SEEDS)
def test_communities_clustering_far_above_random(generated: dict[int, SocialGraph], seed: int) -> None:
    g = generated[seed]
    clustering = g.clustering().mean()
    erdos_renyi = g.degree().mean() / (g.n - 1)
    assert clustering > 50 * erdos_renyi
    assert clustering > 0.1


@pytest.mark.parametrize("seed", SEEDS)
def test_communities_most_edges_inside_circles(generated: dict[int, SocialGraph], seed: int) -> None:
    g = generated[seed]
    assert g.community is not None
    inside = (g.community[g.rows()] == g.community[g.indices]).mean()
    assert inside > 0.55
    # a random relabelling of circles puts almost no edge inside
    shuffled = np.random.default_rng(0).permutation(g.community)
    assert (shuffled[g.rows()] == shuffled[g.indices]).mean() < 0.05


def test_triadic_closure_raises_clustering() -> None:
    def clustering(tc: float) -> float:
        g = communities(5000, np.random.default_rng(7), triadic_closure=tc)
        return float(g.clustering().mean())

    assert clustering(0.5) > clustering(0.0) + 0.05


def test_mixing_moves_edges_out_of_circles() -> None:
    def inside(mixing: float) -> float:
        g = communities(5000, np.random.default_rng(7), mixing=mixing, triadic_closure=0.0)
        assert g.community is not None
        return float((g.community[g.rows()] == g.community[g.indices]).mean())

    assert inside(0.1) > inside(0.5) + 0.2


def test_mean_degree_parameter_is_met() -> None:
    for k in (4.0, 10.0, 40.0):
        g = communities(5000, np.random.default_rng(3), mean_degree=k)
        assert g.degree().mean() == pytest.approx(k, rel=0.02)


def test_generation_reproducible_for_the_same_seed() -> None:
    a = communities(3000, np.random.default_rng(42))
    b = communities(3000, np.random.default_rng(42))
    c = communities(3000, np.random.default_rng(43))
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert a.community is not None and b.community is not None
    assert np.array_equal(a.community, b.community)
    assert not np.array_equal(a.indices[: len(c.indices)], c.indices[: len(a.indices)])
    h1 = holme_kim(500, np.random.default_rng(5))
    h2 = holme_kim(500, np.random.default_rng(5))
    assert np.array_equal(h1.indices, h2.indices)


def test_holme_kim_structure() -> None:
    g = holme_kim(2000, np.random.default_rng(1), mean_degree=10, triadic_closure=0.8)
    _assert_valid_csr(g)
    assert g.degree().mean() == pytest.approx(10, rel=0.02)
    assert g.degree().max() > 5 * g.degree().mean()
    assert nx.average_clustering(g.to_networkx()) > 20 * 10 / 2000


def test_tiny_pools() -> None:
    assert communities(1, np.random.default_rng(0)).n_edges == 0
    g = communities(10, np.random.default_rng(0))
    _assert_valid_csr(g)
    assert g.degree().max() <= 9


# ---------------------------------------------------------------- SocialGraph


def _small_graph() -> SocialGraph:
    return SocialGraph.from_edges(6, [0, 0, 1, 3, 2, 1, 0], [1, 2, 2, 4, 0, 0, 0])


def test_from_edges_dedupes_and_drops_loops() -> None:
    g = _small_graph()
    _assert_valid_csr(g)
    assert g.n_edges == 4
    assert list(g.neighbours(0)) == [1, 2]
    assert list(g.degree()) == [2, 2, 2, 1, 1, 0]


def test_count_in_matches_a_naive_count_on_both_paths() -> None:
    g = communities(4000, np.random.default_rng(11))
    rng = np.random.default_rng(12)
    for share in (0.002, 0.05, 0.6):
        members = rng.random(g.n) < share
        naive = np.array([members[g.neighbours(i)].sum() for i in range(g.n)])
        assert np.array_equal(g.count_in(members), naive)
    assert np.array_equal(g.count_in(np.zeros(g.n, bool)), np.zeros(g.n))
    assert np.array_equal(g.count_in(np.ones(g.n, bool)), g.degree())


def test_count_same_and_count_in_label_match_count_in() -> None:
    g = communities(3000, np.random.default_rng(13))
    rng = np.random.default_rng(14)
    group = np.where(rng.random(g.n) < 0.3, rng.integers(0, 4, g.n), -1)
    expected = np.zeros(g.n, np.int64)
    for label in range(4):
        inside = g.count_in(group == label)
        expected[group == label] = inside[group == label]
    assert np.array_equal(g.count_same(group), expected)
    people = rng.integers(0, g.n, 500)
    label = rng.integers(0, 4, 500)
    want = [g.count_in(group == lab)[p] for p, lab in zip(people, label, strict=True)]
    assert np.array_equal(g.count_in_label(people, label, group), want)


def test_sum_same_weights_friends_in_own_group_by_engagement() -> None:
    g = SocialGraph.from_edges(6, [0, 0, 0, 1, 4], [1, 2, 3, 2, 5], [1.0, 0.5, 1.0, 1.0, 1.0])
    group = np.array([0, 0, 0, 1, -1, -1])
    engagement = np.array([1.0, 0.3, 1.0, 1.0, 1.0, 1.0])
    # person 0: friends 1 (group 0, 0.3 x weight 1) and 2 (group 0, 1.0 x weight 0.5); 3 is in another group
    assert list(g.sum_same(group, engagement)) == pytest.approx([0.8, 2.0, 0.5 + 0.3, 0.0, 0.0, 0.0])
    assert list(g.count_same(group)) == [2, 2, 2, 0, 0, 0]


def test_sum_over_friends_with_weights_matches_networkx() -> None:
    rng = np.random.default_rng(3)
    u, v = rng.integers(0, 200, 800), rng.integers(0, 200, 800)
    g = SocialGraph.from_edges(200, u, v, rng.random(800) + 0.1)
    values = rng.random(200) * (rng.random(200) < 0.3)
    got = g.sum_over_friends(values)
    nxg = g.to_networkx()
    want = [sum(values[j] * d["weight"] for j, d in nxg[i].items()) for i in range(200)]
    assert np.allclose(got, want, rtol=1e-5)


def test_add_edges_in_a_batch() -> None:
    g = _small_graph()
    added = g.add_edges([4, 5, 0, 5], [5, 3, 1, 4])
    assert added == 2  # 4-5 (twice in the batch) and 5-3; 0-1 already existed
    _assert_valid_csr(g)
    assert g.has_edges([4, 5, 3, 0], [5, 4, 5, 1]).all()
    assert g.n_edges == 6


def test_weighted_ties_refresh_decay_and_drop() -> None:
    g = SocialGraph.from_edges(5, [0, 1, 2], [1, 2, 3], [0.5, 0.9, 0.2])
    g.add_edges([0, 3], [1, 4], weight=0.8)  # 0-1 refreshed to 0.8, 3-4 new
    nxg = g.to_networkx()
    assert nxg[0][1]["weight"] == pytest.approx(0.8) and nxg[3][4]["weight"] == pytest.approx(0.8)
    assert g.weights is not None
    # person 4 talked today: their ties are refreshed, every other tie halves
    contact = (g.rows() == 4) | (g.indices == 4)
    g.weights = rules.tie_decay(g.weights, contact, rate=0.5).astype(np.float32)
    assert g.remove_weak(0.3) == 1  # 2-3 fell to 0.1
    _assert_valid_csr(g)
    weights = nx.get_edge_attributes(g.to_networkx(), "weight")
    assert weights == pytest.approx({(0, 1): 0.4, (1, 2): 0.45, (3, 4): 1.0})


def test_remove_edges() -> None:
    g = _small_graph()
    assert g.remove_edges([1, 3, 5], [0, 4, 0]) == 2
    _assert_valid_csr(g)
    assert g.n_edges == 2 and not g.has_edges([0, 3], [1, 4]).any()


def test_to_networkx_round_trip() -> None:
    g = communities(1000, np.random.default_rng(2))
    back = SocialGraph.from_networkx(g.to_networkx())
    assert np.array_equal(back.indptr, g.indptr) and np.array_equal(back.indices, g.indices)
    nxg = nx.karate_club_graph()
    assert nx.utils.graphs_equal(SocialGraph.from_networkx(nxg).to_networkx(), nx.Graph(nxg.edges()))


def test_clustering_matches_networkx() -> None:
    g = communities(1500, np.random.default_rng(8))
    want = nx.clustering(g.to_networkx())
    assert np.allclose(g.clustering(), [want[i] for i in range(g.n)])


def test_graph_memory_is_compact() -> None:
    g = communities(10_000, np.random.default_rng(1))
    # int32 indices: 2 entries x 4 bytes per tie plus 8 bytes per person
    assert g.nbytes == 8 * (g.n + 1) + 4 * 2 * g.n_edges


# ---------------------------------------------------------------- edge lists


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_edge_list_round_trip(tmp_path: Path, suffix: str) -> None:
    g = communities(2000, np.random.default_rng(4))
    path = tmp_path / f"ties{suffix}"
    write_edge_list(g, path)
    back = read_edge_list(path, 2000)
    assert np.array_equal(back.indptr, g.indptr) and np.array_equal(back.indices, g.indices)


def test_edge_list_dedupes_and_keeps_weights(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("source,target,weight\n0,1,0.5\n1,0,2.0\n2, 3,1\n0,1,1.0\n")
    g = read_edge_list(path, 10)
    assert g.n_edges == 2
    assert g.to_networkx()[0][1]["weight"] == pytest.approx(2.0)


def _write(tmp_path: Path, text: str, name: str = "e.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("a,b\n0,1\n", ["missing column 'source'", "found a, b"]),
        ("source,target\n0,1\n2,x\n", ["row 2", "column 'target'", "'x'", "not an integer"]),
        ("source,target\n0,1\n1.5,2\n", ["row 2", "column 'source'", "not an integer"]),
        ("source,target\n0,1\n3,3\n", ["row 2", "self loop", "person 3"]),
        ("source,target\n0,-4\n", ["row 1", "column 'target'", "unknown person id -4", "0..9"]),
        ("source,target\n0,1\n1,25\n", ["row 2", "outside the pool 0..9", "population.potential_pool", "26"]),
        ("source,target,weight\n0,1,0\n", ["row 1", "column 'weight'", "> 0"]),
        ("source,target,colour\n0,1,red\n", ["unknown column 'colour'", "source, target, weight"]),
        ("source,target\n0,\n", ["row 1", "column 'target'", "not an integer"]),
    ],
)
def test_edge_list_bad_input_is_one_line_naming_file_row_column(tmp_path: Path, text: str, pieces: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(NetworkDataError) as info:
        read_edge_list(path, 10)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    for piece in pieces:
        assert piece in message


def test_edge_list_file_problems(tmp_path: Path) -> None:
    with pytest.raises(NetworkDataError, match="file not found"):
        read_edge_list(tmp_path / "none.csv", 10)
    with pytest.raises(NetworkDataError, match="unsupported file type '.txt'"):
        read_edge_list(_write(tmp_path, "source,target\n", "e.txt"), 10)
    with pytest.raises(NetworkDataError, match="cannot be read"):
        read_edge_list(_write(tmp_path, "not parquet", "e.parquet"), 10)


def test_attributes(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,interest,wtp\n3,0.9,100\n0,0.1,0\n", "a.csv")
    attrs = read_attributes(path, 5)
    assert set(attrs) == {"interest", "wtp"}
    assert attrs["interest"][3] == pytest.approx(0.9) and attrs["interest"][0] == pytest.approx(0.1)
    assert np.isnan(attrs["interest"][[1, 2, 4]]).all()
    for text, piece in [
        ("id,height\n0,1\n", "unknown column 'height'"),
        ("id,interest\n0,0.5\n0,0.6\n", "row 2, column 'id': person id 0 is listed twice"),
        ("id,interest\n0,1.5\n", "row 1, column 'interest': 1.5 is not a number in 0..1"),
        ("id,wtp\n7,1\n", "outside the pool 0..4"),
        ("interest\n0.5\n", "missing column 'id'"),
    ]:
        with pytest.raises(NetworkDataError, match=piece.replace(".", r"\.")):
            read_attributes(_write(tmp_path, text, "a.csv"), 5)


# ---------------------------------------------------------------- section and sources


def test_network_section_defaults_to_well_mixed() -> None:
    assert Scenario().network.source == "well_mixed"
    assert build_network(Scenario().network, 100, np.random.default_rng(0)) is None
    assert build_attributes(Scenario().network, 100) == {}


def test_network_section_validation() -> None:
    with pytest.raises(ValidationError, match="network.edge_list must name"):
        NetworkSection(source="edge_list")
    with pytest.raises(ValidationError, match="only read when"):
        NetworkSection(edge_list="e.csv")
    with pytest.raises(ValidationError):
        NetworkSection(mixing=1.5)
    with pytest.raises(ValidationError):
        NetworkSection(colour="red")  # type: ignore[call-arg]
    with pytest.raises(ScenarioError, match="network"):
        scenario_from_dict({"network": {"source": "small_world"}})


def test_build_network_sources(tmp_path: Path) -> None:
    g = build_network(NetworkSection(source="communities", mean_degree=8), 3000, np.random.default_rng(1))
    assert g is not None and g.degree().mean() == pytest.approx(8, rel=0.02)
    h = build_network(NetworkSection(source="holme_kim", mean_degree=6), 300, np.random.default_rng(1))
    assert h is not None and h.degree().mean() == pytest.approx(6, rel=0.05)
    (tmp_path / "ties.csv").write_text("source,target\n0,1\n1,2\n")
    (tmp_path / "traits.csv").write_text("id,interest\n2,0.7\n")
    section = NetworkSection(source="edge_list", edge_list="ties.csv", attributes="traits.csv")
    e = build_network(section, 5, np.random.default_rng(0), base_dir=tmp_path)
    assert e is not None and e.n_edges == 2
    assert build_attributes(section, 5, base_dir=tmp_path)["interest"][2] == pytest.approx(0.7)


# ---------------------------------------------------------------- rules


def test_invitation_propensity_is_zero_inflated_and_heavy_tailed() -> None:
    rng = np.random.default_rng(0)
    p = rules.draw_invitation_propensity(rng, 200_000, mean=0.05, inviter_share=0.1, sigma=1.2)
    assert (p == 0).mean() == pytest.approx(0.9, abs=0.005)
    assert p.mean() == pytest.approx(0.05, rel=0.05)
    top = np.sort(p)[::-1]
    assert top[:2000].sum() / p.sum() > 0.1  # the top 1% send over a tenth of the invitations
    flat = rules.draw_invitation_propensity(rng, 1000, mean=0.05, inviter_share=1.0, sigma=0.0)
    assert np.allclose(flat, 0.05)
    with pytest.raises(ValueError):
        rules.draw_invitation_propensity(rng, 10, mean=0.05, inviter_share=0.0, sigma=1.0)


def test_founder_burst_fades() -> None:
    m = rules.founder_burst(np.array([0, 7, 14, 70]), burst=9.0, burst_days=7.0)
    assert m[0] == pytest.approx(10.0) and np.all(np.diff(m) < 0) and m[-1] == pytest.approx(1.0, abs=1e-3)
    assert np.all(rules.founder_burst(np.arange(5), burst=0.0, burst_days=7.0) == 1.0)
    assert list(rules.founder_burst(np.array([0, 1]), burst=3.0, burst_days=0.0)) == [4.0, 1.0]


def test_invitations_sent_mean() -> None:
    sent = rules.invitations_sent(np.random.default_rng(1), np.full(100_000, 0.2), 3.0)
    assert sent.mean() == pytest.approx(0.6, rel=0.02)
    assert rules.invitations_sent(np.random.default_rng(1), np.zeros(10)).sum() == 0


def test_acceptance_rises_with_interest_and_friends_with_diminishing_returns() -> None:
    k = np.arange(0, 30)
    p = rules.acceptance_probability(0.8, k, base=0.1, per_friend=0.2)
    gains = np.diff(p)
    assert np.all(gains > 0) and np.all(np.diff(gains) < 0)
    assert p[0] == pytest.approx(0.08) and p[-1] == pytest.approx(0.8, abs=2e-3) and p.max() <= 0.8
    by_interest = rules.acceptance_probability(np.linspace(0, 1, 11), 2, base=0.1, per_friend=0.2)
    assert by_interest[0] == 0 and np.all(np.diff(by_interest) > 0)
    assert np.all(rules.acceptance_probability(0.5, k, base=0.1, per_friend=0.0) == pytest.approx(0.05))


def test_tie_value_saturates() -> None:
    v = rules.tie_value(np.array([0.0, 1.0, 5.0, 50.0]), saturation=5.0)
    assert v[0] == 0 and np.all(np.diff(v) > 0) and v[2] == pytest.approx(1 - np.exp(-1)) and v[-1] < 1


def test_tie_formation_rate_and_talk_ties() -> None:
    r = rules.tie_formation_rate(np.array([0, 1, 2]), np.array([10, 10, 10]), rate=0.1, crowd_size=300)
    assert r[0] == 0 and r[2] == pytest.approx(2 * r[1])
    assert rules.tie_formation_rate(1, 300, 0.1, 300) == pytest.approx(0.05)
    rng = np.random.default_rng(5)
    group = np.repeat([0, 1, -1], [40, 40, 20])
    messages = rng.poisson(2.0, 100).astype(float)
    u, v = rules.talk_ties(rng, group, messages, rate=0.5, crowd_size=300)
    assert len(u) > 20 and np.all(u != v) and np.all(group[u] == group[v]) and np.all(group[u] >= 0)
    assert np.all(messages[v] > 0) and np.all(messages[u] > 0)
    quiet = np.where(np.arange(100) < 40, messages, 0.0)
    u2, v2 = rules.talk_ties(np.random.default_rng(5), group, quiet, rate=0.5, crowd_size=300)
    assert np.all(group[u2] == 0)
    none_u, _ = rules.talk_ties(rng, group, messages, rate=0.0, crowd_size=300)
    assert len(none_u) == 0


def test_tie_decay() -> None:
    w = rules.tie_decay(np.array([1.0, 0.5, 0.2]), np.array([False, True, False]), rate=0.1)
    assert list(w) == pytest.approx([0.9, 1.0, 0.18])
    w30 = np.array([1.0])
    for _ in range(30):
        w30 = rules.tie_decay(w30, np.array([False]), rate=0.1)
    assert w30[0] == pytest.approx(0.9**30)


def test_friend_leave_hazard_reduces_to_irsir_on_a_complete_graph() -> None:
    h = rules.friend_leave_hazard(np.array([0, 1, 5, 3]), np.array([10, 10, 10, 0]), rate=0.2)
    assert list(h) == pytest.approx([0.0, 0.02, 0.1, 0.0])
    # complete graph of N: each member's friends are everyone else, so the share of friends
    # who left is R/(N-1), the irSIR term v*R/N up to one person
    n, left = 1000, 250
    assert rules.friend_leave_hazard(left, n - 1, rate=0.2) == pytest.approx(0.2 * left / n, rel=0.01)


def test_posting_propensity_has_lurkers_and_a_core() -> None:
    p = rules.draw_posting_propensity(np.random.default_rng(2), 100_000, mean=1.0, poster_share=0.3, sigma=1.5)
    assert (p == 0).mean() == pytest.approx(0.7, abs=0.01)
    assert p.mean() == pytest.approx(1.0, rel=0.1)
    shares = message_shares(p)
    assert shares[0.1] > 0.5 and shares[0.01] > 0.1


def test_posting_rate_responds_to_replies_and_recognition() -> None:
    r = rules.posting_rate(1.0, np.arange(0, 20), 0.0, reply_gain=1.0, reply_saturation=3.0, recognition_gain=0.5)
    assert r[0] == 1.0 and np.all(np.diff(r) > 0) and np.all(np.diff(r, 2) < 0) and r[-1] < 2.0
    rec = rules.posting_rate(1.0, 0, np.array([0, 0.5, 1]), 1.0, 3.0, 0.5)
    assert list(rec) == pytest.approx([1.0, 1.25, 1.5])
    assert rules.posting_rate(0.0, 10, 1.0, 1.0, 3.0, 0.5) == 0.0


# ---------------------------------------------------------------- observables


def _tree(edges: list[tuple[int, int]]) -> pd.DataFrame:
    src, dst = zip(*edges, strict=True)
    return cascades(src, dst, np.arange(len(edges)), np.ones(len(edges), bool))


def test_cascade_metrics_on_hand_built_forests() -> None:
    # path 0-1-2-3 (W = 10), star 10 -> 11, 12, 13 (W = 3*1 + 3*2 = 9), pair 20 -> 21 (W = 1)
    df = _tree([(0, 1), (1, 2), (2, 3), (10, 11), (10, 12), (10, 13), (20, 21)])
    rows = {r.root: r for r in df.itertuples()}
    assert set(rows) == {0, 10, 20}
    assert (rows[0].size, rows[0].depth, rows[0].wiener_index) == (4, 3, 10)
    assert (rows[10].size, rows[10].depth, rows[10].wiener_index) == (4, 1, 9)
    assert (rows[20].size, rows[20].depth, rows[20].wiener_index) == (2, 1, 1)
    assert rows[0].structural_virality == pytest.approx(10 / 6)
    assert rows[10].structural_virality == pytest.approx(9 / 6)
    assert (rows[0].first_day, rows[0].last_day) == (0, 2)


def test_cascades_match_networkx_on_random_trees() -> None:
    rng = np.random.default_rng(9)
    edges = []
    for offset in (0, 1000, 2000):
        size = int(rng.integers(2, 60))
        edges += [(offset + int(rng.integers(0, i)), offset + i) for i in range(1, size)]
    df = cascades(*zip(*edges, strict=True), np.zeros(len(edges)), np.ones(len(edges), bool))
    tree = nx.Graph(edges)
    for row in df.itertuples():
        comp = tree.subgraph(nx.node_connected_component(tree, row.root))
        assert row.size == comp.number_of_nodes()
        assert row.wiener_index == nx.wiener_index(comp)
        assert row.depth == max(nx.single_source_shortest_path_length(comp, row.root).values())


def test_cascades_use_only_accepted_and_earliest() -> None:
    df = cascades([0, 5, 0, 1], [1, 1, 2, 3], [3, 1, 2, 4], [True, True, False, True])
    # 1 accepted 5's invitation first (day 1); 0's invitation of 2 was declined
    assert list(df["root"]) == [5] and list(df["size"]) == [3] and list(df["depth"]) == [2]
    empty = cascades([0], [1], [0], [False])
    assert empty.empty and list(empty.columns) == [
        "root",
        "size",
        "depth",
        "wiener_index",
        "structural_virality",
        "first_day",
        "last_day",
    ]
    with pytest.raises(ValueError, match="cycle"):
        cascades([0, 1], [1, 0], [0, 1], [True, True])


def test_message_shares() -> None:
    assert message_shares(np.ones(100)) == pytest.approx({0.01: 0.01, 0.1: 0.1})
    assert message_shares(np.r_[50.0, np.zeros(99)]) == {0.01: 1.0, 0.1: 1.0}
    assert np.isnan(message_shares(np.zeros(10))[0.1])
    assert message_shares(np.arange(10.0), tops=(0.5,))[0.5] == pytest.approx(35 / 45)


def test_joins_by_friends_inside() -> None:
    df = joins_by_friends_inside([0, 0, 0, 1, 1, 2, 15], [False, False, True, True, False, True, True], cap=3)
    assert list(df["exposed"]) == [3, 2, 1, 1]
    assert list(df["joins"]) == [1, 1, 1, 1]
    assert df["join_rate"].iloc[0] == pytest.approx(1 / 3)


def test_wiener_index_is_the_sum_of_pairwise_distances() -> None:
    # the Wiener index equals the sum of all pairwise distances (brute force on a small tree)
    edges = [(0, 1), (0, 2), (2, 3), (2, 4), (4, 5)]
    g = nx.Graph(edges)
    brute = sum(nx.shortest_path_length(g, a, b) for a, b in itertools.combinations(g.nodes, 2))
    assert _tree(edges)["wiener_index"].iloc[0] == brute


def test_generator_defaults_are_the_section_defaults() -> None:
    import inspect

    section = NetworkSection()
    for fn in (communities, holme_kim):
        for name, param in inspect.signature(fn).parameters.items():
            if name in NetworkSection.model_fields:
                assert param.default == getattr(section, name), f"{fn.__name__}({name}=...)"
