"""The interactive view: Mesa's SolaraViz over `VizCommunity` (needs the `viz` extra).

In a browser: ``community-sim viz [SCENARIO] [--port P] [--set key=value ...]`` serves
this module with Solara (``Page`` is the app). In a notebook, the last expression of a cell

    from sim.viz import view
    view("scenarios/baseline.toml", overrides={"population.potential_pool": 3000})

shows the same view inline. The sidebar has Reset / play / Step and the levers; as
everywhere in SolaraViz, changed levers take effect on Reset (a new run from day 0
with the same seed, so the difference is the levers'). The main area plots members
by stage, messages against ads, and the groups, day by day, and shows the levers the
running model was built with.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from html import escape
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz, make_plot_component

from sim.scenario import load_scenario
from sim.viz.model import DEFAULT_SCENARIO, LEVERS, VizCommunity, lever_defaults, lever_overrides

__all__ = [
    "COMPONENTS",
    "CSS",
    "CommunityView",
    "ENV_OVERRIDES",
    "ENV_SCENARIO",
    "ENV_SEED",
    "groups_plot",
    "Page",
    "run_summary",
    "model_params",
    "view",
]

ENV_SCENARIO = "COMMUNITY_SIM_VIZ_SCENARIO"
"""Environment variable naming the scenario file `Page` starts from (set by `community-sim viz`)."""
ENV_OVERRIDES = "COMMUNITY_SIM_VIZ_OVERRIDES"
"""Environment variable holding the `--set` overrides as a JSON object."""
ENV_SEED = "COMMUNITY_SIM_VIZ_SEED"
"""Environment variable holding the seed of the first run (default: the scenario's run.seed)."""

STAGE_COLORS = {"new": "tab:green", "active": "tab:blue", "dormant": "tab:orange", "gone": "tab:gray"}
MESSAGE_COLORS = {"messages": "tab:blue", "ads": "tab:red", "ads removed": "tab:purple"}
SEED_MAX = 999
"""Top of the seed slider (higher if the scenario's seed is higher)."""
MIN_DAYS_SHOWN = 10
"""The x axis of the plots spans at least this many days, so day 0 is not a lone dot."""

CSS = """
/* show every slider's value, not only while dragging (Mesa's controls leave thumb_label at its default) */
.v-slider__thumb-container .v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label { transform: translateY(-16px) translateX(-50%) rotate(45deg) scale(0.85) !important; }
.v-slider { margin-top: 14px; }
.run-summary table.levers { border-collapse: collapse; margin: 6px 0; }
.run-summary table.levers th, .run-summary table.levers td { padding: 1px 12px 1px 0; text-align: left; }
"""
"""Style of the view: slider values always visible, a compact table of levers."""


def _titled(title: str, ylabel: str) -> Any:
    """Make a post_process for Mesa's plot components: a title, a y label, a grid, axes from 0."""

    def post_process(ax: Any) -> None:
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        days = max((len(line.get_xdata()) for line in ax.lines), default=1) - 1
        ax.set_xlim(0, max(MIN_DAYS_SHOWN, days))
        ax.set_ylim(bottom=0)
        ax.figure.set_size_inches(6.4, 3.6)

    return post_process


def groups_plot(model: VizCommunity) -> Any:
    """Plot the groups over the days (count and largest) and today's members per group (engaged / dormant)."""
    df = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(6.4, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(1.2, 1))
    left.plot(df.index, df["groups"], color="tab:blue", label="groups")
    left.set_xlabel("day")
    left.set_ylabel("groups")
    left.set_title("Groups")
    left.grid(alpha=0.3)
    left.set_xlim(0, max(MIN_DAYS_SHOWN, len(df) - 1))
    left.set_ylim(0, max(2, int(df["groups"].max()) + 1))
    left.yaxis.get_major_locator().set_params(integer=True)
    twin = left.twinx()
    twin.plot(df.index, df["largest group"], color="tab:red", lw=1, ls="--", label="largest group")
    twin.set_ylabel("members in the largest group")
    twin.set_ylim(bottom=0)
    handles = left.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    left.legend(handles=handles, loc="upper left", fontsize=8)
    table = model.group_table()
    table = table[table["members"] > 0]
    x = np.arange(len(table))
    engaged = table["engaged"].to_numpy()
    dormant = table["members"].to_numpy() - engaged
    right.bar(x, engaged, color="tab:blue", label="engaged")
    right.bar(x, dormant, bottom=engaged, color="tab:orange", label="dormant")
    right.axhline(model.params.groups.capacity, color="black", lw=0.8, ls=":", label="capacity")
    right.set_title(f"Members per group, day {model.steps}")
    right.set_xlabel("group")
    right.set_xticks(x if len(x) <= 12 else x[:: max(1, len(x) // 8)])
    right.legend(loc="upper right", fontsize=8)
    return solara.FigureMatplotlib(fig, format="png")


def run_summary(model: VizCommunity) -> Any:
    """Today's numbers and the levers the running model was built with (plain HTML, no Markdown/KaTeX)."""
    latest = model._latest
    rows = "".join(
        f"<tr><td>{escape(LEVERS[name].label)}</td><td class='lever-value' data-lever='{name}'>"
        f"{escape(_fmt(value))}</td></tr>"
        for name, value in model.levers.items()
    )
    html = (
        f"<p><b>{escape(model.params.name)}</b>, seed {_fmt(model.seed)}: day <b class='day'>{model.steps}</b> "
        f"of {model.params.run.days}, <b class='members'>{int(latest['members'])}</b> members "
        f"({int(latest['new'] + latest['active'])} engaged) in <b>{int(latest['groups'])}</b> groups; "
        f"{int(latest['messages'])} messages and {int(latest['ads'])} ads today.</p>"
        "<table class='levers'><tr><th>lever (this run)</th><th>value</th></tr>" + rows + "</table>"
        "<p>Change the levers in the sidebar, then <b>Reset</b>: a new run from day 0 with them "
        "(same seed, so the difference is the levers').</p>"
    )
    return solara.HTML(tag="div", unsafe_innerHTML=html, classes=["run-summary"])


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


COMPONENTS = [
    make_plot_component(STAGE_COLORS, post_process=_titled("Members by stage", "people")),
    make_plot_component(MESSAGE_COLORS, post_process=_titled("Messages vs ads", "per day")),
    groups_plot,
    run_summary,
]
"""The main area of the view: Mesa plot components over the DataCollector, the groups, the summary."""


def model_params(
    scenario_path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    rng: int | None = None,
    **levers: Any,
) -> dict[str, Any]:
    """SolaraViz's `model_params`: fixed scenario and overrides, a seed slider, a control per lever.

    Each control starts at the lever's value in the scenario (after `overrides`), or at
    the value given in `levers`; slider ranges widen to include it.
    """
    sc = load_scenario(scenario_path, overrides={**dict(overrides or {}), **lever_overrides(**levers)})
    values = lever_defaults(sc)
    params: dict[str, Any] = {
        "scenario_path": str(scenario_path),
        "base_overrides": MappingProxyType(dict(overrides or {})),  # not a dict: SolaraViz keeps it fixed
        "rng": {
            "type": "SliderInt",
            "label": "seed",
            "value": int(sc.run.seed if rng is None else rng),
            "min": 0,
            "max": max(SEED_MAX, int(sc.run.seed if rng is None else rng)),
            "step": 1,
        },
    }
    for name, lever in LEVERS.items():
        value = values[name]
        if lever.kind == "choice":
            params[name] = {"type": "Select", "label": lever.label, "value": value, "values": list(lever.choices)}
        else:
            cast = int if lever.kind == "int" else float
            params[name] = {
                "type": "SliderInt" if lever.kind == "int" else "SliderFloat",
                "label": lever.label,
                "value": cast(value),
                "min": cast(min(lever.low, value)),
                "max": cast(max(lever.high, value)),
                "step": cast(lever.step),
            }
    return params


def view(
    scenario_path: str | Path = DEFAULT_SCENARIO,
    overrides: Mapping[str, Any] | None = None,
    rng: int | None = None,
    **levers: Any,
) -> Any:
    """Build the SolaraViz element for a scenario: display it in a notebook, or return it from a Solara page.

    `overrides` are dotted-key scenario overrides (like ``--set``), `rng` the seed of
    the first run (default: the scenario's ``run.seed``), `levers` starting values of
    any of `sim.viz.LEVERS`.
    """
    params = model_params(scenario_path, overrides, rng, **levers)
    return CommunityView(VizCommunity(scenario_path, overrides, params["rng"]["value"], **levers), params)


@solara.component
def CommunityView(model: VizCommunity, params: dict[str, Any]) -> Any:  # noqa: N802 (a Solara component: PascalCase)
    """Mesa's SolaraViz of `model` with our components and controls `params`, and our style."""
    solara.Style(CSS)
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=params,
        name=f"community-sim · {model.params.name}",
        play_interval=150,
    )


def _start_from_environment() -> dict[str, Any]:
    """Scenario, overrides and seed handed over by `community-sim viz` through the environment."""
    scenario = os.environ.get(ENV_SCENARIO) or str(DEFAULT_SCENARIO)
    overrides = json.loads(os.environ.get(ENV_OVERRIDES) or "{}")
    seed = os.environ.get(ENV_SEED)
    return {"scenario_path": scenario, "overrides": overrides, "rng": None if seed in (None, "") else int(seed)}


@solara.component
def Page() -> Any:  # noqa: N802 (Solara serves the component named Page)
    """Serve the Solara app of `community-sim viz`: one view per browser session."""
    start = solara.use_memo(_start_from_environment, [])
    params = solara.use_memo(lambda: model_params(**start), [])
    model = solara.use_memo(
        lambda: VizCommunity(start["scenario_path"], start["overrides"], params["rng"]["value"]), []
    )
    return CommunityView(model, params)
