"""community-sim: an agent-based simulator of the lifecycle of online communities.

from sim import load_scenario, CommunityModel
sc = load_scenario("baseline", overrides={"moderation.ad_policy": "tolerate"})
m = CommunityModel(sc, rng=7)
m.run(days=180)
df = m.metrics()
"""

from importlib.metadata import PackageNotFoundError, version

from sim.agents import KOL, Admin, Member
from sim.model import CommunityModel
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict

# pyproject.toml's `version` is the one source, read from the installed distribution
try:
    __version__ = version("community-sim")
except PackageNotFoundError:  # a source tree on sys.path without an install
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "KOL",
    "Admin",
    "CommunityModel",
    "Member",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_from_dict",
]
