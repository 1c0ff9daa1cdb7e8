"""Keyed random numbers: every draw is a pure function of (run seed, mechanism, day, identity).

With one shared random stream, a lever that changes one early draw (one more KOL post,
one more kick) shifts every later draw of the run, so two scenarios run with the same
seed diverge from day 2 and their comparison pairs nothing. Here a draw is not taken
from a stream but computed: a counter-based hash (splitmix64: the identity times the
golden ratio plus a key, through splitmix64's finaliser) of the run seed, the
mechanism's name, the day, the identity of who draws (a person's row, a group id, a
KOL's serial number) and a slot for several draws of the
same kind. A person whom a lever does not reach makes exactly the same draws in both
scenarios, whatever happened to anybody else; and the result of a draw does not
depend on the order in which members are visited, so the vectorized and the
agent-by-agent engines draw the same numbers.

This is the common-random-numbers construction of Klein, Abeysuriya, Stuart & Kerr
(2024), "Noise-free comparison of stochastic agent-based simulations using common
random numbers" (arXiv:2409.02086), as starsim implements it with per-agent slots.
Non-uniform draws are made by inversion from keyed uniforms (Poisson and binomial by
exact discrete inversion; normal by its quantile function), so a small change of a
rate changes a count little, and only for the identity whose rate changed.

    draws = Draws(seed=7)
    u = draws.uniform("member.move", day, rows)          # one uniform per row
    k = draws.poisson("member.messages", day, rows, lam)  # one count per row
"""

from __future__ import annotations

import hashlib
import math
import random

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11, _S30, _S27, _S31 = np.uint64(11), np.uint64(30), np.uint64(27), np.uint64(31)
_MASK = (1 << 64) - 1
_TO_UNIT = 2.0**-53
_BLOCK_BITS, _BLOCK_MASK = 6, 63  # `Draws.one` draws blocks of 64 identities
_CACHE_SIZE = 4096  # keys and blocks kept (those of about a day) before they are dropped
_SCALAR_TAIL = 48  # `poisson_inverse`: entries still searching when the search goes on in Python floats


def _mix(x: NDArray[np.uint64], scratch: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64's finaliser (Steele, Lea & Flood 2014), in place on `x`, shifts through `scratch`.

    Every step writes into an existing array: fresh temporaries of a large array cost
    more in page faults than the arithmetic itself.
    """
    np.right_shift(x, _S30, out=scratch)
    x ^= scratch
    x *= _M1
    np.right_shift(x, _S27, out=scratch)
    x ^= scratch
    x *= _M2
    np.right_shift(x, _S31, out=scratch)
    x ^= scratch
    return x


def _mix_int(x: int) -> int:
    """splitmix64's finaliser on one Python int (for keys)."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def mechanism_key(name: str) -> int:
    """Return a stable 64-bit key for a mechanism's name (the same in every process and Python)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def seed_integer(rng: object) -> int:
    """Return the integer run seed behind `rng`: an int, a numpy SeedSequence, or a Generator.

    A Generator is not consumed: its bit generator's seed sequence is read when it has
    one, otherwise its current state is hashed.
    """
    if isinstance(rng, bool):
        raise TypeError("rng must be an int, a SeedSequence or a numpy Generator, not a bool")
    if isinstance(rng, int | np.integer):
        return int(rng) & _MASK
    if isinstance(rng, np.random.Generator):
        rng = rng.bit_generator.seed_seq
    if isinstance(rng, np.random.SeedSequence):
        a, b = rng.generate_state(2, np.uint64).tolist()
        return (a ^ _mix_int(b)) & _MASK
    raise TypeError(f"rng must be an int, a SeedSequence or a numpy Generator, got {type(rng).__name__}")


class Draws:
    """The keyed random numbers of one run.

    Parameters
    ----------
    seed:
        the run seed (an integer; see `seed_integer` for other forms).

    Every method takes a `mechanism` name (e.g. ``"member.move"``), the `day`, the
    identities `ids` (non-negative integers: rows, group ids, agent serials) and an
    optional `slot` (0, 1, ... for several draws of one kind by one identity on one
    day), and returns one value per identity, in the order of `ids`.
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed) & _MASK
        self._seed_key = _mix_int(self.seed ^ 0x5851F42D4C957F2D)
        self._keys: dict[str, int] = {}
        # (mechanism, day, slot) -> key, for the day in hand: KOLs and admins draw one
        # number at a time, and hashing the key afresh would cost more than the draw
        self._day_keys: dict[tuple[str, int, int], int] = {}
        self._prefixes: dict[tuple[str, int], int] = {}
        self._buffers = (np.empty(0, np.uint64), np.empty(0, np.uint64))
        # (mechanism, day, slot, block of ids): the blocks `one` has drawn from, and those drawn whole
        self._touched: set[tuple[str, int, int, int]] = set()
        self._blocks: dict[tuple[str, int, int, int], list[float]] = {}

    def _key(self, mechanism: str, day: int, slot: int) -> int:
        key = self._day_keys.get((mechanism, day, slot))
        if key is not None:
            return key
        if len(self._day_keys) >= _CACHE_SIZE:  # a new day's keys push out the old days'
            self._day_keys.clear()
            self._prefixes.clear()
        key = self._day_keys[(mechanism, day, slot)] = _mix_int(
            self._prefix(mechanism, day) ^ ((int(slot) + 1) * 0x8CB92BA72F3D8DD7)
        )
        return key

    def _prefix(self, mechanism: str, day: int) -> int:
        """(seed, mechanism, day) hashed, once for all slots."""
        prefix = self._prefixes.get((mechanism, day))
        if prefix is None:
            mech = self._keys.get(mechanism)
            if mech is None:
                mech = self._keys[mechanism] = mechanism_key(mechanism)
            prefix = _mix_int(_mix_int(self._seed_key ^ mech) ^ ((int(day) + 1) * 0xD1B54A32D192ED03))
            self._prefixes[(mechanism, day)] = prefix
        return prefix

    def release(self) -> None:
        """Let go of the scratch buffers: after set-up, whose draws over the whole pool would keep two of its size."""
        self._buffers = (np.empty(0, np.uint64), np.empty(0, np.uint64))

    def _hash(self, mechanism: str, day: int, ids: ArrayLike, slot: int) -> NDArray[np.uint64]:
        """Return 64 random bits per identity, in a buffer of this object that the next call overwrites."""
        ids = np.asarray(ids)
        n = ids.size
        if self._buffers[0].size < n:
            self._buffers = (np.empty(n, np.uint64), np.empty(n, np.uint64))
        x, scratch = self._buffers[0][:n], self._buffers[1][:n]
        flat = ids.ravel()
        if flat.dtype == np.int64 or flat.dtype == np.uint64:  # the same bits as the cast: one pass fewer
            np.multiply(flat.view(np.uint64), _GOLDEN, out=x)
        else:
            np.copyto(x, flat, casting="unsafe")
            x *= _GOLDEN
        x += np.uint64(self._key(mechanism, day, slot))
        return _mix(x, scratch).reshape(ids.shape)

    def uniform_grid(
        self, mechanism: str, day: int, rows: np.ndarray, cols: np.ndarray, span: int, slot: int = 0
    ) -> NDArray[np.float64]:
        """`uniform` of the identities rows[:, None] * span + cols[None, :] (rows x cols), the same numbers.

        For draws keyed by two identities, a person and a group: (row * span + col) * golden + key
        is row * (span * golden) + key plus col * golden (mod 2**64), so the grid of keys is one
        broadcast sum of a per-row and a per-column term instead of four passes over the grid.
        `rows` * span + `cols` must stay below 2**64 (non-negative identities).
        """
        n, m = rows.size, cols.size
        if self._buffers[0].size < n * m:
            self._buffers = (np.empty(n * m, np.uint64), np.empty(n * m, np.uint64))
        x, scratch = self._buffers[0][: n * m].reshape(n, m), self._buffers[1][: n * m]
        per_row = rows.astype(np.uint64) * np.uint64((span * int(_GOLDEN)) & _MASK)
        per_row += np.uint64(self._key(mechanism, day, slot))
        np.add(per_row[:, None], cols.astype(np.uint64)[None, :] * _GOLDEN, out=x)
        _mix(x.reshape(-1), scratch)
        x >>= _S11
        return np.multiply(x.view(np.int64), _TO_UNIT)

    def bits(self, mechanism: str, day: int, ids: ArrayLike, slot: int = 0) -> NDArray[np.uint64]:
        """64 random bits per identity."""
        return self._hash(mechanism, day, ids, slot).copy()

    def uniform(self, mechanism: str, day: int, ids: ArrayLike, slot: int = 0) -> NDArray[np.float64]:
        """One uniform number in [0, 1) per identity (53 random bits)."""
        x = self._hash(mechanism, day, ids, slot)
        x >>= _S11
        # below 2**53 the int64 -> float64 conversion is exact (and faster than from uint64); one pass with the scale
        return np.multiply(x.view(np.int64), _TO_UNIT)

    def uniform_slots(self, mechanism: str, day: int, ids: ArrayLike, slots: ArrayLike) -> NDArray[np.float64]:
        """One uniform number per (identity, slot) pair: entry i is `uniform(mechanism, day, [ids[i]], slots[i])`.

        For draws keyed by two identities at once, such as an admin's announcements in
        each group it manages (the group, the admin's serial as the slot).
        """
        ids, slots = np.asarray(ids).ravel(), np.asarray(slots).ravel()
        if ids.size == 0:
            return np.zeros(0)
        scratch = np.empty(ids.size, np.uint64)
        keys = slots.astype(np.uint64)  # the keys of `_key`, computed for every slot at once
        keys += np.uint64(1)
        keys *= np.uint64(0x8CB92BA72F3D8DD7)
        keys ^= np.uint64(self._prefix(mechanism, day))
        x = ids.astype(np.uint64)
        x *= _GOLDEN
        x += _mix(keys, scratch)
        x = _mix(x, scratch)
        x >>= _S11
        return x.view(np.int64).astype(np.float64) * _TO_UNIT

    def one(self, mechanism: str, day: int, id_: int = 0, slot: int = 0) -> float:
        """One uniform number in [0, 1) for one identity (the scalar form of `uniform`).

        KOLs and admins draw one number at a time, one identity after another; hashing
        in Python integers costs more than the rest of their day. So the second draw
        of a day from one block of 64 neighbouring identities draws the whole block
        with numpy, and later draws from the block are looked up: the same numbers.
        """
        block = self._blocks.get((mechanism, day, slot, id_ >> _BLOCK_BITS))
        if block is not None:
            return block[id_ & _BLOCK_MASK]
        return self._one_unblocked(mechanism, day, int(id_), slot)

    def _one_unblocked(self, mechanism: str, day: int, id_: int, slot: int) -> float:
        """Draw `one` when its block is not drawn yet: by hashing alone, or by drawing the whole block."""
        at = (mechanism, day, slot, id_ >> _BLOCK_BITS)
        if at in self._touched:
            start = at[3] << _BLOCK_BITS
            block = self.uniform(mechanism, day, np.arange(start, start + _BLOCK_MASK + 1), slot).tolist()
            self._blocks[at] = block
            return block[id_ & _BLOCK_MASK]
        if len(self._touched) >= _CACHE_SIZE:
            self._touched.clear()
            self._blocks.clear()
        self._touched.add(at)
        x = (id_ * 0x9E3779B97F4A7C15 + self._key(mechanism, day, slot)) & _MASK
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
        return ((x ^ (x >> 31)) >> 11) * _TO_UNIT

    def normal(self, mechanism: str, day: int, ids: ArrayLike, slot: int = 0) -> NDArray[np.float64]:
        """One standard normal number per identity, by inversion."""
        u = self.uniform(mechanism, day, ids, slot)
        return special.ndtri(np.maximum(u, _TO_UNIT))

    def poisson(self, mechanism: str, day: int, ids: ArrayLike, lam: ArrayLike, slot: int = 0) -> NDArray[np.int64]:
        """One Poisson count per identity with mean `lam` (broadcast), by exact inversion."""
        return poisson_inverse(self.uniform(mechanism, day, ids, slot), lam)

    def poisson_one(self, mechanism: str, day: int, id_: int, lam: float, slot: int = 0) -> int:
        """One Poisson count with mean `lam` for one identity (the scalar form of `poisson`, without numpy)."""
        if lam <= 0.0:  # zero whatever the draw: skip hashing it
            return 0
        return poisson_quantile(self.one(mechanism, day, id_, slot), lam)

    def poisson_slots(
        self, mechanism: str, day: int, ids: ArrayLike, lam: ArrayLike, slots: ArrayLike
    ) -> NDArray[np.int64]:
        """One Poisson count per (identity, slot) pair with mean `lam` (broadcast): `poisson` pair by pair."""
        return poisson_inverse(self.uniform_slots(mechanism, day, ids, slots), lam)

    def binomial(
        self, mechanism: str, day: int, ids: ArrayLike, n: ArrayLike, p: ArrayLike, slot: int = 0
    ) -> NDArray[np.int64]:
        """One binomial count per identity of `n` trials with probability `p` (broadcast), by inversion."""
        return binomial_inverse(self.uniform(mechanism, day, ids, slot), n, p)

    def random(self, mechanism: str, day: int) -> random.Random:
        """Return a Python `random.Random` keyed by (mechanism, day), e.g. for Mesa's `shuffle_do` order."""
        return random.Random(self._key(mechanism, day, 0))

    def generator(self, mechanism: str) -> np.random.Generator:
        """Return a numpy Generator keyed by the mechanism alone, for draws made once per run (traits)."""
        return np.random.default_rng([self.seed, mechanism_key(mechanism)])


def poisson_inverse(u: ArrayLike, lam: ArrayLike) -> NDArray[np.int64]:
    """Return the Poisson quantile of `u`: the smallest k with P(X <= k) > u for X ~ Poisson(lam).

    Sequential search up the cumulative distribution, continued only for the entries
    not yet placed, so the cost is about one pass per unit of the largest count.
    Above lam = 200 the search starts near the mean (from the normal approximation),
    stepping down or up from there, so it stays exact.
    """
    u = np.asarray(u, dtype=float)
    lam = np.broadcast_to(np.asarray(lam, dtype=float), u.shape)
    out = np.zeros(u.shape, dtype=np.int64)
    if u.size == 0:
        return out
    flat_u, flat_lam, flat_out = u.ravel(), lam.ravel(), out.ravel()
    big = flat_lam > 200.0
    if big.any():
        idx = np.flatnonzero(big)
        flat_out[idx] = _poisson_inverse_large(flat_u[idx], flat_lam[idx])
    idx = np.flatnonzero(~big & (flat_lam > 0))
    if idx.size == 0:
        return out
    uu, ll = flat_u[idx], flat_lam[idx]
    # the first few terms over every entry at once (most counts are small), then only the rest
    p = np.exp(-ll)
    cdf = p.copy()
    count = np.zeros(idx.size, dtype=np.int64)
    for k in range(1, 4):
        count += uu >= cdf
        p *= ll
        p /= k
        cdf += p
    flat_out[idx] = count
    todo = np.flatnonzero(uu >= cdf)
    k = 3
    while todo.size > _SCALAR_TAIL:
        k += 1
        ll, uu, idx, p, cdf = ll[todo], uu[todo], idx[todo], p[todo], cdf[todo]
        flat_out[idx] = k
        p = p * ll / k
        cdf = cdf + p
        todo = np.flatnonzero((uu >= cdf) & (p > 0))
    # the few left have the largest counts: numpy's cost per step would be per call, not per entry,
    # so they finish the same recurrence in Python floats (the same IEEE operations, the same results)
    for i, lam_i, u_i, p_i, cdf_i in zip(*(a[todo].tolist() for a in (idx, ll, uu, p, cdf)), strict=True):
        j = k
        while True:
            j += 1
            p_i = p_i * lam_i / j
            cdf_i = cdf_i + p_i
            if not (u_i >= cdf_i and p_i > 0):
                break
        flat_out[i] = j
    return out


def poisson_quantile(u: float, lam: float) -> int:
    """Return the Poisson quantile of one `u`: the same result as `poisson_inverse`, in plain Python.

    For the few agents (KOLs, admins) that draw one count each, where numpy's overhead
    per call would cost more than the search.
    """
    if lam <= 0.0:
        return 0
    if lam > 200.0:
        return int(poisson_inverse(np.array([u]), lam)[0])
    p = math.exp(-lam)
    cdf, k = p, 0
    while u >= cdf and p > 0.0:
        k += 1
        p = p * lam
        p = p / k
        cdf += p
    return k


def _poisson_inverse_large(u: NDArray[np.float64], lam: NDArray[np.float64]) -> NDArray[np.int64]:
    """Exact Poisson quantiles for large means: start near the answer, then correct with the CDF."""
    k = np.floor(lam + np.sqrt(lam) * special.ndtri(np.clip(u, 1e-300, 1 - 1e-16)))
    k = np.maximum(k, 0.0)
    todo = np.arange(k.size)  # an entry that did not move is at its quantile: it is not looked at again
    for _ in range(64):
        kt, lt, ut = k[todo], lam[todo], u[todo]
        down = (kt > 0) & (special.pdtr(kt - 1, lt) > ut)
        up = special.pdtr(kt, lt) <= ut
        moved = down | up
        if not moved.any():
            break
        k[todo] = kt - down + up
        todo = todo[moved]
    return k.astype(np.int64)


def binomial_inverse(u: ArrayLike, n: ArrayLike, p: ArrayLike) -> NDArray[np.int64]:
    """Return the binomial quantile of `u`: the smallest k with P(X <= k) > u, X ~ Binomial(n, p)."""
    u = np.asarray(u, dtype=float)
    n = np.broadcast_to(np.asarray(n, dtype=np.int64), u.shape)
    p = np.broadcast_to(np.clip(np.asarray(p, dtype=float), 0.0, 1.0), u.shape)
    out = np.zeros(u.shape, dtype=np.int64)
    if u.size == 0:
        return out
    live = (n > 0) & (p > 0)
    full = live & (p >= 1.0)
    out[full] = n[full]
    idx = np.flatnonzero((live & ~full).ravel())
    if idx.size == 0:
        return out
    uu, nn, pp = u.ravel()[idx], n.ravel()[idx], p.ravel()[idx]
    out.ravel()[idx] = _binomial_search(uu, nn, pp)
    return out


def _binomial_search(u: NDArray[np.float64], n: NDArray[np.int64], p: NDArray[np.float64]) -> NDArray[np.int64]:
    """Return the smallest k with bdtr(k, n, p) > u, for 0 < p < 1: start near it, then step to it.

    The start is the normal approximation's quantile; a few steps up or down the exact
    CDF reach the answer (the same one a bisection over [0, n] finds), and entries
    still far from it after a few steps are finished by bisection.
    """
    mean, sd = n * p, np.sqrt(n * p * (1.0 - p))
    k = np.clip(np.floor(mean + sd * special.ndtri(np.clip(u, 1e-300, 1 - 1e-16))), 0.0, n)
    todo = np.arange(u.size)
    for _ in range(8):
        kt, nt, pt, ut = k[todo], n[todo], p[todo], u[todo]
        down = (kt > 0) & (special.bdtr(kt - 1, nt, pt) > ut)
        up = ~down & (special.bdtr(kt, nt, pt) <= ut)
        moved = down | up
        k[todo] = kt - down + up
        todo = todo[moved]
        if todo.size == 0:
            return k.astype(np.int64)
    # bisection for the rest: exact, log2(n) steps
    ut, nt, pt = u[todo], n[todo], p[todo]
    lo, hi = np.zeros(todo.size), nt.astype(float)
    while True:
        open_ = lo < hi
        if not open_.any():
            break
        mid = np.floor((lo + hi) / 2)
        above = special.bdtr(mid, nt, pt) > ut
        hi = np.where(open_ & above, mid, hi)
        lo = np.where(open_ & ~above, mid + 1, lo)
    k[todo] = lo
    return k.astype(np.int64)
