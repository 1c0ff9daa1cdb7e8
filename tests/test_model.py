"""The model's API: metrics and summary, determinism, stage accounting, Mesa agents."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS, run_preset

from sim import KOL, Admin, CommunityModel, Member, load_scenario
from sim.metrics import DAILY_COLUMNS, SUMMARY_KEYS

REQUIRED_DAILY = [
    "day",
    "potential",
    "new",
    "active",
    "dormant",
    "left",
    "kicked",
    "joined",
    "messages",
    "content_posts",
    "ad_messages",
    "ads_removed",
    "groups",
    "max_group_size",
    "mean_satisfaction",
    "revenue",
    "new_rate",
    "conversion_rate",
    "churn_rate",
    "reactivation_rate",
]
REQUIRED_SUMMARY = [
    "peak_members",
    "day_of_peak",
    "final_active",
    "activity_half_life",
    "ad_share",
    "retention_30d",
    "revenue_total",
]


def test_metrics_one_row_per_day_with_required_columns() -> None:
    m = run_preset("baseline", seed=7, days=40)
    df = m.metrics()
    assert isinstance(df, pd.DataFrame)
    assert list(df["day"]) == list(range(1, 41))
    assert set(REQUIRED_DAILY) <= set(df.columns)
    assert set(DAILY_COLUMNS) <= set(df.columns)
    summary = m.summary()
    assert set(REQUIRED_SUMMARY) <= set(summary) and set(SUMMARY_KEYS) <= set(summary)
    assert summary["peak_members"] == df["members"].max()


def test_everyone_is_accounted_for_every_day() -> None:
    df = run_preset("no_moderation", seed=2, days=120).metrics()
    total = df[["potential", "new", "active", "dormant", "left", "kicked", "promoted"]].sum(axis=1)
    assert (total == 20_000).all()
    assert (df["members"] == df["new"] + df["active"] + df["dormant"]).all()
    assert (df["left"].diff().dropna() >= 0).all() and (df["kicked"].diff().dropna() >= 0).all()


def test_same_seed_same_metrics_different_seed_different() -> None:
    a = run_preset("baseline", seed=11, days=60).metrics()
    b = run_preset("baseline", seed=11, days=60).metrics()
    c = run_preset("baseline", seed=12, days=60).metrics()
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_scenario_seed_is_the_default_rng() -> None:
    sc = load_scenario(SCENARIOS / "baseline.toml", overrides={"run.seed": 5})
    a = CommunityModel(sc).run(20).metrics()
    b = CommunityModel(sc, rng=5).run(20).metrics()
    pd.testing.assert_frame_equal(a, b)


def test_seed_sequence_replicates_are_reproducible() -> None:
    sc = load_scenario(SCENARIOS / "baseline.toml")
    children = np.random.SeedSequence(42).spawn(2)
    a = CommunityModel(sc, rng=children[0]).run(20).metrics()
    b = CommunityModel(sc, rng=np.random.SeedSequence(42).spawn(2)[0]).run(20).metrics()
    c = CommunityModel(sc, rng=children[1]).run(20).metrics()
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_run_defaults_to_scenario_days_and_continues() -> None:
    sc = load_scenario(SCENARIOS / "baseline.toml", overrides={"run.days": 15})
    m = CommunityModel(sc, rng=1).run()
    assert len(m.metrics()) == 15
    m.run(5)
    assert len(m.metrics()) == 20


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="allowed values: vectorized"):
        CommunityModel(load_scenario(SCENARIOS / "baseline.toml"), rng=1, engine="turbo")


def test_members_are_mesa_agents_viewing_the_arrays() -> None:
    m = run_preset("baseline", seed=3, days=30)
    members = m.agents_by_type[Member]
    df = m.metrics()
    assert len(members) == df["members"].iloc[-1]
    dormant = members.select(lambda a: a.stage == "dormant")
    assert len(dormant) == df["dormant"].iloc[-1]
    sat = np.array(members.get("satisfaction"))
    assert np.isclose(sat.mean(), df["mean_satisfaction"].iloc[-1])
    one = next(iter(members))
    one.satisfaction = 0.123
    assert m.people.satisfaction[one.row] == 0.123
    one.stage = "dormant"
    assert one.stage == "dormant" and m.people.stage[one.row] == 3
    referred = members.select(lambda a: a.invited_by is not None)
    assert len(referred) > 0 and all(r.source == "referral" for r in referred)
    assert len(m.agents_by_type[KOL]) == df["kols"].iloc[-1]
    assert len(m.agents_by_type[Admin]) == df["admins"].iloc[-1]


def test_member_views_follow_leavers_and_work_with_datacollector() -> None:
    m = run_preset("no_moderation", seed=1, days=20)
    dc = mesa.DataCollector(agenttype_reporters={Member: {"satisfaction": "satisfaction"}})
    dc.collect(m)
    m.run(40)
    dc.collect(m)
    table = dc.get_agenttype_vars_dataframe(Member)
    assert len(table) == m.metrics()["members"].iloc[19] + m.metrics()["members"].iloc[-1]
    rows = {a.row for a in m.members}
    assert rows == set(m.people.members().tolist())


def _golden(seed: int = 3, **overrides: object) -> tuple[int, int, int, int, float]:
    df = run_preset("baseline", seed=seed, days=60, **overrides).metrics()
    return (
        int(df["joined"].sum()),
        int(df["messages"].sum()),
        int(df["left"].iloc[-1]),
        int(df["kicked"].iloc[-1]),
        round(float(df["mean_satisfaction"].iloc[-1]), 6),
    )


def test_golden_baseline_seed_3() -> None:
    """Pinned outcome of a fixed seed: a change here must be a deliberate change of behaviour."""
    assert GOLDEN == _golden()


def test_golden_of_the_old_routing_to_the_smallest_group_is_kept() -> None:
    """`groups.routing = "smallest"` keeps the round-robin of before issue 15."""
    assert GOLDEN_SMALLEST == _golden(groups__routing="smallest")


# re-pinned (issue 12, pairing): a person's group choice, their referral inviter's group and their
# source are keyed by the person (and group), not by the day they happen to arrive on
GOLDEN = (2039, 54619, 481, 7, 0.285642)
GOLDEN_SMALLEST = (2039, 54650, 481, 7, 0.285725)


def test_columns_only_some_mechanisms_change_take_no_memory_until_one_owns_them() -> None:
    """The network's, returns', the funnel's and the tier's columns: a broadcast of their start value, read-only."""
    from sim.population import OPTIONAL_COLUMNS

    plain = CommunityModel(load_scenario("baseline"), rng=1)
    for name, (value, dtype) in OPTIONAL_COLUMNS.items():
        column = getattr(plain.people, name)
        assert column.dtype == dtype and column.size == plain.people.size and (column == value).all()
        assert column.strides == (0,) and not column.flags.writeable, name
    with pytest.raises(ValueError, match="read-only"):
        plain.people.returns[:3] += 1
    owned = {
        "returns": {"groups.return_rate": 0.01},
        "tier_until": {"membership.price": 30.0},
        "friends": {"network.source": "communities"},
        "feedback": {"network.source": "communities"},
    }
    for name, overrides in owned.items():
        m = CommunityModel(load_scenario("baseline", overrides=overrides), rng=1)
        assert getattr(m.people, name).flags.writeable, name
    assert CommunityModel(load_scenario("funnel"), rng=1).people.promoted_day.flags.writeable
    plain.people.own("returns")
    plain.people.returns[:3] += 1
    assert plain.people.returns[:4].tolist() == [1, 1, 1, 0]


def test_a_model_without_the_data_system_runs_the_same_and_says_so_when_asked_for_it() -> None:
    """Experiments' runs go without seed 003's data system: the same metrics, and a clear error for its tables."""
    sc = load_scenario("baseline", overrides={"run.days": 40})
    with_it, without = CommunityModel(sc, rng=3).run(), CommunityModel(sc, rng=3, data_system=False).run()
    pd.testing.assert_frame_equal(with_it.metrics(), without.metrics(), check_exact=True)
    pd.testing.assert_frame_equal(with_it.group_metrics(), without.group_metrics(), check_exact=True)
    assert len(with_it.data_system_tables()) > 40
    with pytest.raises(ValueError, match="data_system=False"):
        without.data_system("group")


def test_the_per_group_record_is_kept_narrow_and_given_back_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts kept as int32, codes as int8, day and group ids implied: `group_metrics()` is the table of the days."""
    from sim import group_metrics
    from sim.groups import FATE_NAMES, PHASE_NAMES, TIER_NAMES

    days: list[dict[str, np.ndarray]] = []
    keep = group_metrics.keep

    def watched(record: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        days.append(record)
        return keep(record)

    monkeypatch.setattr(group_metrics, "keep", watched)
    m = CommunityModel(load_scenario("baseline", overrides={"groups.capacity": 25}), rng=2).run(30)
    kept = m.group_records[-1]
    assert "group" not in kept and kept["day"].size == 1 and kept["members"].dtype == np.int32
    assert kept["day"].base is None  # not a view holding on to the day's whole column
    assert kept["fate"].dtype == np.int8 and days[-1]["members"].dtype == np.int64
    expected = pd.DataFrame({c: np.concatenate([d[c] for d in days]) for c in group_metrics.GROUP_COLUMNS})
    for name, names in (("phase", PHASE_NAMES), ("fate", FATE_NAMES), ("tier", TIER_NAMES)):
        expected[name] = pd.Categorical.from_codes(expected[name], categories=list(names))
    assert m.groups.count > 16  # groups opened on the way: the days' records differ in length
    pd.testing.assert_frame_equal(m.group_metrics(), expected, check_exact=True)
