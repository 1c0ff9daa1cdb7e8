"""Shared helpers: run a preset scenario for a few seeds and collect its outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

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


def invoke_cli(args: list[str], capsys: Any) -> tuple[int, str, str]:
    """Run the `community-sim` entry point in this process; return (exit status, stdout, stderr)."""
    from sim import cli

    with pytest.raises(SystemExit) as exited:
        cli.main(args)
    captured = capsys.readouterr()
    code = exited.value.code
    return (0 if code is None else int(code)), captured.out, captured.err


def assert_one_line_error(code: int, err: str) -> str:
    """Bad input: status 2, exactly one `error: ...` line on stderr, no traceback; returns the line."""
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]
