"""Stylized facts from the online-community literature, each shown over several seeds.

Each test cites its source; docs/ODD.md explains which mechanisms produce the fact.
"""

from __future__ import annotations

import numpy as np
from helpers import mean, outcomes, run_preset
from scipy import stats

SEEDS = range(4)


def test_butler_2001_joins_and_leaves_both_rise_with_size_and_message_volume() -> None:
    """Butler (2001, ISR 12(4)): larger, busier groups gain and lose more members."""
    joins, leaves, messages = [], [], []
    for size in (50, 200, 800):
        j, lv, ms = [], [], []
        for seed in SEEDS:
            # the first three weeks, before communities of different starting sizes converge
            df = run_preset("baseline", seed, days=21, population__initial_members=size).metrics()
            j.append(df["joined"].mean())
            lv.append((df["left_today"] + df["kicked_today"]).mean())
            ms.append(df["messages"].mean())
        joins.append(np.mean(j))
        leaves.append(np.mean(lv))
        messages.append(np.mean(ms))
    assert joins[0] < joins[1] < joins[2]
    assert leaves[0] < leaves[1] < leaves[2]
    assert messages[0] < messages[1] < messages[2]
    # and day by day within one community: busy days bring more joins and more leaves
    df = run_preset("baseline", 1, days=180).metrics()
    assert stats.spearmanr(df["messages"], df["joined"]).statistic > 0.3
    assert stats.spearmanr(df["messages"], df["left_today"] + df["kicked_today"]).statistic > 0.3


def test_ren_kraut_2014_deleting_off_topic_raises_commitment_not_posting_and_lowers_bonding() -> None:
    """Ren & Kraut (2014, HCI): moderation that removes off-topic posts raises commitment,
    does not raise posts per member, and lowers bonding between members."""
    ample = {"roles__admin_minutes_per_day": 600}
    kept = outcomes("baseline", seeds=SEEDS, **ample)
    deleted = outcomes("baseline", seeds=SEEDS, moderation__off_topic_removal=1.0, **ample)
    assert mean(deleted, "retention_30d") > mean(kept, "retention_30d") + 0.02
    assert (deleted["churn_mean"] < kept["churn_mean"]).all()
    posts = {}
    ties = {}
    for name, extra in (("kept", {}), ("deleted", {"moderation__off_topic_removal": 1.0})):
        frames = [run_preset("baseline", s, 180, **ample, **extra).metrics() for s in SEEDS]
        posts[name] = np.mean([(df["messages"] / df["members"]).mean() for df in frames])
        ties[name] = np.mean([df["mean_ties"].iloc[-1] for df in frames])
    assert posts["deleted"] <= 1.02 * posts["kept"]
    assert ties["deleted"] < 0.92 * ties["kept"]


def test_halfaker_2013_over_strict_moderation_costs_newcomers_u_shaped_trade_off() -> None:
    """Halfaker et al. (2013, American Behavioral Scientist 57(5)): strict gatekeeping with false
    positives drives newcomers away, while lax moderation lets spam do it: retention of
    newcomers peaks at intermediate strictness."""
    strictness = [0.0, 0.3, 1.0]
    retention = [
        mean(
            outcomes(
                "baseline",
                seeds=SEEDS,
                moderation__strictness=s,
                moderation__ad_policy="kick",
                moderation__false_positive_rate=0.01,
            ),
            "retention_30d",
        )
        for s in strictness
    ]
    assert retention[1] > retention[0] + 0.05
    assert retention[1] > retention[2] + 0.05


def test_spam_stays_bounded_only_while_turning_rate_is_below_removal_capacity() -> None:
    """Spam stays bounded while admins can remove it; once members turn to spam faster than
    admins' attention can handle, coverage falls, the threat of a kick fades and spam runs away."""
    for seed in SEEDS:
        within = run_preset("baseline", seed, days=150, ads__spam_rate=0.02).metrics()
        beyond = run_preset(
            "baseline",
            seed,
            days=150,
            ads__spam_rate=0.02,
            roles__admin_minutes_per_day=15,
            groups__seed_core=False,
            moderation__minutes_per_ad=5,
            kol__moderation_minutes=0,
        ).metrics()
        assert within["moderation_coverage"].min() > 0.9
        assert within["spammers"].iloc[-30:].mean() < 0.02 * within["members"].iloc[-30:].mean()
        late = beyond.iloc[-30:]
        assert late["moderation_coverage"].mean() < 0.5
        assert late["spammers"].mean() > 0.15 * late["members"].mean()
        assert late["ad_messages"].sum() > 0.3 * (late["ad_messages"].sum() + late["messages"].sum())
