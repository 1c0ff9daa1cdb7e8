"""Network observables over plain arrays: invitation cascades, message inequality, joins by friends inside.

The invitation forest follows Goel, Anderson, Hofman & Watts 2016 (structural virality:
the mean distance between nodes of a diffusion tree, i.e. its Wiener index over the
number of pairs); the message shares follow the participation-inequality literature
(Nielsen 2006, 90-9-1); joins by friends inside follow Backstrom et al. 2006.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

CASCADE_COLUMNS = ("root", "size", "depth", "wiener_index", "structural_virality", "first_day", "last_day")


def cascades(
    inviter: npt.ArrayLike, invitee: npt.ArrayLike, day: npt.ArrayLike, accepted: npt.ArrayLike
) -> pd.DataFrame:
    """One row per tree of the invitation forest, from invitation records.

    An accepted invitation is an edge inviter -> invitee; a person who accepted several
    keeps the earliest (a person joins once). Trees are rooted at people nobody recruited
    (they joined by a channel, organically, or founded the group). Columns: `root`,
    `size` (people, root included), `depth` (longest root-to-leaf path, in invitations),
    `wiener_index` (sum of distances over all pairs of the tree), `structural_virality`
    (mean distance between pairs, 0 for a single person), `first_day` and `last_day` of
    the tree's accepted invitations (NaN for a lone root). Only trees with at least one
    accepted invitation are listed, largest first. Raises ValueError on a cycle.
    """
    src = np.asarray(inviter, dtype=np.int64)
    dst = np.asarray(invitee, dtype=np.int64)
    when = np.asarray(day, dtype=np.float64)
    ok = np.asarray(accepted, dtype=bool)
    if not (len(src) == len(dst) == len(when) == len(ok)):
        raise ValueError("inviter, invitee, day and accepted must have the same length")
    src, dst, when = src[ok], dst[ok], when[ok]
    if len(src) == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in CASCADE_COLUMNS})
    order = np.lexsort((when, dst))
    src, dst, when = src[order], dst[order], when[order]
    first = np.ones(len(dst), dtype=bool)
    first[1:] = dst[1:] != dst[:-1]
    src, dst, when = src[first], dst[first], when[first]
    if np.any(src == dst):
        raise ValueError(f"person {int(src[src == dst][0])} invited themselves")

    people, compact = np.unique(np.concatenate([src, dst]), return_inverse=True)
    n = len(people)
    child, parent_of_child = compact[len(src) :], compact[: len(src)]
    parent = np.arange(n)
    parent[child] = parent_of_child
    joined_day = np.full(n, np.nan)
    joined_day[child] = when

    # pointer doubling: after the loop `jump` is each person's root and `dist` their depth
    jump = parent.copy()
    dist = (parent != np.arange(n)).astype(np.int64)
    for _ in range(int(np.ceil(np.log2(n + 1))) + 2):
        if np.array_equal(jump[jump], jump):
            break
        dist = dist + dist[jump]
        jump = jump[jump]
    if not np.array_equal(jump[jump], jump) or np.any(parent[jump] != jump):
        raise ValueError("the accepted invitations contain a cycle")
    root = jump

    # subtree sizes, from the deepest level up
    subtree = np.ones(n, dtype=np.int64)
    for level in range(int(dist.max()), 0, -1):
        at = np.flatnonzero(dist == level)
        np.add.at(subtree, parent[at], subtree[at])
    roots, tree = np.unique(root, return_inverse=True)
    size = np.bincount(tree)
    # in a tree, each edge (v, parent) lies on subtree(v) * (size - subtree(v)) paths
    nonroot = parent != np.arange(n)
    per_edge = subtree * (size[tree] - subtree) * nonroot
    wiener = np.bincount(tree, weights=per_edge).astype(np.int64)
    depth = np.zeros(len(roots), dtype=np.int64)
    np.maximum.at(depth, tree, dist)
    pairs = size * (size - 1) / 2
    first_day = np.full(len(roots), np.inf)
    last_day = np.full(len(roots), -np.inf)
    np.minimum.at(first_day, tree[nonroot], joined_day[nonroot])
    np.maximum.at(last_day, tree[nonroot], joined_day[nonroot])
    frame = pd.DataFrame(
        {
            "root": people[roots],
            "size": size,
            "depth": depth,
            "wiener_index": wiener,
            "structural_virality": np.where(pairs > 0, wiener / np.maximum(pairs, 1), 0.0),
            "first_day": first_day,
            "last_day": last_day,
        }
    )
    return frame.sort_values(["size", "root"], ascending=[False, True], ignore_index=True)


def message_shares(messages: npt.ArrayLike, tops: tuple[float, ...] = (0.01, 0.1)) -> dict[float, float]:
    """Share of all messages written by the top `t` of members, for each `t` in `tops`.

    The top t is the ceil(t x members) members who wrote most. NaN when nobody wrote.
    """
    m = np.sort(np.maximum(np.asarray(messages, dtype=np.float64), 0.0))[::-1]
    total = m.sum()
    out: dict[float, float] = {}
    for t in tops:
        if not 0 < t <= 1:
            raise ValueError(f"top shares must be in (0, 1], got {t}")
        k = int(np.ceil(t * len(m)))
        out[t] = float(m[:k].sum() / total) if total > 0 else float("nan")
    return out


def joins_by_friends_inside(friends_inside: npt.ArrayLike, joined: npt.ArrayLike, cap: int = 10) -> pd.DataFrame:
    """Tally joins by how many friends the person already had in the group.

    `friends_inside` and `joined` are per exposure (one entry per person and occasion, e.g.
    each person invited or each non-member per day). Rows k = 0..cap (the last bin is
    "cap or more"): `exposed`, `joins`, and `join_rate` = joins / exposed (NaN when empty).
    A rate rising with k is the signature of contagious joining (Backstrom et al. 2006).
    """
    k = np.minimum(np.maximum(np.asarray(friends_inside, dtype=np.int64), 0), cap)
    j = np.asarray(joined, dtype=bool)
    if k.shape != j.shape:
        raise ValueError("friends_inside and joined must have the same length")
    exposed = np.bincount(k, minlength=cap + 1)
    joins = np.bincount(k[j], minlength=cap + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(exposed > 0, joins / np.maximum(exposed, 1), np.nan)
    return pd.DataFrame({"friends_inside": np.arange(cap + 1), "exposed": exposed, "joins": joins, "join_rate": rate})
