"""Being in more than one group: the value a person takes from their groups, and which group they drop.

Seed 002 (§2.5): members of a group that decays "再去加入一个新的'好'群", and a 私域
funnel keeps a customer in a free traffic group and a paid core group at once. With
`groups.max_groups_per_member` > 1 a person's day is read from all their groups:

- value: the best group counts fully, the second best with weight w, the third with
  w², … (`combined_value`; w = `groups.extra_group_weight`). Attention is finite, so a
  further group adds less than the first; a group whose ads annoy more than it gives
  (negative value) costs its weighted share too.
- leaving: when a member's leave hazard fires and they are in another group, they
  drop their worst group today (`worst_group`) and stay in the community.

Rows are people, columns their groups; NaN marks an empty slot.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def combined_value(values: ArrayLike, weight: float) -> NDArray[np.float64]:
    """Each person's value of the day from their groups' values: best + w x second + w² x third + ...

    `values` is (people x k), NaN where a person has no group in that slot; a person
    with one group takes that group's value exactly. `weight` in [0, 1]: 0 counts the
    best group only, 1 adds every group in full.
    """
    v = np.asarray(values, dtype=float)
    ranked = -np.sort(-v, axis=1)  # best first, empty slots (NaN) last
    weights = float(weight) ** np.arange(v.shape[1], dtype=float)
    out = ranked[:, 0].copy()
    for j in range(1, v.shape[1]):
        held = ~np.isnan(ranked[:, j])
        out[held] += weights[j] * ranked[held, j]
    return out


def worst_group(values: ArrayLike) -> NDArray[np.intp]:
    """Column of each person's worst group (lowest value today), ignoring empty slots (NaN); ties: the later slot.

    The later slot on ties keeps the home group (slot 0) when all are equal: one leaves
    the group joined last before the one first joined.
    """
    v = np.asarray(values, dtype=float)
    filled = np.where(np.isnan(v), np.inf, v)
    k = v.shape[1]
    return (k - 1 - np.argmin(filled[:, ::-1], axis=1)).astype(np.intp)
