"""The friendship graph over the potential pool, stored as compressed sparse rows (CSR).

Row `i` is row `i` of the people table. The graph is undirected and stored both ways
(`j in neighbours(i)` iff `i in neighbours(j)`), without self loops or duplicate edges,
with each row's neighbours sorted. `indices` is int32 (10^6 people with mean degree 20
take 80 MB), `indptr` int64, and the optional tie strengths `weights` float32, aligned
with `indices`. Everything a day of the model asks of the graph (how many friends a
person has in a group, the engagement of those friends) is one vectorized pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import networkx as nx

IntArray = npt.NDArray[np.integer]
FloatArray = npt.NDArray[np.floating]
BoolArray = npt.NDArray[np.bool_]


def _pair_keys(u: IntArray, v: IntArray, n: int) -> npt.NDArray[np.int64]:
    """One int64 per directed pair (row-major), so that sorted keys are CSR order."""
    return np.asarray(u, dtype=np.int64) * n + np.asarray(v, dtype=np.int64)


class SocialGraph:
    """An undirected friendship graph over `n` people, in CSR form.

    Parameters
    ----------
    indptr, indices
        CSR arrays: the friends of person `i` are ``indices[indptr[i]:indptr[i + 1]]``.
        They must already be symmetric, sorted within rows, free of self loops and
        duplicates; use `from_edges` to build a graph from an arbitrary edge list.
    weights
        Optional tie strength per stored entry (aligned with `indices`), symmetric.
    """

    def __init__(self, indptr: IntArray, indices: IntArray, weights: FloatArray | None = None) -> None:
        self.indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.int32)
        self.weights = None if weights is None else np.ascontiguousarray(weights, dtype=np.float32)
        if self.indptr.ndim != 1 or len(self.indptr) < 1 or self.indptr[0] != 0:
            raise ValueError("indptr must be a 1-d array starting at 0")
        if self.indptr[-1] != len(self.indices):
            raise ValueError(f"indptr ends at {self.indptr[-1]} but there are {len(self.indices)} indices")
        if self.weights is not None and len(self.weights) != len(self.indices):
            raise ValueError("weights must have one value per stored entry")
        #: circle of friends of each person when the graph was generated with communities
        self.community: npt.NDArray[np.int32] | None = None

    # ------------------------------------------------------------------ construction

    @classmethod
    def empty(cls, n: int, weighted: bool = False) -> SocialGraph:
        """Make a graph of `n` people and no ties (the start of a network built by talking)."""
        return cls(np.zeros(n + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32) if weighted else None)

    @classmethod
    def from_edges(
        cls,
        n: int,
        u: IntArray,
        v: IntArray,
        weights: FloatArray | None = None,
    ) -> SocialGraph:
        """Build a graph of `n` people from undirected edges ``(u[k], v[k])``.

        Self loops are dropped; an edge given several times (in either direction) is
        kept once, with the largest of its weights.
        """
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        if len(u) != len(v):
            raise ValueError("u and v must have the same length")
        if len(u) and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
            raise ValueError(f"edge endpoints must be rows 0..{n - 1}")
        w = None if weights is None else np.asarray(weights, dtype=np.float32)
        keep = u != v
        if not keep.all():
            u, v = u[keep], v[keep]
            w = None if w is None else w[keep]
        # both directions of every edge, built in place (no full-size temporaries)
        m = len(u)
        keys = np.empty(2 * m, np.int64)
        np.multiply(u, n, out=keys[:m])
        keys[:m] += v
        np.multiply(v, n, out=keys[m:])
        keys[m:] += u
        del u, v
        if w is None:
            keys.sort()
            first = np.ones(len(keys), dtype=bool)
            first[1:] = keys[1:] != keys[:-1]
            if not first.all():
                keys = keys[first]
            wsorted = None
        else:
            w2 = np.concatenate([w, w])
            # sort by key, then by weight descending so the first of each key is the largest
            order = np.lexsort((-w2, keys))
            keys, w2 = keys[order], w2[order]
            first = np.ones(len(keys), dtype=bool)
            first[1:] = keys[1:] != keys[:-1]
            keys, wsorted = keys[first], w2[first]
        return cls._from_sorted_keys(n, keys, wsorted)

    @classmethod
    def _from_sorted_keys(cls, n: int, keys: npt.NDArray[np.int64], weights: FloatArray | None) -> SocialGraph:
        """Build from sorted unique row-major keys; `keys` is consumed (overwritten)."""
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(keys // n, minlength=n), out=indptr[1:])
        np.remainder(keys, n, out=keys)
        return cls(indptr, keys.astype(np.int32), weights)

    @classmethod
    def from_networkx(cls, graph: nx.Graph, weight: str | None = None) -> SocialGraph:
        """Convert a networkx graph whose nodes are the integers ``0..n-1``."""
        n = graph.number_of_nodes()
        if set(graph.nodes) != set(range(n)):
            raise ValueError("the networkx graph's nodes must be the integers 0..n-1")
        edges = np.array([(a, b) for a, b in graph.edges()], dtype=np.int64).reshape(-1, 2)
        w = None
        if weight is not None:
            w = np.array([d.get(weight, 1.0) for _, _, d in graph.edges(data=True)], dtype=np.float32)
        return cls.from_edges(n, edges[:, 0], edges[:, 1], w)

    # ------------------------------------------------------------------ queries

    @property
    def n(self) -> int:
        """Number of people (rows)."""
        return len(self.indptr) - 1

    @property
    def n_edges(self) -> int:
        """Number of undirected edges (each stored twice)."""
        return len(self.indices) // 2

    @property
    def nbytes(self) -> int:
        """Memory held by the CSR arrays, in bytes."""
        return self.indptr.nbytes + self.indices.nbytes + (0 if self.weights is None else self.weights.nbytes)

    def degree(self) -> npt.NDArray[np.int64]:
        """Return the number of friends of every person."""
        return np.diff(self.indptr)

    def neighbours(self, row: int) -> npt.NDArray[np.int32]:
        """Return the friends of person `row`, sorted (a view, do not modify)."""
        return self.indices[self.indptr[row] : self.indptr[row + 1]]

    def rows(self) -> npt.NDArray[np.int32]:
        """Return the row (person) of every stored entry: the COO companion of `indices`."""
        return np.repeat(np.arange(self.n, dtype=np.int32), self.degree())

    def edges(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """Every undirected edge once, as ``(u, v)`` with ``u < v``."""
        rows = self.rows()
        upper = rows < self.indices
        return rows[upper], self.indices[upper]

    def has_edges(self, u: IntArray, v: IntArray) -> BoolArray:
        """Whether each pair ``(u[k], v[k])`` are friends."""
        return self._find(np.asarray(u), np.asarray(v)) >= 0

    def count_in(self, members: BoolArray) -> npt.NDArray[np.int64]:
        """For every person, how many of their friends are in the set `members`.

        `members` is a boolean array over people (e.g. the members of one group). The
        pass runs over the members' friend lists when the set is small, over all rows
        otherwise, so it costs O(min(sum of the members' degrees, stored entries)).
        """
        members = np.asarray(members, dtype=bool)
        if members.shape != (self.n,):
            raise ValueError(f"members must be a boolean array of length {self.n}")
        inside = np.flatnonzero(members)
        deg = self.degree()
        if deg[inside].sum() * 4 < len(self.indices):
            # a small set: scatter from its members' friend lists (the graph is symmetric)
            slots = _ranges(self.indptr[inside], deg[inside])
            return np.bincount(self.indices[slots], minlength=self.n).astype(np.int64, copy=False)
        out = np.zeros(self.n, np.int64)
        has = deg > 0
        if has.any():
            out[has] = np.add.reduceat(members[self.indices], self.indptr[:-1][has], dtype=np.int32)
        return out

    def count_same(self, labels: IntArray) -> npt.NDArray[np.int64]:
        """For every person, how many friends share their label (e.g. their group); -1 = no label.

        One pass over the labelled people's ties for every group at once: the friends each
        member has in their own group, without one `count_in` per group.
        """
        return np.rint(self.sum_same(labels, None)).astype(np.int64)

    def sum_same(self, labels: IntArray, values: npt.ArrayLike | None) -> npt.NDArray[np.float64]:
        """For every labelled person, the sum of `values` over friends with the same label (times tie weights).

        With labels = group and values = engagement (1 active, less when dormant) this is the
        engagement-weighted number of friends in one's own group that tie value uses;
        ``values=None`` counts friends (ignoring weights). 0 for people without a label.
        """
        labels = np.asarray(labels)
        if labels.shape != (self.n,):
            raise ValueError(f"labels must be an array of length {self.n}")
        labelled = np.flatnonzero(labels >= 0)
        out = np.zeros(self.n, np.float64)
        out[labelled] = self._sum_in_label(labelled, labels[labelled], labels, values)
        return out

    def count_in_label(self, people: IntArray, label: IntArray, labels: IntArray) -> npt.NDArray[np.int64]:
        """For each pair ``(people[k], label[k])``, how many of that person's friends carry that label.

        E.g. for each invitation, how many of the invitee's friends are already in the
        inviting group; costs the invitees' degrees, not the whole graph.
        """
        people = np.asarray(people, dtype=np.int64)
        deg = self.degree()[people]
        friends = self.indices[_ranges(self.indptr[people], deg)]
        hit = np.asarray(labels)[friends] == np.repeat(np.asarray(label), deg)
        out = np.zeros(len(people), np.int64)
        has = deg > 0
        if has.any():
            out[has] = np.add.reduceat(hit, (np.cumsum(deg) - deg)[has], dtype=np.int64)
        return out

    def sum_in_label(
        self, people: IntArray, label: IntArray, labels: IntArray, values: npt.ArrayLike | None
    ) -> npt.NDArray[np.float64]:
        """For each pair ``(people[k], label[k])``, the sum of `values` over that person's friends with that label.

        Times tie weights if any; ``values=None`` counts the friends. Costs the people's degrees.
        """
        return self._sum_in_label(people, label, labels, values)

    def _sum_in_label(
        self, people: IntArray, label: IntArray, labels: IntArray, values: npt.ArrayLike | None
    ) -> npt.NDArray[np.float64]:
        people = np.asarray(people, dtype=np.int64)
        labels = np.asarray(labels)
        deg = self.degree()[people]
        slots = _ranges(self.indptr[people], deg)
        friends = self.indices[slots]
        hit = (labels[friends] == np.repeat(np.asarray(label), deg)).astype(np.float64)
        if values is not None:
            hit *= np.asarray(values, dtype=np.float64)[friends]
            if self.weights is not None:
                hit *= self.weights[slots]
        out = np.zeros(len(people), np.float64)
        has = deg > 0
        if has.any():
            starts = np.concatenate([[0], np.cumsum(deg)[:-1]])
            out[has] = np.add.reduceat(hit, starts[has])
        return out

    def sum_over_friends(self, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """For every person, the sum of `values` over their friends (times tie weights if any).

        With `values` = engagement of members of a group (0 for everyone else) this is the
        engagement-weighted number of friends in the group that a member's tie value uses.
        """
        vals = np.asarray(values)
        if vals.shape != (self.n,):
            raise ValueError(f"values must be an array of length {self.n}")
        vals = vals.astype(np.float64, copy=False)
        nonzero = np.flatnonzero(vals)
        deg = self.degree()
        if deg[nonzero].sum() * 4 < len(self.indices):
            # few people carry a value: scatter from their friend lists (the graph is symmetric)
            slots = _ranges(self.indptr[nonzero], deg[nonzero])
            src = np.repeat(vals[nonzero], deg[nonzero])
            if self.weights is not None:
                src = src * self.weights[slots]
            return np.bincount(self.indices[slots], weights=src, minlength=self.n)
        gathered = vals[self.indices]
        if self.weights is not None:
            gathered = gathered * self.weights
        out = np.zeros(self.n, np.float64)
        has = deg > 0
        if has.any():
            out[has] = np.add.reduceat(gathered, self.indptr[:-1][has])
        return out

    # ------------------------------------------------------------------ changes

    def add_edges(self, u: IntArray, v: IntArray, weight: float | FloatArray = 1.0) -> int:
        """Add undirected edges in one batch (ties formed by talking); return how many were new.

        Pairs that are already friends keep their edge; in a weighted graph the tie's
        strength becomes the larger of its old value and `weight` (contact refreshes it).
        Self loops and repeats within the batch are ignored.
        """
        u = np.asarray(u, dtype=np.int64)
        w = np.broadcast_to(np.asarray(weight, dtype=np.float32), u.shape)
        new = SocialGraph.from_edges(self.n, u, v, w)
        nrows = new.rows()
        keys = _pair_keys(nrows, new.indices, self.n)
        pos = self._find(nrows, new.indices)
        existing = pos >= 0
        if self.weights is not None and existing.any():
            assert new.weights is not None
            np.maximum.at(self.weights, pos[existing], new.weights[existing])
        fresh = ~existing
        if not fresh.any():
            return 0
        old_keys = _pair_keys(self.rows(), self.indices, self.n)
        at = np.searchsorted(old_keys, keys[fresh])
        merged = np.insert(old_keys, at, keys[fresh])
        weights = None
        if self.weights is not None:
            assert new.weights is not None
            weights = np.insert(self.weights, at, new.weights[fresh])
        rebuilt = SocialGraph._from_sorted_keys(self.n, merged, weights)
        self.indptr, self.indices, self.weights = rebuilt.indptr, rebuilt.indices, rebuilt.weights
        return int(fresh.sum()) // 2

    def remove_edges(self, u: IntArray, v: IntArray) -> int:
        """Remove undirected edges in one batch (ties lost); return how many existed."""
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        pos = np.concatenate([self._find(u, v), self._find(v, u)])
        pos = np.unique(pos[pos >= 0])
        self._drop(pos)
        return len(pos) // 2

    def remove_weak(self, min_weight: float) -> int:
        """Remove every tie whose strength fell below `min_weight` (ties decayed); return how many."""
        if self.weights is None:
            raise ValueError("remove_weak needs a weighted graph")
        pos = np.flatnonzero(self.weights < min_weight)
        self._drop(pos)
        return len(pos) // 2

    def _drop(self, pos: IntArray) -> None:
        if len(pos) == 0:
            return
        keep = np.ones(len(self.indices), dtype=bool)
        keep[pos] = False
        rows = self.rows()[keep]
        self.indices = self.indices[keep]
        if self.weights is not None:
            self.weights = self.weights[keep]
        self.indptr = np.zeros(self.n + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=self.n), out=self.indptr[1:])

    def _find(self, u: IntArray, v: IntArray) -> npt.NDArray[np.int64]:
        """Return the stored position of each directed pair ``(u[k], v[k])``, -1 where absent."""
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        out = np.full(len(u), -1, np.int64)
        if len(u) == 0 or len(self.indices) == 0:
            return out
        lo = self.indptr[u]
        hi = self.indptr[u + 1]
        # binary search inside each row, all pairs at once
        left, right = lo.copy(), hi.copy()
        while True:
            active = left < right
            if not active.any():
                break
            mid = (left + right) // 2
            go_right = active & (self.indices[np.minimum(mid, len(self.indices) - 1)] < v)
            left = np.where(go_right, mid + 1, left)
            right = np.where(active & ~go_right, mid, right)
        found = (left < hi) & (self.indices[np.minimum(left, len(self.indices) - 1)] == v)
        out[found] = left[found]
        return out

    # ------------------------------------------------------------------ analysis

    def clustering(self) -> npt.NDArray[np.float64]:
        """Return each person's local clustering: the share of pairs of their friends who are friends.

        Triangles through each person are counted with one sparse product (rows of
        ``(A @ A) * A``), as networkx's `clustering` defines it; 0 below two friends.
        """
        from scipy import sparse

        ones = np.ones(len(self.indices), dtype=np.float64)
        adj = sparse.csr_array((ones, self.indices, self.indptr), shape=(self.n, self.n))
        triangles = np.asarray((adj @ adj).multiply(adj).sum(axis=1)).ravel() / 2
        deg = self.degree().astype(np.float64)
        pairs = deg * (deg - 1) / 2
        return np.where(pairs > 0, triangles / np.maximum(pairs, 1), 0.0)

    def to_networkx(self) -> nx.Graph:
        """Return the graph as a `networkx.Graph` (nodes ``0..n-1``, a `weight` attribute if weighted)."""
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(self.n))
        u, v = self.edges()
        if self.weights is None:
            graph.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
        else:
            rows = self.rows()
            upper = rows < self.indices
            graph.add_weighted_edges_from(zip(u.tolist(), v.tolist(), self.weights[upper].tolist(), strict=True))
        return graph

    def __repr__(self) -> str:
        """Size summary."""
        return f"SocialGraph(n={self.n}, edges={self.n_edges}, weighted={self.weights is not None})"


def _ranges(starts: IntArray, lengths: IntArray) -> npt.NDArray[np.int64]:
    """Concatenation of ``arange(s, s + l)`` for every (start, length), vectorized."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(np.asarray(starts, dtype=np.int64) - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(total, dtype=np.int64)
