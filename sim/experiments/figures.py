"""Figures of a sweep's analysis: main effects per parameter, and sensitivity indices as bars.

Built like `sim.report.overview`: a `matplotlib.figure.Figure` on the Agg canvas (no
pyplot, nothing shown), saved atomically.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.report import atomic_output

__all__ = ["plot_main_effects", "plot_sensitivity"]

DPI = 110


def _save(fig: Figure, path: Path) -> None:
    FigureCanvasAgg(fig)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI)


def plot_main_effects(effects: pd.DataFrame, parameters: list[str], kpi: str, path: Path) -> None:
    """One panel per parameter: the KPI's mean at each level with its 95% CI."""
    cols = min(3, len(parameters))
    rows = math.ceil(len(parameters) / cols)
    fig = Figure(figsize=(4.6 * cols, 3.4 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    for ax, p in zip(axes.flat, parameters, strict=False):
        df = effects[effects["parameter"] == p]
        levels = df["level"].tolist()
        numeric = all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in levels)
        x = np.asarray(levels, dtype=float) if numeric else np.arange(len(levels))
        mean = df["mean"].to_numpy(dtype=float)
        low, high = df["ci_low"].to_numpy(dtype=float), df["ci_high"].to_numpy(dtype=float)
        err = np.vstack([mean - low, high - mean])
        ax.errorbar(x, mean, yerr=np.nan_to_num(err), fmt="o-" if numeric else "o", capsize=4, color="tab:blue")
        if not numeric:
            ax.set_xticks(x, [str(v) for v in levels], rotation=20 if len(levels) > 3 else 0)
        over = ", ".join(sorted(set(df["over"]))) if not df.empty else ""
        ax.set_title(p, fontsize=10)
        ax.set_xlabel(f"level (95% CI from {over})" if over else "level", fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(parameters) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(kpi)
    fig.suptitle(f"Main effects on {kpi}: mean with 95% CI, averaged over the other parameters")
    _save(fig, path)


def plot_sensitivity(table: pd.DataFrame, design: str, kpi: str, path: Path) -> None:
    """Sobol' S1 and ST (or Morris mu* and sigma) per parameter as bars with 95% confidence."""
    names = table["parameter"].tolist()
    y = np.arange(len(names))
    fig = Figure(figsize=(7.5, 1.0 + 0.55 * len(names)), layout="constrained")
    ax = fig.subplots()
    bars: tuple[tuple[str, str | None, str], ...]  # (column, its 95% half-width column or None, label)
    if design == "sobol":
        bars = (("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total order ST"))
        ax.set_xlabel("Sobol' index (share of the KPI's variance)")
    else:
        bars = (("mu_star", "mu_star_conf", "mu* (mean |elementary effect|)"), ("sigma", None, "sigma"))
        ax.set_xlabel(f"elementary effect on {kpi} per unit of the parameter's range")
    h = 0.38
    for i, (col, conf, label) in enumerate(bars):
        xerr = table[conf].to_numpy(dtype=float) if conf else None
        ax.barh(y + (i - 0.5) * h, table[col].to_numpy(dtype=float), h, xerr=xerr, capsize=3, label=label)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    ax.set_title(f"{'Sobol' if design == 'sobol' else 'Morris'} sensitivity of {kpi} (95% confidence)")
    _save(fig, path)
