"""Shared helpers: run a preset scenario for a few seeds and collect its outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import CommunityModel, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SEEDS = range(6)


def run_preset(name: str, seed: int, days: int = 180, **overrides: Any) -> CommunityModel:
    """Run scenarios/<name>.toml with dotted-key overrides (written with __ for .)."""
    ov = {k.replace("__", "."): v for k, v in overrides.items()}
    model = CommunityModel(load_scenario(SCENARIOS / f"{name}.toml", overrides=ov), rng=seed)
    return model.run(days)


def outcomes(name: str, days: int = 180, seeds: range = SEEDS, **overrides: Any) -> pd.DataFrame:
    """One row per seed: the summary KPIs plus a few daily aggregates."""
    rows = []
    for seed in seeds:
        m = run_preset(name, seed, days, **overrides)
        df = m.metrics()
        s = m.summary()
        s["messages_last30"] = df["messages"].iloc[-30:].mean()
        s["churn_mean"] = df["churn_rate"].mean()
        s["max_group_ever"] = df["max_group_size"].max()
        rows.append(s)
    return pd.DataFrame(rows).astype(float, errors="ignore")


def mean(df: pd.DataFrame, col: str) -> float:
    return float(np.nanmean(df[col].to_numpy(dtype=float)))
