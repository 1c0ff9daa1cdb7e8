"""The agent-by-agent engine applies the same rules as the vectorized one: same distributions.

Each engine runs a small community over 20 seeds; a two-sample Kolmogorov-Smirnov test
on each key outcome must not reject equality. The seeds are fixed, so the test is
deterministic; the threshold (p > 0.01 per outcome) is a real check: an engine that
drops a mechanism (say, reactivation or first-day exits) shifts these outcomes by
several standard errors and fails it.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SCENARIOS
from scipy import stats

from sim import CommunityModel, load_scenario

SMALL = {"population.potential_pool": 1500, "population.initial_members": 60, "acquisition.channel_inflow_per_day": 3}
OUTCOMES = ("final_active", "messages", "joined", "left", "ad_messages", "mean_satisfaction")


def _outcomes(name: str, engine: str, seeds: range, days: int, **extra: object) -> np.ndarray:
    rows = []
    for seed in seeds:
        sc = load_scenario(SCENARIOS / f"{name}.toml", overrides={**SMALL, **extra})
        m = CommunityModel(sc, rng=seed, engine=engine).run(days)
        df, s = m.metrics(), m.summary()
        rows.append(
            (
                s["final_active"],
                df["messages"].sum(),
                s["total_joined"],
                df["left"].iloc[-1],
                df["ad_messages"].sum(),
                df["mean_satisfaction"].iloc[-1],
            )
        )
    return np.array(rows, dtype=float)


@pytest.mark.parametrize("name", ["baseline", "no_moderation"])
def test_engines_give_the_same_distributions(name: str) -> None:
    days = 60 if name == "baseline" else 90
    vec = _outcomes(name, "vectorized", range(20), days)
    agents = _outcomes(name, "agents", range(100, 120), days)
    for k, outcome in enumerate(OUTCOMES):
        p = stats.ks_2samp(vec[:, k], agents[:, k]).pvalue
        assert p > 0.01, (
            f"{outcome}: vectorized mean {vec[:, k].mean():.3f}, agents {agents[:, k].mean():.3f}, p={p:.4f}"
        )


def test_a_missing_mechanism_would_be_caught() -> None:
    """The same comparison rejects a real difference of the size a dropped mechanism makes."""
    vec = _outcomes("baseline", "vectorized", range(20), 60)
    other = _outcomes("baseline", "vectorized", range(100, 120), 60, **{"onboarding.welcome": False})
    p = stats.ks_2samp(vec[:, 3], other[:, 3]).pvalue
    assert p < 0.01


def test_agents_engine_uses_member_agents_and_is_deterministic() -> None:
    sc = load_scenario(SCENARIOS / "baseline.toml", overrides=SMALL)
    a = CommunityModel(sc, rng=3, engine="agents").run(20)
    b = CommunityModel(sc, rng=3, engine="agents").run(20)
    assert a.metrics().equals(b.metrics())
    assert len(a.members) == a.metrics()["members"].iloc[-1]
