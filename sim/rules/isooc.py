"""The ISOOC health score of seed 002: interest, structure, output, operation and copy, each 0..1.

Seed 002 (秋叶《社群营销》, "用ISOOC模型评估社群的质量") names the five elements a
real community has: 同好 Interest (decides that it forms), 结构 Structure (that it
survives: members, rules of entry, management), 输出 Output (its value: steady
content, and "全员开花", members producing too), 运营 Operation (its lifetime:
ritual, participation, organisation, belonging) and 复制 Copy (its scale: parallel
groups with a core team and a subculture). The seed gives no numbers; each indicator
here is a measured reading of the element from what the day already counts
(docs/ODD.md §9.5 gives the formulas and the reasons). Every function is
element-wise over groups; an empty group has no score (NaN).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

STAFF_SCALE = 0.01
"""KOLs + admins per member at which the staff part of structure reaches 63% (one per 100 members)."""

CONTENT_SCALE = 0.01
"""KOL and admin posts per member per day at which the content part of output reaches 63% (one per 100)."""

ELEMENTS = ("interest", "structure", "output", "operation", "copy")
"""The five elements, in the seed's order."""


def _per_member(x: ArrayLike, members: ArrayLike) -> Array:
    m = np.asarray(members, dtype=float)
    return np.divide(np.asarray(x, dtype=float), m, out=np.full(m.shape, np.nan), where=m > 0)


def _saturating(x: Array, scale: float) -> Array:
    return -np.expm1(-x / scale)


def structure(staff: ArrayLike, members: ArrayLike, tie_value: ArrayLike) -> Array:
    """Mean of the staff part 1 - exp(-(staff / members) / STAFF_SCALE) and the members' mean tie value (0..1).

    Staff are the group's KOLs and admins (the pyramid's top and its management);
    tie value is how bound members are to each other (the ring).
    """
    staffing = _saturating(_per_member(staff, members), STAFF_SCALE)
    return (staffing + np.asarray(tie_value, dtype=float)) / 2.0


def output(content_posts: ArrayLike, engaged: ArrayLike, members: ArrayLike) -> Array:
    """Mean of the content part 1 - exp(-(posts / members) / CONTENT_SCALE) and the share of members engaged.

    Engaged members (new or active) are those writing at their message rate; their
    share is the seed's 全员开花: a group where only the KOL speaks is a fan club, not
    a community.
    """
    content = _saturating(_per_member(content_posts, members), CONTENT_SCALE)
    return (content + np.clip(_per_member(engaged, members), 0.0, 1.0)) / 2.0


def operation(coverage: ArrayLike, has_admin: ArrayLike, ads_posted: ArrayLike, ads_removed: ArrayLike) -> Array:
    """Mean of the admins' coverage (0 in a group without admins) and the share of posted ads removed.

    A day without ads counts as fully kept clean (1). Coverage is the share of the
    day's moderation work (ads, welcomes, reviews) the admins got done.
    """
    managed = np.where(np.asarray(has_admin, dtype=bool), np.asarray(coverage, dtype=float), 0.0)
    posted = np.asarray(ads_posted, dtype=float)
    removed = np.divide(np.asarray(ads_removed, dtype=float), posted, out=np.ones(posted.shape), where=posted > 0)
    return (managed + np.clip(removed, 0.0, 1.0)) / 2.0


def copy_survival(copies: int, alive_copies: int) -> float:
    """Share of the groups opened as copies or splits that are still alive; 0 if none was ever opened.

    A community that has not replicated has not shown the fifth element (the seed:
    copying decides the scale), so it scores 0 rather than nothing.
    """
    return alive_copies / copies if copies > 0 else 0.0


def score(*elements: ArrayLike) -> Array:
    """Return the ISOOC score: the unweighted mean of the five elements (NaN where any is undefined)."""
    return np.mean(np.stack([np.asarray(e, dtype=float) for e in elements]), axis=0)
