"""Issue 16: conversion into customers, campaigns, repurchase, the membership tier; ads from outside, sunk cost."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import SCENARIOS, run_preset

from sim.population import AD_ACCOUNT, CAMPAIGN, INITIAL
from sim.rules import ads as ad_rules
from sim.rules import campaigns as campaign_rules
from sim.rules.money import affords, renews, tier_hazard
from sim.scenario.loader import ScenarioError, load_scenario

SEEDS = range(4)


# ---------------------------------------------------------------- pure rules
def test_sunk_cost_factor_grows_with_tenure_and_saturates() -> None:
    f = ad_rules.sunk_cost_factor(np.array([0, 10, 60, 600, 6000]), 3.0, 60.0)
    assert f[0] == 1.0
    assert np.all(np.diff(f) > 0)
    assert f[2] == pytest.approx(1 + 3 * (1 - np.exp(-1)))
    assert f[-1] == pytest.approx(4.0)
    assert np.all(ad_rules.sunk_cost_factor(np.array([0, 50, 5000]), 0.0, 60.0) == 1.0)


def test_spam_hazard_scales_with_the_sunk_cost_and_needs_disaffection() -> None:
    sat, fear = np.array([0.0, 0.0, 0.5]), np.array([0.5, 0.5, 0.0])
    base = ad_rules.spam_hazard(sat, fear, 0.1, 0.2)
    sunk = ad_rules.spam_hazard(sat, fear, 0.1, 0.2, np.array([1.0, 3.0, 3.0]))
    assert base.tolist() == [0.05, 0.05, 0.0]
    assert sunk.tolist() == pytest.approx([0.05, 0.15, 0.0])  # the satisfied member never turns


def test_ad_accounts_pass_weak_thresholds_and_fewer_pass_strong_ones() -> None:
    p = ad_rules.ad_account_pass
    assert p("free") == 1.0
    assert p("paid", fee=10, budget=20) > p("paid", fee=50, budget=20) > p("paid", fee=500, budget=20) > 0
    assert p("invite", invite_code_share=0.1) == 0.1
    assert p("review", review_min_interest=0.2) > p("review", review_min_interest=0.8)
    assert p("task", task_effort=0.3) > p("task", task_effort=0.9)
    with pytest.raises(ValueError, match="unknown entry threshold"):
        p("lottery")


def test_only_customers_who_can_afford_it_buy_the_tier() -> None:
    h = tier_hazard(
        np.array([True, False, True]),
        np.array([2.0, 2.0, 2.0]),
        np.array([100.0, 100.0, 1.0]),
        np.array([0.5, 0.5, 0.5]),
        price=30.0,
        uptake=0.1,
    )
    assert h.tolist() == [0.2, 0.0, 0.0]
    assert affords(np.array([30.0, 29.0]), np.array([0.5, 0.5]), 30.0).tolist() == [True, False]
    assert renews(
        np.array([0.3, 0.1]), np.array([100.0, 100.0]), np.array([0.5, 0.5]), fee=30, min_satisfaction=0.2
    ).tolist() == [
        True,
        False,
    ]


def test_campaign_defaults_and_combination() -> None:
    flash = campaign_rules.effect("flash_sale", duration=None, lift=None, annoyance=None)
    assert flash == campaign_rules.DEFAULTS["flash_sale"]
    presale = campaign_rules.effect("presale", duration=3, lift=None, annoyance=0.0)
    assert (presale.duration, presale.lift, presale.annoyance) == (3, 0.5, 0.0)
    assert campaign_rules.combined([flash, presale]) == (3.5, 0.08)
    assert campaign_rules.combined([]) == (0.0, 0.0)


# ---------------------------------------------------------------- conversion
def test_first_purchases_are_stored_and_the_kpis_add_up() -> None:
    m = run_preset("baseline", 1, 90, monetization__buyer_conversion=0.02)
    df, people, s = m.metrics(), m.people, m.summary()
    customers = people.first_purchase_day >= 0
    assert np.array_equal(customers, people.purchases > 0)
    assert customers.sum() == df["first_purchases"].sum() == s["first_purchases_total"] > 0
    assert (df["first_purchases"] + df["repurchases"] == df["purchases"]).all()
    assert df["repurchases"].sum() == s["repurchases_total"] > 0
    assert np.all(people.first_purchase_day[customers] >= np.maximum(people.join_day[customers], 1))
    assert np.all(people.first_purchase_source[customers] > 0) and np.all(people.first_purchase_source[~customers] == 0)
    joiners = customers & (people.source != INITIAL)
    assert s["conversion_cycle_mean"] == pytest.approx(
        np.mean(people.first_purchase_day[joiners] - people.join_day[joiners])
    )
    assert ((df["conversion_rate"] >= 0) & (df["conversion_rate"] <= 1)).all()
    # customers among members can only grow by first purchases
    assert (df["customers"].diff().iloc[1:] <= df["first_purchases"].iloc[1:]).all()


def test_a_campaign_lifts_first_purchases_in_its_window() -> None:
    window = slice(29, 36)  # days 30..36
    plain, lifted = [], []
    for seed in SEEDS:
        base = run_preset("baseline", seed, 40).metrics()
        camp = run_preset("baseline", seed, 40, campaigns=[{"kind": "launch", "day": 30, "duration": 7}])
        plain.append(base["first_purchases"].iloc[window].sum())
        lifted.append(camp.metrics()["first_purchases"].iloc[window].sum())
        on = camp.people.first_purchase_source == CAMPAIGN
        assert np.all((camp.people.first_purchase_day[on] >= 30) & (camp.people.first_purchase_day[on] <= 36))
    # lift 1.0 doubles the hazard: expect about 2x, allow seed noise
    assert sum(lifted) > 1.4 * sum(plain)
    assert all(c >= p for c, p in zip(lifted, plain, strict=True))


def test_a_campaign_annoys_members_while_it_runs() -> None:
    annoying = [{"kind": "presale", "day": 20, "duration": 10, "lift": 0.0, "annoyance": 0.2}]
    drop = []
    for seed in range(3):
        base = run_preset("baseline", seed, 30).metrics()
        camp = run_preset("baseline", seed, 30, campaigns=annoying).metrics()
        assert camp["mean_satisfaction"].iloc[:19].equals(base["mean_satisfaction"].iloc[:19])
        drop.append(base["mean_satisfaction"].iloc[-1] - camp["mean_satisfaction"].iloc[-1])
        assert camp["left_today"].iloc[19:].sum() >= base["left_today"].iloc[19:].sum()
    assert min(drop) > 0.05


def test_a_campaign_by_date_is_the_campaign_by_day() -> None:
    dated = run_preset(
        "baseline",
        2,
        20,
        calendar__start_date="2026-03-01",
        campaigns=[{"kind": "flash_sale", "date": "2026-03-11"}],
    ).metrics()
    by_day = run_preset(
        "baseline", 2, 20, calendar__start_date="2026-03-01", campaigns=[{"kind": "flash_sale", "day": 11}]
    )
    assert dated.equals(by_day.metrics())


@pytest.mark.parametrize(
    ("campaign", "words"),
    [
        ({"kind": "presale"}, "give the campaign's first day as `day` or as `date`"),
        ({"kind": "presale", "day": 3, "date": "2026-01-03"}, "give the campaign's first day"),
        ({"kind": "presale", "date": "2026-01-03"}, "campaigns[0].date = 2026-01-03 needs calendar.start_date"),
        ({"kind": "sale"}, "'sale' is not allowed; allowed values: presale, flash_sale, launch"),
        (
            {"kind": "presale", "day": 3, "lifts": 1.0},
            "campaigns[0].lifts: unknown key; did you mean 'campaigns[0].lift'?",
        ),
    ],
)
def test_bad_campaigns_get_one_clear_line(campaign: dict[str, object], words: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIOS / "baseline.toml", overrides={"campaigns": [campaign]})
    assert words in str(err.value) and "\n" not in str(err.value)


# ---------------------------------------------------------------- the membership tier
TIER = {"membership__price": 20.0, "membership__uptake": 0.05, "monetization__buyer_conversion": 0.02}


def test_tier_members_buy_more_and_leave_less() -> None:
    purchases, left = [], []
    for seed in range(3):
        off = run_preset("baseline", seed, 90, **{**TIER, "membership__uptake": 0.0})
        on = run_preset("baseline", seed, 90, membership__buying=3.0, membership__commitment=3.0, **TIER)
        m_on, m_off = on.metrics(), off.metrics()
        assert m_off["tier_members"].max() == 0 and m_on["tier_members"].iloc[-1] > 0
        assert on.summary()["tier_members_final"] == m_on["tier_members"].iloc[-1]
        assert (m_on["tier_revenue"] % 20 == 0).all() and m_on["tier_revenue"].sum() > 0
        purchases.append((m_on["repurchases"].sum(), m_off["repurchases"].sum()))
        left.append((m_on["left_today"].sum(), m_off["left_today"].sum()))
    assert sum(a for a, _ in purchases) > 1.3 * sum(b for _, b in purchases)
    assert sum(a for a, _ in left) < sum(b for _, b in left)


def test_unsatisfied_tier_members_let_it_lapse() -> None:
    short = {**TIER, "membership__duration_days": 7}
    keep = run_preset("baseline", 1, 60, membership__renewal_min_satisfaction=-5.0, **short)
    picky = run_preset("baseline", 1, 60, membership__renewal_min_satisfaction=5.0, **short)
    assert picky.metrics()["tier_lapsed"].sum() > 0
    assert keep.metrics()["tier_lapsed"].sum() < picky.metrics()["tier_lapsed"].sum()
    people = picky.people
    lapsed = (people.tier_until >= 0) & (people.tier_until < 59)
    assert lapsed.any() and np.all(people.stage[lapsed] >= 1)  # lapsing the tier is not leaving the group


# ---------------------------------------------------------------- ads from outside
def _ad_accounts(seed: int, **entry: object) -> int:
    m = run_preset("baseline", seed, 30, ads__outside_accounts=3.0, **entry)
    return int(m.metrics()["ad_accounts_joined"].sum())


def test_a_weak_threshold_lets_in_more_ad_accounts() -> None:
    free = [_ad_accounts(s) for s in SEEDS]
    task = [_ad_accounts(s, entry__threshold="task", entry__task_effort=0.5) for s in SEEDS]
    review = [_ad_accounts(s, entry__threshold="review", entry__review_min_interest=0.9) for s in SEEDS]
    # about 90, 45 and 9 expected from 3 a day over 30 days
    assert sum(free) > 1.5 * sum(task) > 0
    assert sum(task) > 2 * sum(review)
    assert all(f > t for f, t in zip(free, task, strict=True))


def test_ad_accounts_post_ads_from_their_first_day() -> None:
    base = run_preset("baseline", 3, 20)
    m = run_preset("baseline", 3, 20, ads__outside_accounts=3.0)
    people = m.people
    accounts = people.source == AD_ACCOUNT
    assert accounts.sum() == m.summary()["ad_accounts_total"] > 0
    still_in = accounts & (people.exit_day < 0)
    assert np.all(people.spammer[still_in])
    assert m.metrics()["ad_messages"].sum() > base.metrics()["ad_messages"].sum()
    assert base.metrics()["ad_accounts_joined"].sum() == 0


# ---------------------------------------------------------------- sunk cost
def test_the_sunk_cost_motive_raises_ads_from_long_tenured_disaffected_members() -> None:
    spammers, ads = [], []
    for seed in range(3):
        plain = run_preset("baseline", seed, 90).metrics()
        sunk = run_preset("baseline", seed, 90, ads__sunk_cost=3.0, ads__sunk_cost_days=30.0).metrics()
        spammers.append((sunk["new_spammers"].sum(), plain["new_spammers"].sum()))
        ads.append((sunk["ad_messages"].sum(), plain["ad_messages"].sum()))
    assert sum(a for a, _ in spammers) > 1.5 * sum(b for _, b in spammers)
    assert sum(a for a, _ in ads) > sum(b for _, b in ads)
