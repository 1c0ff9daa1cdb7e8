"""The phenomena of DOMAIN.md, each shown as a comparison of scenarios over several seeds.

Effects are large by design of the presets, so the margins below are wide compared
with seed-to-seed spread (the spread is printed by pytest on failure).
"""

from __future__ import annotations

import numpy as np
from helpers import SEEDS, mean, outcomes, run_preset


def test_no_output_activity_decays_far_below_baseline() -> None:
    base, none = outcomes("baseline"), outcomes("no_output")
    assert mean(none, "messages_last30") < 0.4 * mean(base, "messages_last30"), (base, none)
    per_member_base = base["messages_last30"] / base["final_members"]
    per_member_none = none["messages_last30"] / none["final_members"]
    assert (per_member_none < per_member_base).all()
    assert mean(none, "mean_satisfaction_final") < mean(base, "mean_satisfaction_final") - 0.05


def test_no_output_group_decays_from_its_early_liveliness() -> None:
    for seed in SEEDS[:3]:
        df = run_preset("no_output", seed, days=180).metrics()
        per_member = df["messages"] / df["members"]
        assert per_member.iloc[-30:].mean() < 0.7 * per_member.iloc[:7].mean()


def test_tolerating_ads_gives_higher_ad_share_and_more_churn_than_kicking() -> None:
    tolerate = outcomes("baseline", moderation__ad_policy="tolerate")
    kick = outcomes("baseline", moderation__ad_policy="kick")
    assert mean(tolerate, "ad_share") > 10 * mean(kick, "ad_share")
    assert mean(tolerate, "ad_share") > 0.2
    assert (tolerate["churn_mean"] > kick["churn_mean"]).all()
    assert mean(tolerate, "final_members") < 0.5 * mean(kick, "final_members")


def test_paid_entry_fewer_joins_better_30_day_retention() -> None:
    free, paid = outcomes("baseline"), outcomes("paid_entry")
    assert mean(paid, "total_joined") < 0.6 * mean(free, "total_joined")
    assert (paid["retention_30d"] > free["retention_30d"]).all()
    assert mean(paid, "retention_30d") > mean(free, "retention_30d") + 0.04


def test_split_at_capacity_keeps_every_group_within_capacity() -> None:
    for name, limit, extra in [
        ("baseline", 500, {}),
        ("split_150", 150, {}),
        ("big_channel_inflow", 200, {"groups__capacity": 200}),
    ]:
        res = outcomes(name, seeds=SEEDS[:3], **extra)
        assert (res["max_group_ever"] <= limit).all(), name
        assert (res["peak_groups"] >= 2).all(), name


def test_losing_the_kols_collapses_output_then_activity() -> None:
    for seed in SEEDS[:4]:
        lost = run_preset("kol_loss", seed).metrics()
        base = run_preset("baseline", seed).metrics()
        before = lost["content_posts"].iloc[30:59].mean()
        after = lost["content_posts"].iloc[60:90].mean()
        assert after < 0.5 * before
        assert lost["kols"].iloc[60] == 0 and lost["kol_posts"].iloc[60:].sum() == 0
        # activity follows output down, with a delay
        late_ratio = lost["messages"].iloc[-30:].mean() / base["messages"].iloc[-30:].mean()
        early_ratio = lost["messages"].iloc[30:59].mean() / base["messages"].iloc[30:59].mean()
        assert late_ratio < 0.5 and late_ratio < early_ratio - 0.2


def test_referral_campaign_grows_in_an_s_shape_while_value_holds() -> None:
    for seed in SEEDS[:4]:
        df = run_preset("referral_campaign", seed, days=180).metrics()
        joins = df["joined"].rolling(7, center=True, min_periods=1).mean().to_numpy()
        peak = int(joins.argmax())
        # slow start, acceleration, then saturation: daily joins peak inside the run
        assert 20 < peak < 160
        assert joins[:10].mean() < 0.25 * joins[peak]
        assert joins[-10:].mean() < 0.5 * joins[peak]
        assert df["joined_referral"].sum() > 0.9 * df["joined"].sum()
        # value holds while it grows
        assert df["mean_satisfaction"].iloc[: peak + 1].min() > 0.1


def test_ad_spiral_feeds_on_itself_without_moderation() -> None:
    df = run_preset("no_moderation", seed=4).metrics()
    first, last = df.iloc[:30], df.iloc[-30:]
    assert last["spammers"].mean() > 5 * max(first["spammers"].mean(), 1)
    assert last["mean_satisfaction"].mean() < first["mean_satisfaction"].mean() - 0.2
    assert np.corrcoef(df["ad_messages"], df["churn_rate"].fillna(0))[0, 1] > 0.3
