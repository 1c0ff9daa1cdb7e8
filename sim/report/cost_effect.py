"""Cost-effectiveness of each scenario against the first: what one extra member costs.

For a scenario and the reference, paired by replicate (the same seed, common random
numbers): the extra operator cost over the run, Δcost = mean(cost − cost_ref), and the
extra members, Δmembers = mean(final − final_ref), for members retained at the end
(`final_members`) and for active members at the end (`final_active`). The incremental
cost-effectiveness ratio (ICER, Drummond et al. 2015, ch. 4) is Δcost / Δmembers: the
money one extra retained (or active) member costs. Its 95% interval comes from a
bootstrap of the replicate pairs (2,000 resamples with a fixed seed, percentile
interval: Briggs, Wonderling & Mooney 1997), so the report is the same each time it
is built. A ratio is given only when the scenario adds members (Δmembers > 0); a
scenario that saves money and adds members dominates the reference, one that costs
more and adds none is dominated, and the text says so instead of printing a
meaningless ratio. Resamples whose Δmembers is not positive leave the interval open
(`inf`), which the page shows as "no upper bound".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["COST", "EFFECTS", "RESAMPLES", "cost_effectiveness"]

COST = "operator_cost_total"
"""The KPI of the cost side."""

EFFECTS = {"final_members": "retained member", "final_active": "active member"}
"""The KPIs of the effect side, with the name of one unit of each."""

RESAMPLES = 2000
CONFIDENCE = 0.95

COLUMNS = (
    "scenario",
    "effect",
    "n_pairs",
    "extra_cost",
    "extra_members",
    "cost_per_extra",
    "ci_low",
    "ci_high",
    "verdict",
)
"""Columns of cost_effectiveness.csv."""


def cost_effectiveness(runs: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """One row per (scenario after the first, effect KPI): Δcost, Δmembers, cost per extra member and its interval.

    `runs` holds the ok runs: scenario_index (0 = reference), replicate and the KPIs.
    """
    rows = []
    for effect in EFFECTS:
        if runs.empty or COST not in runs or effect not in runs:
            continue
        cost = runs.pivot(index="replicate", columns="scenario_index", values=COST).astype(float)
        gain = runs.pivot(index="replicate", columns="scenario_index", values=effect).astype(float)
        for index, label in enumerate(labels[1:], start=1):
            if index not in cost or 0 not in cost:
                continue
            d_cost = (cost[index] - cost[0]).to_numpy()
            d_gain = (gain[index] - gain[0]).to_numpy()
            keep = np.isfinite(d_cost) & np.isfinite(d_gain)
            rows.append({"scenario": label, "effect": effect, **_ratio(d_cost[keep], d_gain[keep], index)})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _ratio(d_cost: np.ndarray, d_gain: np.ndarray, index: int) -> dict[str, object]:
    n = int(d_cost.size)
    if n == 0:
        return {"n_pairs": 0, "verdict": "no pairs"}
    extra_cost, extra = float(d_cost.mean()), float(d_gain.mean())
    out: dict[str, object] = {"n_pairs": n, "extra_cost": extra_cost, "extra_members": extra}
    if extra <= 0:
        out["verdict"] = "dominated: costs more, no extra members" if extra_cost > 0 else "costs less, fewer members"
        return out
    out["cost_per_extra"] = extra_cost / extra
    out["verdict"] = "dominant: more members for less money" if extra_cost <= 0 else "costs more, adds members"
    if n >= 2:
        rng = np.random.default_rng(index)  # fixed: the report is rebuilt identically
        pick = rng.integers(0, n, size=(RESAMPLES, n))
        c, g = d_cost[pick].mean(axis=1), d_gain[pick].mean(axis=1)
        ratio = np.where(g > 0, c / np.where(g > 0, g, 1.0), math.inf)
        tail = (1 - CONFIDENCE) / 2 * 100
        out["ci_low"], out["ci_high"] = (float(v) for v in np.percentile(ratio, [tail, 100 - tail]))
    return out
