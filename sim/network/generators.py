"""Generated friendship graphs with realistic structure, vectorized up to 10^6 people.

`communities` is the generator for pools of any size. It combines four well-studied
ingredients, each sampled with whole-array numpy operations:

1. heavy-tailed expected degrees: a truncated power law P(w) ~ w^-gamma between a floor
   and `max_degree`, with the floor solved so the mean is `mean_degree` (Chung & Lu
   2002; the exponent 2 < gamma < 3 of most social graphs, Barabási & Albert 1999);
2. circles of friends: people are dealt into communities of lognormal sizes around
   `community_size_mean` (Dunbar's layers of about 5, 15, 50, 150 people, Zhou et al.
   2005), people with many friends tending to sit in large circles (so a circle can hold
   their inside ties, as LFR requires), and a share 1 - `mixing` of each person's ties is wired inside their
   community, the rest across the pool (the mixing parameter mu of the LFR benchmark,
   Lancichinetti, Fortunato & Radicchi 2008);
3. both parts wired Chung–Lu style: each edge's endpoints are drawn with probability
   proportional to the expected degrees, inside the community or across the pool;
   self loops and repeats are dropped and the shortfall drawn again;
4. triadic closure: a share `triadic_closure` of the ties is formed by a friend-of-a-friend
   step (pick a tie u–v, then another friend w of u, and connect v–w), as in Holme & Kim
   2002 and Jackson & Rogers 2007, which raises clustering and keeps the heavy tail.

`holme_kim` wraps networkx's `powerlaw_cluster_graph` (Holme & Kim 2002) for small pools:
it is a sequential Python loop (4 to 12 s for 10^4 people with mean degree 20 on a shared 2-core machine, see
benchmarks/network_results.json), so the vectorized generator is the one to use beyond.
At 10^6 people and mean degree 20 `communities` takes about 30 s and 0.5 GB above the
import baseline while it builds the 88 MB graph.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from sim.network.graph import SocialGraph

_MAX_ROUNDS = 12
#: edges drawn per vectorized batch: bounds the temporaries of a 10^6-person graph
_CHUNK = 1 << 21


def expected_degrees(
    n: int, mean_degree: float, exponent: float, max_degree: float, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """Draw `n` expected degrees from a power law w^-exponent truncated at `max_degree`, with mean `mean_degree`.

    The floor of the power law is solved (bisection) so that the truncated
    distribution's mean is `mean_degree`; the draw is by inverse transform.
    """
    cap = float(min(max_degree, n - 1))
    if mean_degree >= cap:
        return np.full(n, cap)
    a = exponent - 1.0

    def mean_of(floor: float) -> float:
        r = floor / cap
        if abs(a - 1.0) < 1e-9:
            return floor * np.log(1.0 / r) / (1.0 - r)
        return a * floor / (a - 1.0) * (1.0 - r ** (a - 1.0)) / (1.0 - r**a)

    lo, hi = 1e-9, mean_degree
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mean_of(mid) < mean_degree:
            lo = mid
        else:
            hi = mid
    floor = 0.5 * (lo + hi)
    top = 1.0 - (floor / cap) ** a
    u = rng.random(n) * top
    return np.asarray(floor * (1.0 - u) ** (-1.0 / a), dtype=np.float64)


def community_sizes(n: int, size_mean: float, size_sigma: float, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Sizes (each >= 2) of communities that partition `n` people, lognormal around `size_mean`."""
    mu = np.log(size_mean) - size_sigma**2 / 2
    sizes = np.zeros(0, np.int64)
    while sizes.sum() < n:
        batch = int(n / size_mean * 1.2) + 8
        draw = np.maximum(2, np.rint(rng.lognormal(mu, size_sigma, batch))).astype(np.int64)
        sizes = np.concatenate([sizes, draw])
    cut = int(np.searchsorted(np.cumsum(sizes), n))
    sizes = sizes[: cut + 1]
    sizes[-1] -= sizes.sum() - n
    if sizes[-1] < 2 and len(sizes) > 1:
        sizes[-2] += sizes[-1]
        sizes = sizes[:-1]
    return sizes


def communities(
    n: int,
    rng: np.random.Generator,
    mean_degree: float = 20.0,
    degree_exponent: float = 2.5,
    max_degree: float = 1000.0,
    community_size_mean: float = 50.0,
    community_size_sigma: float = 0.8,
    mixing: float = 0.2,
    triadic_closure: float = 0.2,
) -> SocialGraph:
    """Generate a graph of `n` people with heavy-tailed degrees, circles of friends and triadic closure.

    See the module docstring for the construction and its sources. The returned graph
    carries `community` (each person's circle). The mean degree comes out within about
    1% of `mean_degree` (the repeat draws make up for dropped duplicates); it is capped
    at what the pool allows.
    """
    if n < 3:
        return SocialGraph.empty(n)
    target_edges = int(round(n * min(mean_degree, n - 1) / 2))
    weight = expected_degrees(n, mean_degree, degree_exponent, max_degree, rng)

    # people are dealt into communities in a random order: position k is person perm[k]
    sizes = community_sizes(n, community_size_mean, community_size_sigma, rng)
    perm = rng.permutation(n).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    comm_of_pos = np.repeat(np.arange(len(sizes)), sizes)
    # people with many friends tend to sit in large circles (LFR's constraint that a
    # community can hold a node's internal degree): match the ranks of log degree and
    # log circle size, each blurred by unit lognormal noise
    size_rank = np.argsort(np.log(sizes[comm_of_pos]) + rng.normal(0.0, 1.0, n))
    weight_rank = np.argsort(np.log(weight) + rng.normal(0.0, 1.0, n))
    matched = np.empty(n)
    matched[size_rank] = weight[weight_rank]
    weight = matched
    # inside a circle a person cannot have more friends than the circle allows
    inside = np.minimum((1.0 - mixing) * weight, 0.7 * (sizes[comm_of_pos] - 1))
    outside = weight - inside

    structural = int(round(target_edges * (1.0 - triadic_closure)))
    share_inside = inside.sum() / max(weight.sum(), 1e-12)
    cum_in = np.concatenate([[0.0], np.cumsum(inside)])
    cum_out = np.concatenate([[0.0], np.cumsum(outside)])

    def draw(count: int) -> npt.NDArray[np.int64]:
        return np.concatenate([draw_chunk(min(_CHUNK, count - done)) for done in range(0, count, _CHUNK)])

    def draw_chunk(count: int) -> npt.NDArray[np.int64]:
        k_in = int(rng.binomial(count, share_inside))
        # inside: first endpoint by weight, second by weight within the same community
        a = _pick(cum_in, rng.random(k_in) * cum_in[-1])
        c = comm_of_pos[a]
        lo_cum, width = cum_in[starts[c]], cum_in[starts[c] + sizes[c]] - cum_in[starts[c]]
        b = _pick(cum_in, lo_cum + rng.random(k_in) * width)
        b = np.clip(b, starts[c], starts[c] + sizes[c] - 1)
        # across the pool: both endpoints by their outside weight (Chung-Lu)
        k_out = count - k_in
        x = _pick(cum_out, rng.random(k_out) * cum_out[-1])
        y = _pick(cum_out, rng.random(k_out) * cum_out[-1])
        return _canonical(np.concatenate([a, x]), np.concatenate([b, y]), n)

    keys = _fill(structural, draw, rng)

    keys = _close_triads(keys, target_edges, n, rng)
    u = perm[keys // n]
    v = perm[keys % n]
    del keys
    out = SocialGraph.from_edges(n, u, v)
    del u, v
    community = np.empty(n, np.int32)
    community[perm] = comm_of_pos
    out.community = community
    return out


def holme_kim(n: int, rng: np.random.Generator, mean_degree: float = 20.0, triadic_closure: float = 0.2) -> SocialGraph:
    """Holme & Kim (2002) growth with preferential attachment and triad formation (networkx).

    Each newcomer makes mean_degree/2 ties; after each preferential tie it closes a
    triangle with probability `triadic_closure`. Sequential: for small pools only.
    """
    import networkx as nx

    m = int(max(1, min(round(mean_degree / 2), n - 1)))
    if n <= m:
        return SocialGraph.empty(n)
    return SocialGraph.from_networkx(nx.powerlaw_cluster_graph(n, m, triadic_closure, seed=rng))


def _close_triads(keys: npt.NDArray[np.int64], target: int, n: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Add friend-of-a-friend ties to the edges `keys` until there are `target`."""
    graph = SocialGraph.from_edges(n, keys // n, keys % n)
    if target <= len(keys) or graph.n_edges == 0:
        return keys
    deg = graph.degree()
    introducers = np.flatnonzero(deg >= 2)

    def close(count: int) -> npt.NDArray[np.int64]:
        return np.concatenate([close_chunk(min(_CHUNK, count - done)) for done in range(0, count, _CHUNK)])

    def close_chunk(count: int) -> npt.NDArray[np.int64]:
        # a random person introduces two of their friends to each other
        centre = rng.choice(introducers, count)
        first = graph.indptr[centre] + (rng.random(count) * deg[centre]).astype(np.int64)
        second = graph.indptr[centre] + (rng.random(count) * deg[centre]).astype(np.int64)
        return _canonical(graph.indices[first], graph.indices[second], n)

    return _fill(target, close, rng, keys)


def _pick(cum: npt.NDArray[np.float64], points: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Index `i` with ``cum[i] <= point < cum[i + 1]`` for each point (weighted sampling)."""
    idx = np.searchsorted(cum, points, side="right") - 1
    return np.clip(idx, 0, len(cum) - 2).astype(np.int64)


def _canonical(u: npt.NDArray[np.integer], v: npt.NDArray[np.integer], n: int) -> npt.NDArray[np.int64]:
    """Sorted unique keys lo*n+hi of the undirected pairs, self loops dropped."""
    u = np.asarray(u, np.int64)
    v = np.asarray(v, np.int64)
    keep = u != v
    u, v = u[keep], v[keep]
    return sorted_unique(np.minimum(u, v) * n + np.maximum(u, v))


def sorted_unique(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Sorted distinct values, sorting `keys` in place (numpy's hash-based `np.unique` is far slower on 10^7 int64)."""
    keys.sort()
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return keys if first.all() else keys[first]


def _merge_unique(have: npt.NDArray[np.int64], fresh: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Merge new keys into the sorted unique `have` (one small sort, one linear merge)."""
    fresh = sorted_unique(fresh)
    if len(have) == 0:
        return fresh
    pos = np.searchsorted(have, fresh)
    seen = (pos < len(have)) & (have[np.minimum(pos, len(have) - 1)] == fresh)
    return np.insert(have, pos[~seen], fresh[~seen])


def _fill(
    target: int,
    draw: Callable[[int], npt.NDArray[np.int64]],
    rng: np.random.Generator,
    keys: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.int64]:
    """Add drawn edges to `keys` until `target` distinct ones exist; drop a random surplus of drawn ones."""
    start = np.zeros(0, np.int64) if keys is None else keys
    have = start
    extra = 1.05
    for _ in range(_MAX_ROUNDS):
        need = target - len(have)
        if need <= 0:
            break
        fresh = draw(int(need * extra) + 16)
        before = len(have)
        have = _merge_unique(have, fresh)
        # the share of draws that were repeats tells how much to overdraw next time
        extra = min(20.0, max(1.05, len(fresh) / max(len(have) - before, 1) * 1.05))
    surplus = len(have) - target
    if surplus > 0:
        drawn = np.ones(len(have), bool)
        drawn[np.searchsorted(have, start)] = False
        drop = rng.choice(np.flatnonzero(drawn), surplus, replace=False)
        drawn[:] = True
        drawn[drop] = False
        have = have[drawn]
    return have
