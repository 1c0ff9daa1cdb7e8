"""Random overrides inside and outside the documented ranges (hypothesis).

Accepted scenarios run 30 days with finite metrics and their invariants; rejected ones
raise exactly one ScenarioError. numpy RuntimeWarnings count as failures.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import CommunityModel, load_scenario
from sim.scenario import ScenarioError
from sim.scenario.keys import field_at, key_table
from tests.helpers import SCENARIOS

ROWS = [
    r for r in key_table() if "." in r.key and not r.key.startswith(("activities.", "run.")) and "string" not in r.type
]
SIZE_KEYS = {"population.potential_pool": 3000, "population.initial_members": 300, "population.initial_left": 300}
SIZE_KEYS |= {"roles.kols": 20, "roles.admins": 20, "kol.max_kols": 20, "groups.capacity": 3000}
SIZE_KEYS |= {"groups.dunbar_size": 3000, "groups.low_activity_min_size": 3000}


def _bounds(key: str) -> tuple[float | None, float | None, bool, bool]:
    field = field_at(key)
    assert field is not None
    lo = hi = None
    lo_open = hi_open = False
    for item in field.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            value = getattr(item, attr, None)
            if value is None:
                continue
            if attr in ("ge", "gt"):
                lo, lo_open = value, attr == "gt"
            else:
                hi, hi_open = value, attr == "lt"
    return lo, hi, lo_open, hi_open


@st.composite
def value_for(draw: st.DrawFn, row) -> object:  # noqa: ANN001
    if row.type == "bool":
        return draw(st.booleans() | st.sampled_from([0, 1, "yes"]))
    if row.type == "choice":
        return draw(st.sampled_from(row.range.split(", ") + ["bogus"]))
    if row.type.startswith("list"):
        good = st.lists(st.floats(0.01, 100.0, allow_nan=False), max_size=4)
        return draw(good | st.sampled_from([[0.0], [-1.0], ["x"], 5, [math.inf]]))
    if row.type.startswith("date"):
        return draw(st.sampled_from(["2026-01-01", "2030-06-15", "2041-01-01", "not a date", 5, None]))
    lo, hi, lo_open, hi_open = _bounds(row.key)
    integer = row.type.startswith("integer")
    if row.key in SIZE_KEYS:
        hi_in = SIZE_KEYS[row.key]
    else:
        hi_in = hi
    inside = (
        st.integers(int(lo), int(hi_in))
        if integer
        else st.floats(lo, hi_in, exclude_min=lo_open, exclude_max=hi_open, allow_nan=False, allow_infinity=False)
    )
    outside = st.sampled_from([lo - 1 if lo is not None else -1, hi * 2 + 1, math.inf, math.nan, True, "5"])
    return draw(inside | inside | outside)


@st.composite
def overrides(draw: st.DrawFn) -> dict[str, object]:
    rows = draw(st.lists(st.sampled_from(ROWS), min_size=1, max_size=6, unique_by=lambda r: r.key))
    return {r.key: draw(value_for(r)) for r in rows}


UNDEFINED_WHEN_EMPTY = ("mean", "rate", "share", "joined_friends_", "isooc_", "conversion_cycle")
"""Daily columns that are means or rates over members: NaN (undefined) on a day without any (the ISOOC
score among them; the conversion cycle: without a first purchase); joins by friends already in the group
are undefined without a friendship graph (well_mixed)."""
COUNTS = ("potential", "new", "active", "dormant", "left", "members", "joined", "messages", "groups", "kols")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(overrides())
def test_random_overrides_run_or_raise_one_scenario_error(ov: dict[str, object]) -> None:
    base = {"population.potential_pool": 2000, "population.initial_members": 50}
    try:
        sc = load_scenario(SCENARIOS / "baseline.toml", overrides={**base, **ov})
    except ScenarioError as exc:
        assert "\n" not in str(exc)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = CommunityModel(sc, rng=1).run(30)
        df = model.metrics()
    for column in df.select_dtypes("number"):
        values = df[column].to_numpy(dtype=float)
        assert not np.isinf(values).any(), (column, ov)
        if not any(word in column for word in UNDEFINED_WHEN_EMPTY):
            assert np.isfinite(values).all(), (column, ov)
    assert (df["members"] == df["new"] + df["active"] + df["dormant"]).all(), ov
    for column in COUNTS:
        assert (df[column] >= 0).all(), (column, ov)
