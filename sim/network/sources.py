"""Build the friendship network a scenario's `[network]` section asks for.

The model calls `build_network` once at set-up with its keyed Generator for
"network", so the same seed gives the same graph whatever else the run draws.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from sim.network.edgelist import NetworkDataError, read_attributes, read_edge_list
from sim.network.generators import communities, holme_kim
from sim.network.graph import SocialGraph
from sim.network.section import NetworkSection


def _resolve(name: str, base_dir: str | Path | None) -> Path:
    path = Path(name)
    return path if path.is_absolute() or base_dir is None else Path(base_dir) / path


def build_network(
    section: NetworkSection, pool: int, rng: np.random.Generator, base_dir: str | Path | None = None
) -> SocialGraph | None:
    """Build the graph over `pool` people, or None for `well_mixed` (no graph: today's model).

    Relative file names are read from `base_dir` when given, else from the working
    directory (`load_scenario` makes them absolute, relative to the scenario file that
    named them). Bad files raise `NetworkDataError`, its `key` naming the scenario key.
    """
    if section.source == "well_mixed":
        return None
    if section.source == "communities":
        return communities(
            pool,
            rng,
            mean_degree=section.mean_degree,
            degree_exponent=section.degree_exponent,
            max_degree=section.max_degree,
            community_size_mean=section.community_size_mean,
            community_size_sigma=section.community_size_sigma,
            mixing=section.mixing,
            triadic_closure=section.triadic_closure,
        )
    if section.source == "holme_kim":
        return holme_kim(pool, rng, mean_degree=section.mean_degree, triadic_closure=section.triadic_closure)
    assert section.edge_list is not None  # the section's validator guarantees it
    try:
        return read_edge_list(_resolve(section.edge_list, base_dir), pool)
    except NetworkDataError as exc:
        exc.key = "network.edge_list"
        raise


def build_attributes(
    section: NetworkSection, pool: int, base_dir: str | Path | None = None
) -> dict[str, npt.NDArray[np.float64]]:
    """Per-person traits from `network.attributes` (NaN where a person is not listed); {} without a file."""
    if not section.attributes:
        return {}
    try:
        return read_attributes(_resolve(section.attributes, base_dir), pool)
    except NetworkDataError as exc:
        exc.key = "network.attributes"
        raise
