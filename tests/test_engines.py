"""The agents engine and the vectorized engine give identical runs for the same seed.

Both run the member day written once (`sim.engines.member_day`): the vectorized engine
on every member's row at once, the agents engine member by member in Mesa's shuffled
order. Every draw is keyed by (seed, mechanism, day, identity), so the order changes
nothing and the two engines' daily metrics must be equal, column by column, exactly.
The scenarios are small and short, but each switches on mechanisms the baseline leaves
idle: periodic fee renewals, false flags and kicks, KOL cultivation, group splits and
copies, value feedback off, a staff budget with bots and KOL elimination, campaigns, the membership
tier, ad accounts and the sunk-cost motive.
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import SCENARIOS

import sim.groups
from sim import CommunityModel, load_scenario
from sim.agents import Member
from sim.engines import vectorized

SMALL = {"population.potential_pool": 600, "population.initial_members": 30, "acquisition.channel_inflow_per_day": 3}
CASES = {
    "baseline": ("baseline", {}),
    "renewals": (
        "paid_entry",
        {"entry.fee": 20, "entry.fee_period_days": 7, "moderation.false_positive_rate": 0.02},
    ),
    "kick_and_split": (
        "no_moderation",
        {
            "moderation.ad_policy": "kick",
            "ads.spam_satisfaction": 0.5,
            "ads.spam_rate": 0.5,
            "groups.capacity": 25,
            "groups.split_policy": "dunbar",
            "groups.dunbar_size": 20,
            "kol.cultivation_rate": 0.2,
        },
    ),
    "feedback_off": ("baseline", {"dynamics.value_feedback": False}),
    "staff_budget_bots_elimination": (
        "no_moderation",
        {
            "moderation.ad_policy": "kick",
            "ads.spam_satisfaction": 0.5,
            "ads.spam_rate": 0.5,
            "groups.capacity": 25,
            "groups.split_policy": "dunbar",
            "groups.dunbar_size": 20,
            "staff.admin_hours_per_day": 2.0,
            "staff.bots": True,
            "staff.eliminate_below_posts": 1.5,
            "staff.elimination_window": 7,
        },
    ),
    "money_and_ads": (
        "baseline",
        {
            "monetization.buyer_conversion": 0.05,
            "monetization.repurchase_rate": 0.05,
            "campaigns": [{"kind": "flash_sale", "day": 10}, {"kind": "presale", "day": 20}],
            "membership.price": 20.0,
            "membership.uptake": 0.2,
            "membership.duration_days": 5,
            "membership.renewal_min_satisfaction": 0.28,
            "ads.outside_accounts": 1.0,
            "ads.sunk_cost": 5.0,
            "ads.spam_satisfaction": 0.5,
        },
    ),
    "multi_group": (
        "no_moderation",
        {
            "moderation.ad_policy": "kick",
            "ads.spam_satisfaction": 0.5,
            "ads.spam_rate": 0.5,
            "churn.base_rate": 0.05,
            "groups.capacity": 25,
            "groups.split_policy": "dunbar",
            "groups.dunbar_size": 20,
            "groups.inception_days": 3,
            "groups.silent_days": 5,
            "groups.silent_messages": 3.0,
            "groups.dead_policy": "dissolve",
            "groups.max_groups_per_member": 3,
            "groups.extra_group_rate": 0.3,
            "groups.extra_group_interest": 0.0,
        },
    ),
}


def _run(case: str, engine: str, seed: int, days: int = 30) -> CommunityModel:
    name, extra = CASES[case]
    sc = load_scenario(SCENARIOS / f"{name}.toml", overrides={**SMALL, **extra})
    return CommunityModel(sc, rng=seed, engine=engine).run(days)


@pytest.mark.parametrize("case", list(CASES))
def test_engines_give_identical_runs(case: str) -> None:
    for seed in (1, 2):
        vec, agents = _run(case, "vectorized", seed), _run(case, "agents", seed)
        pd.testing.assert_frame_equal(vec.metrics(), agents.metrics(), check_exact=True)
        assert vec.summary() == agents.summary()
        assert vec.people.satisfaction.tobytes() == agents.people.satisfaction.tobytes()


@pytest.mark.parametrize("case", list(CASES))
def test_slices_of_the_day_give_the_same_run(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The member day's second phase and the group-choice races run in slices (memory); tiny slices change nothing."""
    whole = _run(case, "vectorized", 1)
    monkeypatch.setattr(vectorized, "LIVE_CHUNK", 7)
    monkeypatch.setattr(sim.groups, "RACE_BLOCK_CELLS", 5)
    sliced = _run(case, "vectorized", 1)
    pd.testing.assert_frame_equal(whole.metrics(), sliced.metrics(), check_exact=True)
    pd.testing.assert_frame_equal(whole.group_metrics(), sliced.group_metrics(), check_exact=True)
    assert whole.people.satisfaction.tobytes() == sliced.people.satisfaction.tobytes()


def test_the_cases_reach_the_mechanisms_they_are_meant_to() -> None:
    """The equality above is only worth something if renewals, kicks, splits and so on happen."""
    renewals = _run("renewals", "vectorized", 1).metrics()
    assert (renewals["fee_revenue"] / 20 - renewals["joined"]).sum() > 0  # fees beyond the joins' entry fees
    assert renewals["false_flags"].sum() > 0
    split = _run("kick_and_split", "vectorized", 1).metrics()
    assert split["kicked_today"].sum() > 0 and split["groups_opened"].sum() > 0
    assert split["kols_cultivated"].sum() > 0
    staff = _run("staff_budget_bots_elimination", "vectorized", 1).metrics()
    assert staff["groups_opened"].sum() > 0 and staff["admins"].max() == 1
    assert staff["kols_eliminated"].sum() > 0 and staff["ads_removed"].sum() > 0
    multi = _run("multi_group", "vectorized", 1).metrics()
    assert multi["groups_per_member"].max() > 1.2 and multi["groups_dropped"].sum() > 0
    off = _run("feedback_off", "vectorized", 1).metrics()
    assert off["left_today"].sum() > 0 and off["reactivated"].sum() > 0
    money = _run("money_and_ads", "vectorized", 1).metrics()
    assert money["repurchases"].sum() > 0 and money["tier_lapsed"].sum() > 0
    assert (money["tier_revenue"] / 20).sum() > money["tier_lapsed"].sum()  # renewals happen too
    assert money["ad_accounts_joined"].sum() > 0 and money["new_spammers"].sum() > 0


def test_agents_engine_uses_member_agents_and_is_deterministic() -> None:
    a = _run("baseline", "agents", 3, days=10)
    b = _run("baseline", "agents", 3, days=10)
    assert a.metrics().equals(b.metrics())
    assert len(a.members) == a.metrics()["members"].iloc[-1]
    assert all(isinstance(m, Member) for m in a.members)
