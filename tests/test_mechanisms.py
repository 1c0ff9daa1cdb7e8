"""Each mechanism of the model shows its effect, over several seeds where it is stochastic."""

from __future__ import annotations

import numpy as np
from helpers import SEEDS, mean, outcomes, run_preset

from sim.population import CHANNEL, NEW, REFERRAL


def _joiner_interest(name: str, **ov: object) -> float:
    vals = []
    for seed in SEEDS[:3]:
        m = run_preset(name, seed, days=60, **ov)
        people = m.people
        vals.append(people.interest[people.join_day >= 1].mean())
    return float(np.mean(vals))


def test_thresholds_filter_by_interest() -> None:
    free = _joiner_interest("baseline")
    assert _joiner_interest("review_entry") > free + 0.15
    assert _joiner_interest("baseline", entry__threshold="task") > free + 0.05


def test_invite_only_entry_slows_inflow_to_referrals() -> None:
    m = run_preset("baseline", 1, days=90, entry__threshold="invite", entry__invite_code_share=0.0)
    df = m.metrics()
    assert df["joined_channel"].sum() == 0 and df["joined_referral"].sum() > 0
    free = run_preset("baseline", 1, days=90).metrics()
    assert df["joined"].sum() < 0.6 * free["joined"].sum()


def test_commitment_from_paying_slows_leaving() -> None:
    committed = outcomes("baseline", seeds=SEEDS[:4], entry__commitment=2.0)
    free = outcomes("baseline", seeds=SEEDS[:4])
    assert mean(committed, "retention_30d") > mean(free, "retention_30d") + 0.03


def test_referrals_record_inviter_and_give_a_tie() -> None:
    m = run_preset("referral_campaign", 2, days=60)
    people = m.people
    referred = np.flatnonzero(people.source == REFERRAL)
    assert referred.size > 100
    inviters = people.invited_by[referred]
    assert (inviters >= 0).all()
    # the inviter had joined before the invitee
    assert (people.join_day[inviters] <= people.join_day[referred]).all()
    assert (people.invited_by[people.source == CHANNEL] == -1).all()


def test_welcome_and_ritual_keep_newcomers_through_the_first_day() -> None:
    cold = outcomes("baseline", seeds=SEEDS[:4], onboarding__welcome=False)
    warm = outcomes("baseline", seeds=SEEDS[:4], onboarding__ritual=True)
    cold_left = sum(
        run_preset("baseline", s, 90, onboarding__welcome=False).metrics()["first_day_left"].sum() for s in SEEDS[:3]
    )
    warm_left = sum(
        run_preset("baseline", s, 90, onboarding__ritual=True).metrics()["first_day_left"].sum() for s in SEEDS[:3]
    )
    assert warm_left < 0.5 * cold_left
    assert mean(warm, "retention_30d") > mean(cold, "retention_30d")


def test_dormant_members_are_reactivated_and_activities_wake_more() -> None:
    quiet = run_preset(
        "baseline", 3, days=120, activity__reactivation_rate=0.0, activity__peer_reactivation_rate=0.0, activities=[]
    ).metrics()
    assert quiet["reactivation_rate"].fillna(0).sum() == 0
    base = outcomes("baseline", seeds=SEEDS[:4], activities=[])
    packets = outcomes("red_packet_heavy", seeds=SEEDS[:4])
    assert mean(packets, "messages_last30") > 1.3 * mean(base, "messages_last30")
    assert mean(packets, "operator_cost_total") > mean(base, "operator_cost_total")


def test_novelty_wears_off_without_refresh() -> None:
    m = run_preset("no_output", 1, days=120, acquisition__channel_inflow_per_day=0, acquisition__referral_rate=0.0)
    people = m.people
    founders = people.join_day == 0
    alive = founders & (people.stage >= NEW) & (people.stage <= 3)
    assert people.novelty[alive].max() < 0.05


def test_admin_attention_bounds_spam_only_when_it_suffices() -> None:
    ample = outcomes("big_channel_inflow", seeds=SEEDS[:3], roles__admin_minutes_per_day=600)
    scarce = outcomes("big_channel_inflow", seeds=SEEDS[:3], roles__admin_minutes_per_day=5, groups__seed_core=False)
    assert mean(scarce, "ad_share") > 3 * mean(ample, "ad_share")


def test_warn_then_kick_warns_before_kicking() -> None:
    m = run_preset("baseline", 2, days=120, moderation__warnings_before_kick=2, moderation__warn_deterrence=0.0)
    df = m.metrics()
    assert df["warnings"].sum() >= df["kicked_today"].sum() > 0
    assert (m.people.warnings[m.people.stage == 5] >= 3).all()


def test_false_positives_cost_innocent_members() -> None:
    strict = outcomes("baseline", seeds=SEEDS[:4], moderation__ad_policy="kick", moderation__false_positive_rate=0.01)
    fair = outcomes("baseline", seeds=SEEDS[:4], moderation__ad_policy="kick")
    assert mean(strict, "kicked_total") > 3 * mean(fair, "kicked_total")
    assert mean(strict, "final_members") < mean(fair, "final_members")


def test_overloaded_unrecognised_kols_burn_out_and_quit() -> None:
    burnt, kept = 0, 0
    for seed in SEEDS:
        hard = run_preset(
            "baseline",
            seed,
            days=180,
            output__kol_posts_per_day=6,
            roles__kol_hours_per_day=1.0,
            kol__praise=0.0,
            kol__cultivation_rate=0.0,
            groups__seed_core=False,
        )
        kind = run_preset(
            "baseline",
            seed,
            days=180,
            kol__praise=1.0,
            kol__reward_per_post=50,
            kol__cultivation_rate=0.0,
            groups__seed_core=False,
        )
        burnt += hard.kols_lost
        kept += kind.kols_lost
    assert burnt >= 6 and kept == 0


def test_cultivation_turns_top_members_into_kols() -> None:
    m = run_preset("baseline", 4, days=180, kol__cultivation_rate=0.1, groups__seed_core=False)
    df = m.metrics()
    assert df["promoted"].iloc[-1] > 0
    promoted = [k for k in m.kols if k.from_member is not None]
    assert promoted and all(m.people.stage[k.from_member] == 6 for k in promoted)


def test_activity_calendar_runs_on_its_days() -> None:
    df = run_preset("baseline", 1, days=30).metrics()
    lifted = df.loc[df["activity_lift"] > 0, "day"].tolist()
    assert lifted == [1, 8, 15, 22, 29]
    ratio = df.loc[df["activity_lift"] > 0, "messages"].mean() / df.loc[df["activity_lift"] == 0, "messages"].mean()
    assert ratio > 1.2


def test_no_split_policy_refuses_newcomers_at_capacity() -> None:
    df = run_preset("baseline", 1, days=120, groups__split_policy="none").metrics()
    assert df["groups"].max() == 1 and df["max_group_size"].max() <= 500
    assert df["refused"].sum() > 0


def test_copying_without_a_core_team_scales_worse() -> None:
    core = outcomes("baseline", seeds=SEEDS[:4])
    bare = outcomes("copy_without_core", seeds=SEEDS[:4])
    assert mean(bare, "final_members") < 0.85 * mean(core, "final_members")


def test_splitting_halves_ties_and_inherits_part_of_the_culture() -> None:
    m = run_preset("split_150", 1, days=90)
    assert m.groups.count > 2
    assert (m.groups.culture[1:] < 0.99).all()
    opened = m.metrics()["groups_opened"].sum()
    assert opened == m.groups.count - 1


def test_low_activity_policy_splits_quiet_large_groups() -> None:
    df = run_preset(
        "no_output",
        2,
        days=180,
        groups__split_policy="low_activity",
        groups__low_activity_messages=1.0,
        groups__low_activity_min_size=100,
    ).metrics()
    assert df["groups"].max() > 2


def test_fees_products_renewals_and_operator_cost() -> None:
    m = run_preset("paid_entry", 1, days=120)
    df = m.metrics()
    assert np.isclose(df["fee_revenue"].sum(), 49 * df["joined"].sum())
    assert df["product_revenue"].sum() > 0 and df["operator_cost"].min() > 0
    yearly = run_preset(
        "paid_entry", 1, days=120, entry__fee_period_days=30, entry__renewal_min_satisfaction=0.5
    ).metrics()
    assert yearly["fee_revenue"].sum() > 49 * yearly["joined"].sum()
    assert yearly["left"].iloc[-1] > df["left"].iloc[-1]
