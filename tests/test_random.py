"""Keyed random numbers: uniform, independent across keys, reproducible, and exact inversions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.random import Draws, binomial_inverse, poisson_inverse, poisson_quantile, seed_integer

N = 200_000


def test_uniforms_are_uniform_in_the_unit_interval() -> None:
    u = Draws(7).uniform("member.move", 3, np.arange(N))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    counts = np.bincount((u * 100).astype(int), minlength=100)
    assert stats.chisquare(counts).pvalue > 1e-3


@pytest.mark.parametrize(
    "other",
    [
        (8, "member.move", 3, 0),  # another seed
        (7, "member.buy", 3, 0),  # another mechanism
        (7, "member.move", 4, 0),  # another day
        (7, "member.move", 3, 1),  # another slot
    ],
)
def test_draws_under_different_keys_are_uncorrelated(other: tuple[int, str, int, int]) -> None:
    ids = np.arange(N)
    u = Draws(7).uniform("member.move", 3, ids)
    seed, mechanism, day, slot = other
    v = Draws(seed).uniform(mechanism, day, ids, slot=slot)
    assert abs(stats.pearsonr(u, v).statistic) < 5 / np.sqrt(N)
    # neighbouring identities are independent too
    assert abs(stats.pearsonr(u[:-1], u[1:]).statistic) < 5 / np.sqrt(N)


def test_a_draw_depends_only_on_its_key_not_on_who_else_draws() -> None:
    d = Draws(11)
    all_ids = np.arange(1000)
    some = np.array([5, 999, 17, 400])
    assert np.array_equal(d.uniform("x", 2, all_ids)[some], d.uniform("x", 2, some))
    assert np.array_equal(Draws(11).uniform("x", 2, some), d.uniform("x", 2, some))
    assert d.one("x", 2, 17) == d.uniform("x", 2, [17])[0]
    before = d.uniform("x", 2, all_ids)
    d.release()  # the scratch buffers go; the numbers stay
    assert d._buffers[0].size == 0 and np.array_equal(d.uniform("x", 2, all_ids), before)


def test_a_grid_of_person_and_group_draws_is_the_same_as_drawing_each_pair() -> None:
    """uniform_grid(rows, cols, span) gives uniform(rows * span + cols) bit for bit, whatever the buffers held."""
    draws = Draws(11)
    rows = np.array([0, 5, 299_999, 7, 12_345_678], dtype=np.int64)
    cols = np.array([3, 0, 1000, 77], dtype=np.intp)
    span = 1 << 24
    ids = rows.astype(np.uint64)[:, None] * np.uint64(span) + cols.astype(np.uint64)[None, :]
    draws.uniform("other", 4, np.arange(1000))  # leaves larger buffers behind
    grid = draws.uniform_grid("groups.choice", 0, rows, cols, span)
    assert grid.shape == (5, 4)
    np.testing.assert_array_equal(grid, draws.uniform("groups.choice", 0, ids))
    assert draws.uniform_grid("groups.choice", 0, rows[:0], cols, span).shape == (0, 4)


def test_poisson_inversion_is_the_exact_quantile() -> None:
    rng = np.random.default_rng(0)
    u = rng.random(20_000)
    lam = np.concatenate([rng.lognormal(-0.5, 1.0, 19_000), rng.uniform(150, 3000, 1000)])
    assert np.array_equal(poisson_inverse(u, lam), stats.poisson.ppf(u, lam).astype(np.int64))
    assert poisson_inverse(np.array([0.3]), 0.0)[0] == 0


def _sequential_search(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The recurrence of `poisson_inverse` below lam = 200 in numpy throughout, every entry to its end."""
    p = np.exp(-lam)
    cdf, k = p.copy(), np.zeros(u.size, dtype=np.int64)
    for j in range(1, 4):
        k += u >= cdf
        p *= lam
        p /= j
        cdf += p
    active, j = u >= cdf, 3
    while active.any():
        j += 1
        k[active] = j
        p = p * lam / j
        cdf = cdf + p
        active &= (u >= cdf) & (p > 0)
    return k


def test_the_poisson_search_finishes_its_largest_counts_with_the_same_arithmetic() -> None:
    # the last entries of the search go on in Python floats: the same recurrence, the same counts
    rng = np.random.default_rng(4)
    for n in (1, 30, 49, 400, 3000):
        u = rng.random(n)
        lam = np.concatenate([rng.uniform(20, 200, n // 2 + 1), rng.lognormal(0, 1, n)])[:n]
        assert np.array_equal(poisson_inverse(u, lam), _sequential_search(u, lam))
        assert [poisson_inverse(u[i : i + 1], lam[i])[0] for i in range(min(n, 60))] == _sequential_search(u, lam)[
            :60
        ].tolist()


def test_poisson_draws_have_the_poisson_mean_and_variance() -> None:
    k = Draws(3).poisson("member.messages", 0, np.arange(N), 2.5)
    assert abs(k.mean() - 2.5) < 4 * np.sqrt(2.5 / N)
    assert abs(k.var() - 2.5) < 0.05


def test_binomial_inversion_is_the_exact_quantile() -> None:
    rng = np.random.default_rng(1)
    u, n, p = rng.random(5000), rng.integers(0, 2000, 5000), rng.random(5000)
    p[:100], p[100:200] = 0.0, 1.0
    assert np.array_equal(binomial_inverse(u, n, p), stats.binom.ppf(u, n, p).astype(np.int64))


def test_a_small_change_of_rate_changes_few_counts() -> None:
    """Inversion pairs: raising every rate by 1% changes a count for about 1% x rate of identities."""
    d = Draws(5)
    ids = np.arange(N)
    a = d.poisson("member.messages", 0, ids, 1.0)
    b = d.poisson("member.messages", 0, ids, 1.01)
    assert (b >= a).all()
    assert (a != b).mean() < 0.01


def test_seed_forms() -> None:
    assert seed_integer(42) == 42
    ss = np.random.SeedSequence(42)
    assert seed_integer(ss) == seed_integer(np.random.default_rng(np.random.SeedSequence(42)))
    with pytest.raises(TypeError):
        seed_integer("42")


def test_the_scalar_poisson_quantile_matches_the_array_one() -> None:
    rng = np.random.default_rng(2)
    u, lam = rng.random(3000), np.concatenate([rng.uniform(0, 12, 2990), [0.0, 250.0, 1e-9, 3, 3, 3, 3, 3, 3, 3]])
    expected = poisson_inverse(u, lam)
    assert [poisson_quantile(float(a), float(b)) for a, b in zip(u, lam, strict=True)] == expected.tolist()
    d = Draws(9)
    assert d.poisson_one("output.kol_posts", 4, 2, 2.5) == d.poisson("output.kol_posts", 4, [2], 2.5)[0]


def test_binomial_inversion_is_exact_in_skewed_far_tails() -> None:
    """Where the normal approximation starts far from the quantile (rare events, u near 1)."""
    rng = np.random.default_rng(4)
    u = np.concatenate([1 - rng.uniform(1e-16, 1e-9, 500), rng.uniform(0, 1e-9, 500)])
    n = rng.integers(10**5, 10**7, 1000)
    p = rng.uniform(1, 200, 1000) / n  # means from 1 to 200: the far upper tail is 10 steps from the start
    assert np.array_equal(binomial_inverse(u, n, p), stats.binom.ppf(u, n, p).astype(np.int64))
