"""One colour per scenario, by its position in the comparison, the same in every figure and table.

The first colours are Okabe and Ito's palette for colour-blind readers (without its
yellow, too pale for lines on white); more scenarios take tab10's remaining colours,
then repeat.
"""

from __future__ import annotations

__all__ = ["PALETTE", "scenario_colours"]

PALETTE = (
    "#0072B2",  # blue: the first scenario, the reference
    "#D55E00",  # vermilion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#8C564B",  # brown (tab10 from here)
    "#7F7F7F",  # grey
    "#BCBD22",  # olive
    "#9467BD",  # purple
    "#17BECF",  # cyan
)


def scenario_colours(n: int) -> list[str]:
    """Return the colours of `n` scenarios, in order (hex strings, for matplotlib and HTML alike)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]
