"""KPI statistics of a comparison: each scenario's spread, and each scenario against the first.

Per scenario and KPI: the mean over the replicates where the KPI is defined, and the
90% interval of the replicates (their 5th and 95th percentiles, numpy's linear
interpolation): where nine runs in ten of that scenario end up. It describes the
spread of outcomes, not the uncertainty of the mean.

Against the first scenario (the reference), runs are paired by replicate: replicate r
of both used the same seed (common random numbers), so the difference of a pair is
the effect of the levers on that one draw of luck. For each KPI:
- `diff_vs_first`: the mean of the paired differences (pairs where both values are defined);
- its 95% confidence interval: the paired t interval, mean ± t(0.975, n-1) · sd / √n;
- `p_value`: the paired t-test (`scipy.stats.ttest_rel`) of "mean difference = 0".

Why the paired t-test for every KPI: it tests the quantity the table shows (the mean
difference), its interval and its p-value always agree (the 95% interval leaves out 0
exactly when p < 0.05), and with the usual 30 replicates the mean of the differences is
close to normal even when single runs are skewed. A Wilcoxon signed-rank test would
test the median difference instead, and cannot reach p < 0.05 below 6 pairs; it is
not used, so that a number and its mark never disagree.

Edge cases, handled without warnings: pairs with a value undefined (None/NaN, e.g. no
activity half-life because activity never halved) are dropped and `n_pairs` says how
many were left; identical differences of 0 (a scenario compared with itself) give
p = 1 and an interval of [0, 0]; a constant difference other than 0 gives p = 0; fewer
than 2 pairs give no interval and no p-value (NaN). The tests are not corrected for
multiplicity: over a dozen KPIs, one "significant" difference at 5% is expected by
chance when nothing differs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.kpis import SUMMARY

__all__ = [
    "CONFIDENCE",
    "CSV_COLUMNS",
    "INTERVAL",
    "Difference",
    "Spread",
    "kpi_names",
    "kpi_table",
    "paired_difference",
    "significance_mark",
    "spread",
]

CONFIDENCE = 0.95
"""Confidence of the interval of a difference."""

INTERVAL = (5.0, 95.0)
"""Percentiles of the replicates that bound a scenario's 90% interval."""

MARKS = ((0.01, "**"), (0.05, "*"))
NOT_SIGNIFICANT = "n.s."
REFERENCE = "reference"

CSV_COLUMNS = (
    "scenario",
    "kpi",
    "mean",
    "ci_low",
    "ci_high",
    "diff_vs_first",
    "p_value",
    "n",
    "n_pairs",
    "diff_ci_low",
    "diff_ci_high",
    "significance",
    "correlation",
)
"""Columns of kpis.csv: ci_low/ci_high are the 90% interval of the replicates; diff_ci_* the 95% CI of the diff."""

_TINY = 1e-12


@dataclass(frozen=True)
class Spread:
    """A scenario's KPI over its replicates: how many defined, their mean and 90% interval."""

    n: int
    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class Difference:
    """A scenario minus the reference, paired by replicate."""

    n: int
    mean: float
    ci_low: float
    ci_high: float
    p_value: float
    identical: bool = False
    correlation: float = math.nan  # Pearson r of the pairs: how much the common random numbers share

    @property
    def mark(self) -> str:
        """`**`, `*`, `n.s.` or `n/a` (see `significance_mark`)."""
        return significance_mark(self.p_value)


def significance_mark(p_value: float) -> str:
    """`**` for p < 0.01, `*` for p < 0.05, `n.s.` otherwise, `n/a` without a p-value."""
    if p_value is None or not math.isfinite(p_value):
        return "n/a"
    for alpha, mark in MARKS:
        if p_value < alpha:
            return mark
    return NOT_SIGNIFICANT


def spread(values: Sequence[float] | np.ndarray) -> Spread:
    """Mean and 90% interval of the defined (finite) values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return Spread(0, math.nan, math.nan, math.nan)
    low, high = np.percentile(x, INTERVAL)
    return Spread(int(x.size), float(x.mean()), float(low), float(high))


def paired_difference(values: Sequence[float] | np.ndarray, reference: Sequence[float] | np.ndarray) -> Difference:
    """`values - reference` pair by pair: mean, 95% paired t interval and paired t-test p-value."""
    x, ref = np.asarray(values, dtype=float), np.asarray(reference, dtype=float)
    keep = np.isfinite(x) & np.isfinite(ref)
    x, ref = x[keep], ref[keep]
    d = x - ref
    n = int(d.size)
    if n == 0:
        return Difference(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(d.mean())
    if np.all(d == 0):
        return Difference(n, 0.0, 0.0, 0.0, 1.0, identical=True, correlation=1.0 if n > 1 else math.nan)
    if n < 2:
        return Difference(n, mean, math.nan, math.nan, math.nan)
    r = pair_correlation(x, ref)
    scale = max(float(np.abs(x).max()), float(np.abs(ref).max()), 1.0)
    if float(d.std(ddof=1)) <= _TINY * scale:  # the same difference in every pair: no noise at all
        return Difference(n, mean, mean, mean, 0.0, correlation=r)
    result = stats.ttest_rel(x, ref)
    ci = result.confidence_interval(CONFIDENCE)
    return Difference(n, mean, float(ci.low), float(ci.high), float(result.pvalue), correlation=r)


def pair_correlation(x: np.ndarray, ref: np.ndarray) -> float:
    """Return the Pearson correlation of paired runs (NaN with fewer than 3 pairs or a constant side).

    Near 1, the pairs share their luck and the paired difference is much less noisy
    than either scenario; near 0, pairing buys nothing.
    """
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(ref) == 0:
        return math.nan
    return float(stats.pearsonr(x, ref).statistic)


def kpi_names(runs: pd.DataFrame) -> list[str]:
    """List the whole-run KPIs present in `runs`, in the registry's order (`sim.kpis.SUMMARY`, `days` left out)."""
    return [k.name for k in SUMMARY if k.name != "days" and k.name in runs.columns]


def kpi_table(runs: pd.DataFrame, labels: Sequence[str], kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per (scenario, KPI) with `CSV_COLUMNS`, plus `first_mean`: the reference's mean over the pairs.

    `runs` holds the ok runs: scenario_index (0 = reference), replicate and the KPIs.
    The reference's own rows have diff_vs_first 0, no p-value and significance "reference".
    """
    kpis = kpi_names(runs) if kpis is None else list(kpis)
    rows = []
    for kpi in kpis:
        if runs.empty:
            wide = pd.DataFrame(columns=range(len(labels)), dtype=float)
        else:
            wide = runs.pivot(index="replicate", columns="scenario_index", values=kpi).astype(float)
            wide = wide.reindex(columns=range(len(labels)))
        reference = wide[0].to_numpy()
        for index, label in enumerate(labels):
            values = wide[index].to_numpy()
            s = spread(values)
            row = {"scenario": label, "kpi": kpi, "mean": s.mean, "ci_low": s.low, "ci_high": s.high, "n": s.n}
            if index == 0:
                row.update(
                    diff_vs_first=0.0 if s.n else math.nan,
                    p_value=math.nan,
                    n_pairs=s.n,
                    diff_ci_low=math.nan,
                    diff_ci_high=math.nan,
                    significance=REFERENCE,
                    correlation=math.nan,
                    first_mean=s.mean,
                )
            else:
                d = paired_difference(values, reference)
                both = np.isfinite(values) & np.isfinite(reference)
                first_mean = float(reference[both].mean()) if both.any() else math.nan
                row.update(
                    diff_vs_first=d.mean,
                    p_value=d.p_value,
                    n_pairs=d.n,
                    diff_ci_low=d.ci_low,
                    diff_ci_high=d.ci_high,
                    significance=d.mark,
                    correlation=d.correlation,
                    first_mean=first_mean,
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=[*CSV_COLUMNS, "first_mean"])
