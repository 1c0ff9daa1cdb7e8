"""KOLs and admins as arrays: role tables, their Mesa views, and the array vs one-agent-at-a-time day."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS

from sim import KOL, Admin, CommunityModel, load_scenario
from sim.engines import role_day
from sim.mechanisms.day import Day, DayStart, Output
from sim.random import Draws
from sim.rules import kol as kol_rules

#: many KOLs and admins sharing founding groups, activities that take KOL time, burn-out and quits,
#: cultivation and copies: every path of the roles' day
STAFFED = {
    "population.potential_pool": 3000,
    "population.initial_members": 400,
    "acquisition.channel_inflow_per_day": 12,
    "roles.kols": 9,
    "roles.admins": 4,
    "kol.burnout_threshold": 0.75,
    "kol.quit_rate": 0.2,
    "kol.cultivation_rate": 0.3,
    "groups.capacity": 120,
}


def _staffed(engine: str, seed: int = 2, days: int = 40) -> CommunityModel:
    sc = load_scenario(SCENARIOS / "red_packets_weekly.toml", overrides=STAFFED)
    return CommunityModel(sc, rng=seed, engine=engine).run(days)


def test_array_roles_and_per_agent_roles_give_identical_runs() -> None:
    vec, agents = _staffed("vectorized"), _staffed("agents")
    pd.testing.assert_frame_equal(vec.metrics(), agents.metrics(), check_exact=True)
    pd.testing.assert_frame_equal(vec.group_metrics(), agents.group_metrics(), check_exact=True)
    for column in ("motivation", "overload", "minutes_worked", "posts_today", "active"):
        assert getattr(vec.kol_table, column).tobytes() == getattr(agents.kol_table, column).tobytes()
    df = vec.metrics()
    # the comparison covers quits, cultivation, shared groups and activities
    assert df["kols_quit"].sum() > 0 and df["kols_cultivated"].sum() > 0
    assert (df["kol_posts"] > 0).any() and vec.group_metrics()["kols"].max() > 1


def test_one_kol_writing_alone_adds_what_the_array_gives_it() -> None:
    m = _staffed("vectorized", days=5)
    day, rows = m.steps + 1, m.kol_table.rows()
    # tomorrow's write for the KOLs one at a time, in reverse order, sets the same rows as all at once
    d = Day(DayStart.of(m.people, day, [], []))
    n = m.groups.count
    d.output = Output(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.ones(n, bool))
    d.output.kol_activity = np.zeros(n)
    together = role_day.write(m, d, rows)
    all_at_once = m.kol_table.posts_today.copy()
    alone = [role_day.write(m, d, np.array([r])) for r in rows[::-1].tolist()]
    assert m.kol_table.posts_today.tobytes() == all_at_once.tobytes() and all_at_once.sum() > 0
    one_by_one, whole = Output(*(np.zeros(n) for _ in range(4)), np.ones(n, bool)), d.output
    role_day.deliver(one_by_one, [], alone)
    role_day.deliver(whole, [], [together])
    assert one_by_one.quality_posts.tobytes() == whole.quality_posts.tobytes()
    assert one_by_one.kol_help.tobytes() == whole.kol_help.tobytes()


def test_kols_and_admins_are_mesa_agents_viewing_their_rows() -> None:
    m = _staffed("vectorized", days=20)
    kols, admins = m.kols, m.admins
    assert all(isinstance(k, KOL) for k in kols) and all(isinstance(a, Admin) for a in admins)
    assert len(kols) == m.metrics()["kols"].iloc[-1] == m.kol_table.active.sum()
    k = kols[0]
    assert k.motivation == m.kol_table.motivation[k.row]
    k.motivation = 0.42
    assert m.kol_table.motivation[k.row] == 0.42
    k.groups.append(m.groups.count - 1)  # changed in place, as Roles.staff_copy does
    assert m.kol_table.groups[k.row][-1] == m.groups.count - 1
    a = admins[0]
    a.minutes_per_day = 33.0
    assert m.admin_table.minutes_per_day[a.row] == 33.0
    cultivated = [k for k in kols if k.from_member is not None]
    assert cultivated and all(m.people.stage[k.from_member] == 6 for k in cultivated)  # PROMOTED
    k.remove()
    assert not m.kol_table.active[k.row] and k not in m.kols
    m.run(1)
    assert m.metrics()["kols"].iloc[-1] == len(m.kols)


@pytest.mark.parametrize("slots", [np.zeros(50, dtype=int), np.arange(50) % 7 * 31])
def test_slot_keyed_draws_are_the_scalar_draws_pair_by_pair(slots: np.ndarray) -> None:
    draws = Draws(11)
    ids = np.arange(50) * 13 % 41
    u = draws.uniform_slots("output.admin_posts", 9, ids, slots)
    assert u.tolist() == [draws.one("output.admin_posts", 9, int(i), int(s)) for i, s in zip(ids, slots, strict=True)]
    k = draws.poisson_slots("output.admin_posts", 9, ids, 1.7, slots)
    assert k.tolist() == [
        draws.poisson_one("output.admin_posts", 9, int(i), 1.7, slot=int(s)) for i, s in zip(ids, slots, strict=True)
    ]


def test_kol_rules_on_arrays_are_the_rules_entry_by_entry() -> None:
    motivation = np.array([0.0, 0.2, 0.5, 0.9, 1.0])
    assert kol_rules.output_factor(motivation).tolist() == [0.0, 0.4, 1.0, 1.0, 1.0]
    assert kol_rules.quit_hazard(motivation, 0.3, 0.1).tolist() == [0.1, 0.1, 0.0, 0.0, 0.0]
    audience = np.array([0.0, 5.0, 50.0, 500.0, 5000.0])
    rec = kol_rules.recognition(audience, 0.5, 1.0, 5.0, 20.0)
    assert np.all(np.diff(rec) >= 0) and rec.max() <= 1.0  # more audience, more recognition, capped
    for i in range(5):
        assert rec[i] == kol_rules.recognition(audience[i], 0.5, 1.0, 5.0, 20.0)
    new = kol_rules.update_motivation(motivation, rec, np.array([0.0, 0.0, 2.0, 0.0, 0.0]), 10.0, 0.5)
    assert np.all((new >= 0) & (new <= 1)) and new[2] == 0.0  # heavy overload wears motivation out
    assert kol_rules.planned_minutes(np.array([2, 0]), 20.0, np.array([1, 3]), 5.0).tolist() == [45.0, 15.0]


def test_member_rows_are_kept_until_people_join_or_exit() -> None:
    m = _staffed("vectorized", days=3)
    people = m.people
    rows = people.members()
    assert people.members() is rows and not rows.flags.writeable
    one = next(iter(m.members))
    one.stage = "left"  # through the view: the kept rows are forgotten
    assert one.row not in people.members()
    people.exit(people.members()[:3], 4, 3)
    fresh = np.flatnonzero((people.stage >= 1) & (people.stage <= 3))
    assert np.array_equal(people.members(), fresh)
    potential = np.flatnonzero(people.stage == 0)[:2]
    people.enter(potential)
    assert set(potential.tolist()) <= set(people.members().tolist())


def test_a_role_tables_total_adds_its_active_agents_in_order_of_arrival() -> None:
    from sim.role_table import RoleTable

    table = RoleTable()
    for minutes in (30.0, 45.5, 60.0):
        table.add(None, table.size, [0], minutes_per_day=minutes)
    table.active[1] = False  # retired: left out
    assert table.total("minutes_per_day") == 90.0
    assert RoleTable().total("minutes_per_day") == 0.0
