"""Named acquisition channels: what each costs, how many people it brings and who they are.

Channel 0 is the free inflow of `acquisition.channel_inflow_per_day` ("public"); channels
1.. are the scenario's `[[channels]]` (抖音, 快手, 公众号, 微博, ... seed 003 §steps). Each
channel adds its reach (people/day at full pool, bought by a daily spend or priced per
arrival) to the channel term of the join hazard; `Acquisition` attributes each channel
arrival to one channel in proportion to the reaches, and this book redraws the traits of
the people a channel with its own interest or willingness-to-pay distribution brings,
and keeps each channel's money and arrivals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import betaincinv

from sim.scenario.schema import Channel

if TYPE_CHECKING:
    from sim.population import PeopleTable
    from sim.random import Draws
    from sim.scenario.schema import Scenario


class ChannelBook:
    """The channels of a run: reaches, trait distributions, and money and arrivals so far, by channel index."""

    def __init__(self, sc: Scenario) -> None:
        self.names = sc.channel_names()
        self.cost = np.zeros(len(self.names))  # money spent on each channel, all days so far
        self.arrivals = np.zeros(len(self.names), dtype=np.int64)  # applicants each channel brought
        self.daily_cost: list[np.ndarray] = []  # money spent on each channel, one array per day
        self._read(sc)

    def open_day(self, sc: Scenario) -> float:
        """Read today's channels from the scenario (a what-if may change it) and pay each spend; return the money."""
        spend = self._read(sc)
        self.cost += spend
        self.daily_cost.append(spend.copy())
        return float(spend.sum())

    def _read(self, sc: Scenario) -> np.ndarray:
        """Take the reaches, prices and trait distributions from `sc`; return each channel's daily spend."""
        self.specs: list[Channel | None] = [None, *sc.channels]
        self.population = sc.population
        self.reach = np.array(sc.channel_reaches(), dtype=float)
        self.inflow = sc.channel_inflow()
        self.bounds = np.cumsum(self.reach) / self.inflow if self.inflow > 0 else np.ones(self.reach.size)
        self.price = np.array(
            [0.0 if c is None or c.daily_spend is not None else c.cost_per_arrival for c in self.specs]
        )
        return np.array([0.0 if c is None else c.daily_spend or 0.0 for c in self.specs])

    def assign(self, position: np.ndarray) -> np.ndarray:
        """Channel index of channel arrivals at `position` in [0, 1) of the channel term (by share of reach)."""
        index = np.searchsorted(self.bounds, position, side="right")
        return np.minimum(index, self.reach.size - 1).astype(np.int8)

    def bring(self, draws: Draws, day: int, people: PeopleTable, rows: np.ndarray, index: np.ndarray) -> float:
        """Channel arrivals `rows` (of channels `index`) reach the door: give them their traits; return the cost.

        A channel with its own distribution brings people of that distribution: their
        interest (Beta) and willingness to pay (lognormal) are drawn anew, keyed by row
        and day, before they face the threshold (a person refused keeps them).
        """
        np.add.at(self.arrivals, index, 1)
        money = np.bincount(index, minlength=self.reach.size) * self.price
        self.cost += money
        if self.daily_cost:
            self.daily_cost[-1] += money
        for i, spec in enumerate(self.specs):
            if spec is None or not spec.redraws_traits:
                continue
            mine = rows[index == i]
            if mine.size:
                people.interest[mine], people.wtp[mine] = self._traits(spec, draws, day, mine)
        return float(money.sum())

    def _traits(self, spec: Channel, draws: Draws, day: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pop = self.population
        mean = pop.interest_mean if spec.interest_mean is None else spec.interest_mean
        c = pop.interest_concentration if spec.interest_concentration is None else spec.interest_concentration
        wtp_mean = pop.wtp_mean if spec.wtp_mean is None else spec.wtp_mean
        sigma = pop.wtp_sigma if spec.wtp_sigma is None else spec.wtp_sigma
        if pop.homogeneous:
            return np.full(rows.size, mean), np.full(rows.size, wtp_mean)
        interest = betaincinv(mean * c, (1.0 - mean) * c, draws.uniform("channels.interest", day, rows))
        if sigma == 0 or wtp_mean == 0:
            wtp = np.full(rows.size, float(wtp_mean))
        else:
            wtp = np.exp(np.log(wtp_mean) - sigma**2 / 2 + sigma * draws.normal("channels.wtp", day, rows))
        return interest, wtp
