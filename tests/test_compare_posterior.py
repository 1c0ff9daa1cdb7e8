"""`compare --posterior`: each replicate draws the fitted parameters from a fit's posterior, the same in every arm."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import SCENARIOS, assert_one_line_error, invoke_cli

from sim.experiments.compare import comparison_jobs, load_comparison

KEY = "acquisition.referral_rate"
DAYS = 30


def fake_fit(directory: Path, draws: np.ndarray) -> Path:
    """A fit's output as `community-sim compare --posterior` reads it: fit.json and posterior.csv."""
    directory.mkdir(parents=True, exist_ok=True)
    record = {"root": 12345, "days": DAYS, "parameters": [{"key": KEY, "low": 0.0, "high": 0.2, "integer": False}]}
    (directory / "fit.json").write_text(json.dumps(record), encoding="utf-8")
    pd.DataFrame({KEY: draws}).to_csv(directory / "posterior.csv", index=False)
    return directory


def small(directory: Path, name: str, extra: str = "") -> Path:
    path = directory / f"{name}.toml"
    path.write_text(
        f'extends = "{SCENARIOS / "baseline.toml"}"\nname = "{name}"\n'
        f"[population]\npotential_pool = 1500\ninitial_members = 100\n{extra}",
        encoding="utf-8",
    )
    return path


def test_every_arm_of_a_replicate_takes_the_same_posterior_draw(tmp_path: Path) -> None:
    draws = np.linspace(0.01, 0.2, 50)
    fit = fake_fit(tmp_path / "fit", draws)
    base, fee = small(tmp_path, "base"), small(tmp_path, "fee", '[entry]\nthreshold = "paid"\nfee = 49\n')
    comparison = load_comparison([base, fee], replicates=6, days=DAYS, posterior=fit)
    jobs = comparison_jobs(comparison)
    by_rep: dict[int, list[float]] = {}
    for job in jobs:
        by_rep.setdefault(int(job.labels["replicate"]), []).append(job.overrides[KEY])
    assert all(len(set(v)) == 1 for v in by_rep.values())  # the same draw in both arms
    values = [v[0] for v in by_rep.values()]
    assert len(set(values)) == 6 and set(values) <= set(draws)  # distinct draws, taken from the posterior
    again = comparison_jobs(load_comparison([base, fee], replicates=6, days=DAYS, posterior=fit))
    assert [j.overrides for j in again] == [j.overrides for j in jobs]  # reproducible
    plain = load_comparison([base, fee], replicates=6, days=DAYS)
    assert plain.root != comparison.root and all(j.overrides == {} for j in comparison_jobs(plain))


def test_compare_with_a_posterior_spreads_runs_by_the_parameters_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fit = fake_fit(tmp_path / "fit", np.r_[np.full(20, 0.0), np.full(20, 0.2)])  # two far-apart values
    base = small(tmp_path, "base")
    same = small(tmp_path, "same")
    out = tmp_path / "out"
    args = ["compare", str(base), str(same), "--replicates", "6", "--days", str(DAYS), "--workers", "1"]
    code, _, err = invoke_cli([*args, "--posterior", str(fit), "--out", str(out)], capsys)
    assert code == 0, err
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(runs[KEY]) == {0.0, 0.2}
    joins = runs.pivot_table(index="replicate", columns="scenario_index", values="total_joined")
    assert (joins[0] == joins[1]).all()  # same levers, same draw, same seed: identical pairs
    by_value = runs[runs["scenario_index"] == 0].groupby(KEY)["total_joined"].mean()
    assert by_value[0.2] > by_value[0.0]  # the drawn referral rate is the one the runs used
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "posterior" in html and KEY in html


def test_scenarios_that_differ_in_a_fitted_key_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fit = fake_fit(tmp_path / "fit", np.full(10, 0.02))
    base, other = small(tmp_path, "base"), small(tmp_path, "other", "[acquisition]\nreferral_rate = 0.09\n")
    code, _, err = invoke_cli(
        ["compare", str(base), str(other), "--replicates", "2", "--posterior", str(fit), "--out", str(tmp_path)],
        capsys,
    )
    line = assert_one_line_error(code, err)
    assert KEY in line and "--posterior" in line


def test_a_missing_fit_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = small(tmp_path, "base")
    code, _, err = invoke_cli(
        ["compare", str(base), str(base), "--posterior", str(tmp_path / "nofit"), "--out", str(tmp_path / "o")],
        capsys,
    )
    line = assert_one_line_error(code, err)
    assert "fit.json" in line
