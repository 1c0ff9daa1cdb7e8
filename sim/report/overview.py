"""The overview figure: six panels that show how one run unfolded, day by day.

`plot_overview` reads only the daily metrics DataFrame (one row per day, see
`sim.metrics`) so it works on a fresh run, on a `metrics.csv` read back with
pandas, or on rows from an experiment store. Columns it does not find are
skipped (a panel with nothing to show says so) so older or partial results
still plot.

Rates (`new_rate`, `conversion_rate`, `churn_rate`, `reactivation_rate`) are
taken to be fractions per day and are drawn in % per day. `left` and `kicked`
are taken to be stage counts, i.e. cumulative totals, and are drawn as-is.

The figure is built with `matplotlib.figure.Figure` and the Agg canvas, not
pyplot: nothing is shown, no global figure list grows, and it is safe in worker
processes and threads.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.kpis import KPIS
from sim.report import atomic_output
from sim.report.fonts import shorten, use_cjk_fonts

__all__ = ["plot_overview"]

DPI = 110
FIGSIZE = (15.0, 8.5)

STAGES = ("new", "active", "dormant")
EXITS = ("left", "kicked")
RATES = ("new_rate", "conversion_rate", "churn_rate", "reactivation_rate")


def plot_overview(metrics: pd.DataFrame, path: str | os.PathLike[str], title: str) -> None:
    """Draw the six-panel overview of one run's daily `metrics` and save it as PNG at `path`.

    Panels: members by stage; messages, ads and ads removed; groups and the
    largest group; mean satisfaction; cumulative revenue, operator cost and
    profit; the four daily rates in %. The file is written atomically (see `sim.report.atomic_output`).
    """
    use_cjk_fonts()
    df = _with_day_column(metrics)
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    FigureCanvasAgg(fig)
    fig.suptitle(shorten(title, 110), fontsize=14)
    axes = fig.subplots(2, 3, sharex=True)
    _members(axes[0, 0], df)
    _messages(axes[0, 1], df)
    _groups(axes[0, 2], df)
    _satisfaction(axes[1, 0], df)
    _revenue(axes[1, 1], df)
    _rates(axes[1, 2], df)
    for ax in axes[1]:
        ax.set_xlabel("day")
    for ax in axes.flat:
        ax.grid(True, alpha=0.3)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight")


def _with_day_column(metrics: pd.DataFrame) -> pd.DataFrame:
    """Return the metrics with a `day` column (taken from the index if needed)."""
    if "day" in metrics.columns:
        return metrics
    df = metrics.reset_index(drop=metrics.index.name != "day")
    if "day" not in df.columns:
        df["day"] = range(len(df))
    return df


def _present(df: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Return the subset of `columns` that `df` has, in the given order."""
    return [c for c in columns if c in df.columns]


def _no_data(ax: Axes, what: str) -> None:
    """Mark a panel whose columns are all missing."""
    ax.text(0.5, 0.5, f"no {what} in these metrics", ha="center", va="center", transform=ax.transAxes, color="grey")


def _legend(ax: Axes, *twins: Axes) -> None:
    """One legend for `ax` and its twin axes, if anything was labelled.

    It is drawn on the last twin, the top-most axes, so no line crosses it.
    """
    handles, labels = [], []
    for a in (ax, *twins):
        h, lab = a.get_legend_handles_labels()
        handles += h
        labels += lab
    if handles:
        (twins[-1] if twins else ax).legend(handles, labels, loc="best", fontsize="small", framealpha=0.9)


def _members(ax: Axes, df: pd.DataFrame) -> None:
    """Panel 1: members in each stage (stacked), exits so far (dashed)."""
    ax.set_title("Members by stage")
    ax.set_ylabel("members")
    stages = _present(df, STAGES)
    exits = _present(df, EXITS)
    if not stages and not exits:
        _no_data(ax, "stage counts")
        return
    if stages:
        ax.stackplot(df["day"], *(df[c] for c in stages), labels=stages, alpha=0.75)
    for c in exits:
        ax.plot(df["day"], df[c], linestyle="--", label=f"{c} (cumulative)")
    _legend(ax)


def _messages(ax: Axes, df: pd.DataFrame) -> None:
    """Panel 2: messages, ad messages and ads removed per day."""
    ax.set_title("Messages and ads")
    ax.set_ylabel("messages / day")
    labels = {"messages": "all messages", "ad_messages": "ad messages", "ads_removed": "ads removed"}
    cols = _present(df, list(labels))
    if not cols:
        _no_data(ax, "message counts")
        return
    for c in cols:
        ax.plot(df["day"], df[c], label=labels[c], linestyle=":" if c == "ads_removed" else "-")
    _legend(ax)


def _groups(ax: Axes, df: pd.DataFrame) -> None:
    """Panel 3: number of groups (left axis) and the largest group's size (right axis)."""
    ax.set_title("Groups")
    ax.set_ylabel("groups")
    if "groups" not in df.columns and "max_group_size" not in df.columns:
        _no_data(ax, "group counts")
        return
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if "groups" in df.columns:
        ax.plot(df["day"], df["groups"], color="tab:blue", label="groups")
    twin = None
    if "max_group_size" in df.columns:
        twin = ax.twinx()
        twin.plot(df["day"], df["max_group_size"], color="tab:orange", label="largest group")
        twin.set_ylabel("members in largest group")
    _legend(ax, *([twin] if twin is not None else []))


def _satisfaction(ax: Axes, df: pd.DataFrame) -> None:
    """Panel 4: mean satisfaction of current members."""
    ax.set_title("Mean satisfaction")
    ax.set_ylabel(f"satisfaction ({KPIS['mean_satisfaction'].unit})")
    if "mean_satisfaction" not in df.columns:
        _no_data(ax, "satisfaction")
        return
    ax.plot(df["day"], df["mean_satisfaction"], color="tab:green", label="mean satisfaction")
    _legend(ax)


def _revenue(ax: Axes, df: pd.DataFrame) -> None:
    """Panel 5: cumulative revenue, operator cost and profit (revenue − cost), in currency."""
    ax.set_title("Revenue, cost and profit (cumulative)")
    ax.set_ylabel("currency")
    if "revenue" not in df.columns and "cumulative_revenue" not in df.columns:
        _no_data(ax, "revenue")
        return
    if "cumulative_revenue" in df.columns:
        revenue = df["cumulative_revenue"]
    else:
        revenue = df["revenue"].fillna(0).cumsum()
    ax.plot(df["day"], revenue, color="tab:purple", label="revenue")
    if "operator_cost" in df.columns:
        cost = df["operator_cost"].fillna(0).cumsum()
        ax.plot(df["day"], cost, color="tab:red", label="operator cost")
        ax.plot(df["day"], revenue - cost, color="black", linestyle="--", label="profit")
        ax.axhline(0, color="grey", linewidth=0.8)
    _legend(ax)


def _rates(ax: Axes, df: pd.DataFrame) -> None:
    """Panel 6: the four daily transition rates, in % per day."""
    ax.set_title("Daily rates")
    ax.set_ylabel("% per day")
    cols = _present(df, RATES)
    if not cols:
        _no_data(ax, "rates")
        return
    for c in cols:
        ax.plot(df["day"], 100.0 * df[c], label=c.removesuffix("_rate"))
    _legend(ax)
