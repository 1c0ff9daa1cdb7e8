"""community-sim: an agent-based simulator of the lifecycle of online communities.

from sim import load_scenario, CommunityModel
sc = load_scenario("scenarios/baseline.toml", overrides={"moderation.ad_policy": "tolerate"})
m = CommunityModel(sc, rng=7)
m.run(days=180)
df = m.metrics()
"""

from sim.agents import KOL, Admin, Member
from sim.model import CommunityModel
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict

__all__ = [
    "KOL",
    "Admin",
    "CommunityModel",
    "Member",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_from_dict",
]
