"""Scenarios: the schema of every lever, and loading it from TOML files."""

from sim.scenario.loader import ScenarioError, load_scenario, scenario_from_dict
from sim.scenario.schema import ActivityPlan, Scenario

__all__ = ["ActivityPlan", "Scenario", "ScenarioError", "load_scenario", "scenario_from_dict"]
