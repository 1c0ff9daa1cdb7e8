"""The interactive view of a community: Mesa's SolaraViz (needs the `viz` extra).

- `sim.viz.model`: `VizCommunity`, the model as the view drives it (levers as keyword
  arguments, a Mesa DataCollector for the plots); needs only Mesa's core;
- `sim.viz.app`: the Solara app (`Page`, served by ``community-sim viz``) and `view`,
  which shows the same view inline in a notebook.

`view` is imported lazily, so ``import sim.viz`` works without Solara installed.
"""

from __future__ import annotations

from typing import Any

from sim.viz.model import LEVERS, Lever, VizCommunity

__all__ = ["LEVERS", "Lever", "VizCommunity", "view"]


def view(*args: Any, **kwargs: Any) -> Any:
    """Build the SolaraViz element of a scenario, for display in a notebook (see `sim.viz.app.view`)."""
    from sim.viz.app import view as _view

    return _view(*args, **kwargs)
