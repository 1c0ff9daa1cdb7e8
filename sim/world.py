"""What a mechanism sees of the model: the `Community` protocol.

Mechanisms (`sim.mechanisms`, the member day, the agents, the metrics) are typed against this protocol
rather than against `CommunityModel`, so they do not import the model that imports
them: the package's import graph has no cycle (tests/test_imports.py). The model
satisfies it; so would a test double.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import random

    import mesa

    from sim.engines.trend import Trend
    from sim.groups import GroupTable
    from sim.population import PeopleTable
    from sim.random import Draws
    from sim.role_table import RoleTable
    from sim.scenario.schema import Scenario


class Community(Protocol):
    """The state a day's mechanisms read and write."""

    params: Scenario  # the scenario's levers
    people: PeopleTable  # every person of the pool, one row each
    groups: GroupTable  # per-group state
    draws: Draws  # the run's keyed random numbers
    trend: Trend  # yesterday's flows, for mid-day population terms
    random: random.Random  # Mesa's Python random
    engine: str  # "vectorized" or "agents": how member and role days run
    kol_table: RoleTable  # the KOL agents' state, one row each
    admin_table: RoleTable  # the admin agents' state, one row each
    steps: int  # days simulated so far

    @property
    def members(self) -> mesa.agent.AgentSet:
        """The current members as Mesa agents."""
        ...

    @property
    def kols(self) -> list[Any]:
        """The KOL agents."""
        ...

    @property
    def admins(self) -> list[Any]:
        """The admin agents."""
        ...

    def agents_of_role(self, kind: type) -> mesa.agent.AgentSet | None:
        """Return the agents of a role type (KOL, Admin), or None when there are none."""
        ...

    def new_serial(self, kind: str) -> int:
        """Return the next serial number of an agent of `kind`: its identity in keyed draws."""
        ...
