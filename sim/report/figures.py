"""Figures of a comparison of scenarios: one colour per scenario, bands over its replicates.

Every figure reads the daily series of a comparison (one row per scenario, replicate
and day: `compare.ComparisonResults.daily`) or its KPI table, and draws each scenario
in its colour (`sim.report.palette`), the same in every figure. Bands are computed per
day across the replicates: the 90% band runs from the 5th to the 95th percentile, the
50% band from the 25th to the 75th.

- `active.png`: fan chart of active members (new + active): median, 50% and 90% bands;
- `stages.png`: members by stage (mean new, active, dormant), stacked, a panel per scenario;
- `messages.png`: member messages and ad messages per day (mean and 90% band, 7-day mean);
- `groups.png`: number of groups and members of the largest group (mean and 90% band);
- `revenue.png`: cumulative revenue and cumulative profit (mean and 90% band);
- `kpis.png`: the headline KPIs, mean and 90% interval per scenario.

Built like `sim.report.overview`: `matplotlib.figure.Figure` on the Agg canvas (no
pyplot, nothing shown), saved atomically.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.report import atomic_output
from sim.report.fonts import use_cjk_fonts
from sim.report.kpi_stats import INTERVAL
from sim.report.palette import scenario_colours
from sim.report.wording import HEADLINE_KPIS, kpi_title, words

__all__ = ["FigureFile", "band_stats", "draw_figures"]

DPI = 110
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SMOOTH_DAYS = 7
STAGE_SHADES = (("active", 0.0), ("new", 0.45), ("dormant", 0.75))
"""Stages stacked bottom-up, each a shade of the scenario's colour (share of white mixed in)."""


@dataclass(frozen=True)
class FigureFile:
    """A figure written: its file, its title and a caption saying how to read it."""

    path: Path
    title: str
    caption: str


def band_stats(daily: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per scenario and day: mean and the 5/25/50/75/95th percentiles of `column` across replicates."""
    grouped = daily.groupby(["scenario_index", "day"])[column]
    quantiles = grouped.quantile(list(QUANTILES)).unstack()
    quantiles.columns = [f"p{round(100 * q):02d}" for q in QUANTILES]
    return quantiles.assign(mean=grouped.mean()).reset_index()


def draw_figures(
    daily: pd.DataFrame, kpis: pd.DataFrame, labels: Sequence[str], out: Path, replicates: int
) -> list[FigureFile]:
    """Draw every figure of the comparison into `out`; return them in report order."""
    use_cjk_fonts()
    colours = scenario_colours(len(labels))
    daily = _derived(daily)
    runs = f"{replicates} runs per scenario"
    specs: list[tuple[str, str, str, Callable[[Figure], None]]] = [
        (
            "kpis.png",
            "Key outcomes",
            (
                f"Each dot is a scenario's mean over its runs; the bar spans its 90% interval (5th to 95th percentile "
                f"of {runs})."
            ),
            lambda fig: _kpi_panels(fig, kpis, labels, colours),
        ),
        (
            "active.png",
            "Active members",
            (
                f"New + active members each day: the line is the median of {runs}, the dark band holds the middle 50% "
                "of runs, the light band 90%."
            ),
            lambda fig: _active_fan(fig, daily, labels, colours),
        ),
        (
            "stages.png",
            "Members by stage",
            (
                f"Mean number of members in each stage over {runs}, stacked: active at the bottom, then new "
                "(first days after joining), then dormant (lurking, muted)."
            ),
            lambda fig: _stages(fig, daily, labels, colours),
        ),
        (
            "messages.png",
            "Messages and ads",
            (
                f"Member messages and ad messages per day, {SMOOTH_DAYS}-day mean of each run; the line is the mean "
                f"over {runs}, the band holds 90% of runs."
            ),
            lambda fig: _messages(fig, daily, labels, colours),
        ),
        (
            "groups.png",
            "Groups",
            f"Number of groups with members, and members of the largest group; mean over {runs} and 90% band.",
            lambda fig: _groups(fig, daily, labels, colours),
        ),
        (
            "revenue.png",
            "Revenue and profit",
            (
                "Revenue (fees and product sales) and profit (revenue minus operator cost) summed from day 1; "
                "mean over "
                f"{runs} and 90% band."
            ),
            lambda fig: _revenue(fig, daily, labels, colours),
        ),
    ]
    files = []
    for name, title, caption, draw in specs:
        fig = Figure(figsize=(12.5, 5.2), layout="constrained")
        draw(fig)
        _save(fig, out / name)
        files.append(FigureFile(out / name, title, caption))
    return files


def _save(fig: Figure, path: Path) -> None:
    FigureCanvasAgg(fig)
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI)


def _derived(daily: pd.DataFrame) -> pd.DataFrame:
    """Add active members, cumulative profit and 7-day means of messages and ads, per run."""
    df = daily.copy()
    df["active_members"] = df["new"] + df["active"]
    by_run = df.groupby(["scenario_index", "replicate"], sort=False)
    df["cumulative_profit"] = (
        (df["revenue"] - df["operator_cost"]).groupby([df["scenario_index"], df["replicate"]]).cumsum()
    )
    if "cumulative_revenue" not in df.columns:
        df["cumulative_revenue"] = by_run["revenue"].cumsum()
    for column in ("messages", "ad_messages"):
        df[f"{column}_7d"] = by_run[column].transform(lambda s: s.rolling(SMOOTH_DAYS, min_periods=1).mean())
    return df


def _number(value: float) -> str:
    """Return a tick label: thousands separated, a true minus sign."""
    text = f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:g}"
    return text.replace("-", "\u2212")


def _thousands(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _number(v)))


def _scenario_legend(fig: Figure, labels: Sequence[str], colours: Sequence[str], extra: Sequence[Patch] = ()) -> None:
    handles = [Patch(facecolor=c, edgecolor=c, label=label) for label, c in zip(labels, colours, strict=True)]
    fig.legend(
        handles=[*handles, *extra],
        loc="outside upper center",
        ncols=min(len(handles) + len(extra), 6),
        frameon=False,
        fontsize="medium",
    )


def _mean_band(ax: Axes, daily: pd.DataFrame, column: str, labels: Sequence[str], colours: Sequence[str]) -> None:
    """Mean line and 90% band of `column` for each scenario."""
    stats = band_stats(daily, column)
    for index, colour in enumerate(colours):
        s = stats[stats["scenario_index"] == index]
        if s.empty:
            continue
        ax.fill_between(s["day"], s["p05"], s["p95"], color=colour, alpha=0.18, linewidth=0)
        ax.plot(s["day"], s["mean"], color=colour, linewidth=2, label=labels[index])
    ax.set_xlabel("day")
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0)
    _thousands(ax)


def _active_fan(fig: Figure, daily: pd.DataFrame, labels: Sequence[str], colours: Sequence[str]) -> None:
    ax = fig.subplots()
    stats = band_stats(daily, "active_members")
    for index, colour in enumerate(colours):
        s = stats[stats["scenario_index"] == index]
        if s.empty:
            continue
        ax.fill_between(s["day"], s["p05"], s["p95"], color=colour, alpha=0.15, linewidth=0)
        ax.fill_between(s["day"], s["p25"], s["p75"], color=colour, alpha=0.35, linewidth=0)
        ax.plot(s["day"], s["p50"], color=colour, linewidth=2.2)
    ax.set_title("Active members (new + active) per day: median, 50% and 90% of runs")
    ax.set_xlabel("day")
    ax.set_ylabel("members")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    _thousands(ax)
    bands = [
        Patch(facecolor="grey", alpha=0.55, label="50% of runs"),
        Patch(facecolor="grey", alpha=0.2, label="90% of runs"),
    ]
    _scenario_legend(fig, labels, colours, bands)


def _shade(colour: str, white: float) -> tuple[float, float, float]:
    r, g, b = to_rgb(colour)
    return (r + (1 - r) * white, g + (1 - g) * white, b + (1 - b) * white)


def _stages(fig: Figure, daily: pd.DataFrame, labels: Sequence[str], colours: Sequence[str]) -> None:
    n = len(labels)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig.set_size_inches(4.3 * cols + 0.6, 3.9 * rows + 0.6)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    means = daily.groupby(["scenario_index", "day"])[[s for s, _ in STAGE_SHADES]].mean().reset_index()
    for index, ax in enumerate(axes.flat):
        if index >= n:
            ax.set_visible(False)
            continue
        m = means[means["scenario_index"] == index]
        shades = [_shade(colours[index], white) for _, white in STAGE_SHADES]
        if not m.empty:
            ax.stackplot(
                m["day"],
                *(m[stage] for stage, _ in STAGE_SHADES),
                colors=shades,
                labels=[stage for stage, _ in STAGE_SHADES],
                edgecolor="white",
                linewidth=0.3,
            )
            ax.legend(loc="upper left", fontsize="small", framealpha=0.9, reverse=True)
        else:
            ax.text(0.5, 0.5, "no run finished", ha="center", va="center", transform=ax.transAxes, color="grey")
        ax.set_title(labels[index], color=colours[index], fontweight="bold")
        ax.grid(alpha=0.3)
        _thousands(ax)
        if index % cols == 0:
            ax.set_ylabel("members")
        if index >= n - cols:
            ax.set_xlabel("day")
            ax.xaxis.set_tick_params(labelbottom=True)
    fig.suptitle("Members by stage per day (mean over runs)")


def _messages(fig: Figure, daily: pd.DataFrame, labels: Sequence[str], colours: Sequence[str]) -> None:
    left, right = fig.subplots(1, 2)
    _mean_band(left, daily, "messages_7d", labels, colours)
    left.set_title(f"Member messages per day ({SMOOTH_DAYS}-day mean)")
    left.set_ylabel("messages / day")
    _mean_band(right, daily, "ad_messages_7d", labels, colours)
    right.set_title(f"Ad messages per day ({SMOOTH_DAYS}-day mean)")
    right.set_ylabel("ad messages / day")
    _scenario_legend(fig, labels, colours, [Patch(facecolor="grey", alpha=0.25, label="90% of runs")])


def _groups(fig: Figure, daily: pd.DataFrame, labels: Sequence[str], colours: Sequence[str]) -> None:
    left, right = fig.subplots(1, 2)
    _mean_band(left, daily, "groups", labels, colours)
    left.set_title("Groups with members")
    left.set_ylabel("groups")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    _mean_band(right, daily, "max_group_size", labels, colours)
    right.set_title("Largest group")
    right.set_ylabel("members")
    _scenario_legend(fig, labels, colours, [Patch(facecolor="grey", alpha=0.25, label="90% of runs")])


def _revenue(fig: Figure, daily: pd.DataFrame, labels: Sequence[str], colours: Sequence[str]) -> None:
    left, right = fig.subplots(1, 2)
    _mean_band(left, daily, "cumulative_revenue", labels, colours)
    left.set_title("Cumulative revenue (fees + product sales)")
    left.set_ylabel("currency")
    _mean_band(right, daily, "cumulative_profit", labels, colours)
    right.set_ylim(auto=True)
    right.autoscale(axis="y")
    right.axhline(0, color="black", linewidth=0.8)
    right.set_title("Cumulative profit (revenue − operator cost)")
    right.set_ylabel("currency")
    _scenario_legend(fig, labels, colours, [Patch(facecolor="grey", alpha=0.25, label="90% of runs")])


def _kpi_panels(fig: Figure, kpis: pd.DataFrame, labels: Sequence[str], colours: Sequence[str]) -> None:
    shown = [k for k in HEADLINE_KPIS if k in set(kpis["kpi"])]
    cols = 4
    rows = max(1, math.ceil(len(shown) / cols))
    fig.set_size_inches(12.5, 1.1 + rows * (0.5 + 0.38 * len(labels)) + 0.4)
    axes = fig.subplots(rows, cols, squeeze=False)
    y = np.arange(len(labels))[::-1]
    for position, (ax, kpi) in enumerate(zip(axes.flat, shown, strict=False)):
        scale = 100.0 if words(kpi).kind == "share" else 1.0
        table = kpis[kpis["kpi"] == kpi].set_index("scenario").reindex(labels)
        for i, label in enumerate(labels):
            row = table.loc[label]
            if not np.isfinite(row["mean"]):
                ax.text(
                    0.02,
                    y[i],
                    words(kpi).undefined,
                    va="center",
                    color=colours[i],
                    fontsize="small",
                    transform=ax.get_yaxis_transform(),
                )
                continue
            ax.plot(
                [row["ci_low"] * scale, row["ci_high"] * scale],
                [y[i], y[i]],
                color=colours[i],
                linewidth=3,
                alpha=0.45,
                solid_capstyle="butt",
            )
            ax.plot(row["mean"] * scale, y[i], "o", color=colours[i], markersize=7, clip_on=False)
        if words(kpi).kind in ("count", "share", "money", "days") and not (table["ci_low"] < 0).any():
            ax.set_xlim(left=0)  # from zero, so the eye reads sizes right
        ax.margins(x=0.08)  # a dot at the edge of its range is drawn whole
        ax.set_title(kpi_title(kpi), fontsize="medium")
        ax.set_yticks(y, labels if position % cols == 0 else [""] * len(labels))
        ax.set_ylim(-0.6, len(labels) - 0.4)
        ax.grid(axis="x", alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _number(v)))
    for ax in list(axes.flat)[len(shown) :]:
        ax.set_visible(False)
    low, high = INTERVAL
    fig.suptitle(f"Key outcomes: mean (dot) and 90% interval of runs ({low:g}th to {high:g}th percentile)")
