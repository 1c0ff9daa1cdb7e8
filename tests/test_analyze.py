"""`community-sim analyze`: per-point CIs, main effects, Sobol' and Morris indices, one-line errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import invoke_cli
from scipy import stats

from sim.experiments import load_sweep, run_sweep
from sim.experiments.analysis import analyze_store, main_effects, sensitivity
from sim.experiments.sweep import sweep_meta

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"

SMALL_BASE = f"""
extends = "{BASELINE}"
[population]
potential_pool = 1000
initial_members = 50
"""

GRID = """
base = "small.toml"
days = 20
replicates = 3
design = "grid"
[parameters]
entry.threshold = ["free", "invite"]
output.kol_posts_per_day = [1.0, 3.0]
"""

SOBOL = """
base = "small.toml"
days = 20
replicates = 2
design = "sobol"
samples = 4
[parameters]
acquisition.channel_inflow_per_day = {min = 5.0, max = 60.0}
moderation.ad_policy = ["tolerate", "kick"]
"""


def write_sweep(tmp_path: Path, body: str, name: str) -> Path:
    (tmp_path / "small.toml").write_text(SMALL_BASE, encoding="utf-8")
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def analyze(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    return invoke_cli(["analyze", *args], capsys)


@pytest.fixture(scope="module")
def grid_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("grid")
    run_sweep(load_sweep(write_sweep(tmp, GRID, "grid.toml")), tmp / "out")
    return tmp / "out"


def test_per_point_means_and_t_intervals_match_the_runs(grid_out: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = analyze([str(grid_out), "--kpi", "peak_members", "--kpi", "total_joined"], capsys)
    assert code == 0
    assert "per-point mean" in out and "peak_members" in out
    points = pd.read_csv(grid_out / "analysis" / "points.csv")
    runs = pd.read_parquet(grid_out / "runs.parquet")
    for kpi in ("peak_members", "total_joined", "profit"):
        mine = points[points["kpi"] == kpi].set_index("point")
        for point, g in runs.groupby("point"):
            values = g[kpi].to_numpy(dtype=float)
            mean, sd = values.mean(), values.std(ddof=1)
            half = stats.t.ppf(0.975, len(values) - 1) * sd / np.sqrt(len(values))
            assert mine.loc[point, "n"] == 3
            assert mine.loc[point, "mean"] == pytest.approx(mean)
            assert mine.loc[point, "ci_low"] == pytest.approx(mean - half)
            assert mine.loc[point, "ci_high"] == pytest.approx(mean + half)
    assert set(points.columns) >= {"point", "entry.threshold", "output.kol_posts_per_day", "kpi", "n", "mean", "sd"}
    for name in ("main_effects_peak_members.png", "main_effects_total_joined.png", "main_effects.csv"):
        assert (grid_out / "analysis" / name).stat().st_size > 0
    assert not (grid_out / "analysis" / "main_effects_profit.png").exists()  # only the KPIs asked for


def test_grid_main_effect_averages_the_other_parameter(grid_out: Path) -> None:
    analyze_store(grid_out, ["peak_members"], plots=False)
    effects = pd.read_csv(grid_out / "analysis" / "main_effects.csv")
    runs = pd.read_parquet(grid_out / "runs.parquet")
    row = effects[
        (effects["kpi"] == "peak_members")
        & (effects["parameter"] == "entry.threshold")
        & (effects["level"] == "invite")
    ].iloc[0]
    point_means = runs[runs["entry.threshold"] == "invite"].groupby("point")["peak_members"].mean()
    assert row["mean"] == pytest.approx(point_means.mean()) and row["points"] == 2
    assert row["over"] == "replicates" and row["ci_low"] < row["mean"] < row["ci_high"]


def test_unknown_kpi_and_a_directory_without_results_are_one_line_errors(
    grid_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code, _, err = analyze([str(grid_out), "--kpi", "peak_member"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "unknown KPI 'peak_member'" in lines[0] and "peak_members" in lines[0]
    code, _, err = analyze([str(tmp_path)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "no runs.parquet" in err


def test_sobol_design_is_what_salib_analyzes(tmp_path: Path) -> None:
    """On y = 4 x1 + x2 (x3 inert), the indices must come out as 16/17, 1/17 and 0.

    This holds only if the design's points are in the order SALib's analyzer expects.
    """
    body = """
    base = "small.toml"
    days = 1
    replicates = 1
    design = "sobol"
    samples = 512
    [parameters]
    acquisition.referral_rate = {min = 0.0, max = 1.0}
    output.kol_posts_per_day = {min = 0.0, max = 1.0}
    roles.admin_minutes_per_day = {min = 0.0, max = 1.0}
    """
    sweep = load_sweep(write_sweep(tmp_path, body, "s.toml"))
    pts = pd.DataFrame(sweep.points())
    y = 4 * pts["acquisition.referral_rate"] + pts["output.kol_posts_per_day"]
    points = pd.DataFrame({"point": range(len(y)), "kpi": "y", "mean": y})
    table, why = sensitivity("sobol", sweep_meta(sweep), points, "y")
    assert why == ""
    s = table.set_index("parameter")
    assert s.loc["acquisition.referral_rate", "S1"] == pytest.approx(16 / 17, abs=0.05)
    assert s.loc["output.kol_posts_per_day", "S1"] == pytest.approx(1 / 17, abs=0.03)
    assert s.loc["roles.admin_minutes_per_day", "ST"] == pytest.approx(0, abs=0.01)
    assert s.loc["acquisition.referral_rate", "ST"] == pytest.approx(16 / 17, abs=0.05)


def test_morris_ranks_the_influential_parameter_first(tmp_path: Path) -> None:
    body = """
    base = "small.toml"
    days = 1
    replicates = 1
    design = "morris"
    samples = 20
    [parameters]
    acquisition.referral_rate = {min = 0.0, max = 1.0}
    output.kol_posts_per_day = {min = 0.0, max = 1.0}
    roles.admin_minutes_per_day = {min = 0.0, max = 1.0}
    """
    sweep = load_sweep(write_sweep(tmp_path, body, "m.toml"))
    pts = pd.DataFrame(sweep.points())
    y = 4 * pts["acquisition.referral_rate"] + pts["output.kol_posts_per_day"]
    table, _ = sensitivity(
        "morris", sweep_meta(sweep), pd.DataFrame({"point": range(len(y)), "kpi": "y", "mean": y}), "y"
    )
    mu = table.set_index("parameter")["mu_star"]
    assert mu["acquisition.referral_rate"] == pytest.approx(4.0)
    assert mu["output.kol_posts_per_day"] == pytest.approx(1.0)
    assert mu["roles.admin_minutes_per_day"] == pytest.approx(0.0)


def test_a_sobol_sweep_of_the_model_gets_indices_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    sweep = load_sweep(write_sweep(tmp_path, SOBOL, "sobol.toml"))
    run_sweep(sweep, tmp_path / "out")
    code, out, _ = analyze([str(tmp_path / "out"), "--kpi", "total_joined"], capsys)
    assert code == 0 and "Sobol' indices of total_joined" in out
    table = pd.read_csv(tmp_path / "out" / "analysis" / "sobol_total_joined.csv")
    assert list(table["parameter"]) == list(sweep.parameters)
    assert np.isfinite(table[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    assert (tmp_path / "out" / "analysis" / "sobol_total_joined.png").stat().st_size > 0


def test_an_incomplete_sobol_sweep_says_why_it_has_no_indices(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    sweep = load_sweep(write_sweep(tmp_path, SOBOL, "sobol.toml"))
    run_sweep(sweep, tmp_path / "out")
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    runs[runs["point"] != 3].to_parquet(tmp_path / "out" / "runs.parquet")  # as if point 3 had not run yet
    code, out, _ = analyze([str(tmp_path / "out"), "--kpi", "total_joined"], capsys)
    assert code == 0
    assert "no sobol indices: 1 of 24 points have no value" in " ".join(out.split())
    assert not (tmp_path / "out" / "analysis" / "sobol_total_joined.csv").exists()


def test_main_effects_of_a_sampled_design_use_bins_and_spread_across_points() -> None:
    rng = np.random.default_rng(0)
    x = rng.random(200)
    points = pd.DataFrame({"point": range(200), "x": x, "kpi": "k", "n": 2, "mean": 10 * x, "sd": 0.0})
    effects = main_effects(points, ["x"], "k", design="lhs")
    assert len(effects) == 8 and (effects["over"] == "points").all()
    assert effects["mean"].is_monotonic_increasing and (effects["ci_high"] > effects["ci_low"]).all()
