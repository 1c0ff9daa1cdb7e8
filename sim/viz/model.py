"""The model as the interactive view drives it: levers as keyword arguments, a DataCollector.

Mesa's SolaraViz (re)builds a model by calling its class with keyword arguments, one
per control. `CommunityModel` takes a whole `Scenario`, so `VizCommunity` is the
adapter: its keyword arguments are the main levers (see `LEVERS`), applied as dotted-key
overrides on top of a scenario file with `load_scenario`. It also owns the
`DataCollector` the plots read (the core model keeps its own daily records and has
none): stages, messages and ads, and groups, collected on day 0 and after every step.

This module needs only Mesa's core; the Solara app lives in `sim.viz.app`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.model import CommunityModel
from sim.population import STAGE_NAMES
from sim.scenario import Scenario, load_scenario
from sim.scenario.presets import presets_dir

__all__ = ["DEFAULT_SCENARIO", "LEVERS", "REPORTERS", "Lever", "VizCommunity", "lever_defaults", "lever_overrides"]

DEFAULT_SCENARIO = presets_dir() / "baseline.toml"
"""The scenario the view starts from when none is given: the packaged preset baseline."""


@dataclass(frozen=True)
class Lever:
    """One control of the view: the scenario key it sets and how it is shown.

    `kind` is "int", "float" (sliders from `low` to `high` by `step`) or "choice"
    (a select of `choices`).
    """

    key: str
    label: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    choices: tuple[str, ...] = ()


LEVERS: dict[str, Lever] = {
    "entry_threshold": Lever(
        "entry.threshold", "entry threshold", "choice", choices=("free", "paid", "invite", "review", "task")
    ),
    "entry_fee": Lever("entry.fee", "entry fee (paid threshold)", "float", 1.0, 200.0, 1.0),
    "kol_posts_per_day": Lever("output.kol_posts_per_day", "KOL posts per day", "float", 0.0, 8.0, 0.5),
    "ad_policy": Lever("moderation.ad_policy", "ad policy", "choice", choices=("tolerate", "warn_then_kick", "kick")),
    "admins": Lever("roles.admins", "admins", "int", 0, 6, 1),
    "capacity": Lever("groups.capacity", "group capacity", "int", 50, 500, 10),
    "split_policy": Lever(
        "groups.split_policy", "split policy", "choice", choices=("none", "at_capacity", "dunbar", "low_activity")
    ),
    "channel_inflow": Lever("acquisition.channel_inflow_per_day", "channel inflow per day", "float", 0.0, 100.0, 1.0),
    "referral_rate": Lever("acquisition.referral_rate", "referral rate", "float", 0.0, 0.1, 0.005),
}
"""The levers of the view, by keyword argument of `VizCommunity`."""

FALLBACK_FEE = 49.0
"""Fee shown on the fee slider when the scenario has none (the fee only counts with a paid threshold)."""


def _scenario_value(sc: Scenario, key: str) -> Any:
    section, _, name = key.partition(".")
    return getattr(getattr(sc, section), name)


def lever_defaults(sc: Scenario) -> dict[str, Any]:
    """Read the value of every lever in scenario `sc`, by keyword argument."""
    values = {name: _scenario_value(sc, lever.key) for name, lever in LEVERS.items()}
    if values["entry_fee"] <= 0:
        values["entry_fee"] = FALLBACK_FEE
    return values


def lever_overrides(**levers: Any) -> dict[str, Any]:
    """Dotted-key overrides for the given lever values (the fee only with a paid threshold).

    A paid threshold needs a fee > 0 and the fee means nothing otherwise, so the fee
    slider (which starts at 1) is passed on only when the threshold is paid: the
    scenario's own fee stays untouched for the other thresholds.
    """
    unknown = sorted(set(levers) - set(LEVERS))
    if unknown:
        raise TypeError(f"unknown lever(s): {', '.join(unknown)}; levers: {', '.join(LEVERS)}")
    out = {}
    for name, value in levers.items():
        if value is None or (name == "entry_fee" and levers.get("entry_threshold") != "paid"):
            continue
        out[LEVERS[name].key] = value
    return out


REPORTERS: dict[str, str] = {
    "new": "members in their first days (new stage)",
    "active": "active members past onboarding",
    "dormant": "dormant members",
    "gone": "people who left or were kicked, cumulative",
    "members": "new + active + dormant",
    "messages": "member messages that day",
    "ads": "ad messages posted that day",
    "ads removed": "ad messages removed by admins that day",
    "groups": "groups with at least one member",
    "largest group": "members in the largest group",
    "mean satisfaction": "mean satisfaction of members",
}
"""The DataCollector's model reporters (the plotted measures) and their meaning."""


class VizCommunity(CommunityModel):
    """`CommunityModel` built from a scenario file and lever keyword arguments, with a DataCollector.

    The run stops (``running`` becomes False) after the scenario's ``run.days``.

    Parameters
    ----------
    scenario_path : str or Path
        The scenario file or preset name (default: the preset baseline).
    base_overrides : dict, optional
        Dotted-key overrides applied first, e.g. ``{"population.potential_pool": 3000}``
        (the CLI's ``--set``); the levers are applied on top.
    rng : int, optional
        Seed of the run; default: the scenario's ``run.seed``.
    **levers
        Any of `LEVERS` (``entry_threshold="paid"``, ``entry_fee=49``, ``admins=2``, ...);
        a lever left out (or None) keeps the scenario's value.
    """

    def __init__(
        self,
        scenario_path: str | Path = DEFAULT_SCENARIO,
        base_overrides: Mapping[str, Any] | None = None,
        rng: Any = None,
        *,
        entry_threshold: str | None = None,
        entry_fee: float | None = None,
        kol_posts_per_day: float | None = None,
        ad_policy: str | None = None,
        admins: int | None = None,
        capacity: int | None = None,
        split_policy: str | None = None,
        channel_inflow: float | None = None,
        referral_rate: float | None = None,
    ) -> None:
        levers = {
            "entry_threshold": entry_threshold,
            "entry_fee": entry_fee,
            "kol_posts_per_day": kol_posts_per_day,
            "ad_policy": ad_policy,
            "admins": admins,
            "capacity": capacity,
            "split_policy": split_policy,
            "channel_inflow": channel_inflow,
            "referral_rate": referral_rate,
        }
        overrides = {**dict(base_overrides or {}), **lever_overrides(**levers)}
        scenario = load_scenario(scenario_path, overrides=overrides)
        super().__init__(scenario, rng=rng)
        self.seed = scenario.run.seed if rng is None else rng
        self.scenario_path = Path(scenario_path)
        self.overrides = overrides
        self.levers = lever_defaults(scenario)
        self._latest: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in REPORTERS},
        )
        self._observe()

    def step(self) -> None:
        """One day of the community, then one row of the DataCollector."""
        super().step()
        self._observe()
        self.running = self.steps < self.params.run.days

    def _observe(self) -> None:
        """Collect the reporters: from today's metrics, or from the people table on day 0."""
        if self.records:
            r = self.records[-1]
            self._latest = {
                "new": r["new"],
                "active": r["active"],
                "dormant": r["dormant"],
                "gone": r["left"] + r["kicked"],
                "members": r["members"],
                "messages": r["messages"],
                "ads": r["ad_messages"],
                "ads removed": r["ads_removed"],
                "groups": r["groups"],
                "largest group": r["max_group_size"],
                "mean satisfaction": r["mean_satisfaction"],
            }
        else:
            counts = dict(
                zip(STAGE_NAMES, np.bincount(self.people.stage, minlength=len(STAGE_NAMES)).tolist(), strict=True)
            )
            rows = self.people.members()
            sizes = self.people.group_sizes(rows, self.groups.count)
            self._latest = {
                "new": counts["new"],
                "active": counts["active"],
                "dormant": counts["dormant"],
                "gone": counts["left"] + counts["kicked"],
                "members": int(rows.size),
                "messages": 0,
                "ads": 0,
                "ads removed": 0,
                "groups": int((sizes > 0).sum()),
                "largest group": int(sizes.max(initial=0)),
                "mean satisfaction": float(self.people.satisfaction[rows].mean()) if rows.size else float("nan"),
            }
        self.datacollector.collect(self)


def _reporter(name: str) -> Any:
    """Make a model reporter reading measure `name` from the model's latest observation."""

    def report(model: VizCommunity) -> float:
        return model._latest[name]

    report.__name__ = f"report_{name.replace(' ', '_')}"
    return report
