"""Write the example exports packaged in sim/calibration/data/ (run again to regenerate them).

- example_community.csv: 120 days of a community (the baseline with 300 founding members)
  at known values of the two levers the README fits, every observable of the format;
- example_groups.csv: the same kind of community with groups capped at 300 members, so it
  splits: members and active members per group and day.
The known values are in TRUTH below; a fit of the examples should recover them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from sim import CommunityModel, load_scenario
from sim.calibration.data import frame_for_csv, model_observables

OUT = Path(__file__).resolve().parents[1] / "sim" / "calibration" / "data"
START = dt.date(2025, 3, 1)
DAYS = 120
BASE = {"population.potential_pool": 4000, "population.initial_members": 300}
TRUTH = {"acquisition.referral_rate": 0.025, "activity.decay_rate": 0.03}


def community() -> pd.DataFrame:
    model = CommunityModel(load_scenario("baseline", overrides={**BASE, **TRUTH}), rng=2025).run(DAYS)
    names = ["members", "joins", "joins_channel", "joins_referral", "leaves", "active", "messages", "ad_messages"]
    return frame_for_csv(model_observables(model.metrics(), [*names, "revenue"]), START)


def groups() -> pd.DataFrame:
    model = CommunityModel(load_scenario("baseline", overrides={**BASE, **TRUTH, "groups.capacity": 300}), rng=2026)
    rows = []
    for day in range(1, DAYS + 1):
        model.step()
        for g in model.group_table().itertuples():
            if g.members > 0:
                date = (START + dt.timedelta(days=day - 1)).isoformat()
                rows.append({"date": date, "group": f"group-{g.group + 1}", "members": g.members, "active": g.engaged})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    community().to_csv(OUT / "example_community.csv", index=False)
    groups().to_csv(OUT / "example_groups.csv", index=False)
    print(f"written to {OUT}")
