"""The `community-sim` command line: outputs of `run`, and one-line errors for bad input.

Most tests call `sim.cli.main` in-process (fast, and it is the real entry point
with the real error handling); one runs `python -m sim` in a subprocess to check
the exit status and stderr exactly as a user sees them.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import assert_one_line_error, invoke_cli

from sim import cli
from sim.report import atomic_output
from sim.report.overview import plot_overview

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
SMALL = [
    "--set",
    "population.potential_pool=2000",
    "--set",
    "population.initial_members=50",
]

REQUIRED_COLUMNS = [
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
REQUIRED_KPIS = [
    "peak_members",
    "day_of_peak",
    "final_active",
    "activity_half_life",
    "ad_share",
    "retention_30d",
    "revenue_total",
]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- a small real run


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One 30-day run of the baseline with a small population, shared by the output tests."""
    out = tmp_path_factory.mktemp("baseline")
    with pytest.raises(SystemExit) as exited:
        cli.main(["run", str(BASELINE), "--days", "30", "--seed", "3", *SMALL, "--out", str(out)])
    assert exited.value.code in (0, None)
    return out, str(BASELINE)


def test_run_writes_three_files(small_run: tuple[Path, str]) -> None:
    out, _ = small_run
    for name in ("metrics.csv", "summary.json", "overview.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "overview.png").read_bytes()[:8] == PNG_MAGIC
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_metrics_csv_has_one_row_per_day_and_required_columns(small_run: tuple[Path, str]) -> None:
    out, _ = small_run
    df = pd.read_csv(out / "metrics.csv")
    assert len(df) == 30
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    assert missing == []


def test_summary_json_has_kpis_and_run_settings(small_run: tuple[Path, str]) -> None:
    out, scenario = small_run
    text = (out / "summary.json").read_text()
    assert "NaN" not in text and "Infinity" not in text  # undefined KPIs are null
    summary = json.loads(text)
    missing = [k for k in REQUIRED_KPIS if k not in summary]
    assert missing == []
    assert summary["scenario"] == scenario
    assert summary["seed"] == 3
    assert summary["days"] == 30


def test_run_prints_kpi_table_and_output_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke_cli(["run", str(BASELINE), "--days", "5", *SMALL, "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert "peak_members" in out
    assert tmp_path.name in out


# ---------------------------------------------------------------- bad input


def test_set_without_equals_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(["run", str(BASELINE), "--set", "entry.threshold"], capsys)
    line = assert_one_line_error(code, err)
    assert "entry.threshold" in line


def test_unknown_key_names_it_and_suggests_the_right_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(["run", str(BASELINE), "--set", "entry.thresold=paid", "--out", str(tmp_path)], capsys)
    line = assert_one_line_error(code, err)
    assert "entry.thresold" in line
    assert "entry.threshold" in line


def test_bad_policy_value_lists_allowed_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(
        ["run", str(BASELINE), "--set", "moderation.ad_policy=banana", "--out", str(tmp_path)], capsys
    )
    line = assert_one_line_error(code, err)
    assert "banana" in line or "moderation.ad_policy" in line
    for allowed in ("tolerate", "warn_then_kick", "kick"):
        assert allowed in line


def test_missing_scenario_file_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(["run", str(tmp_path / "nope.toml"), "--out", str(tmp_path)], capsys)
    line = assert_one_line_error(code, err)
    assert "nope.toml" in line


@pytest.mark.parametrize("args", [["--days", "0"], ["--seed=-1"], ["--days", "abc"], ["--bogus"]])
def test_bad_options_are_one_line_errors(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(["run", str(BASELINE), *args, "--out", str(tmp_path)], capsys)
    assert_one_line_error(code, err)


def test_unknown_engine_lists_allowed_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(["run", str(BASELINE), "--engine", "turbo", "--out", str(tmp_path)], capsys)
    line = assert_one_line_error(code, err)
    assert "--engine" in line and "vectorized, agents" in line


def test_agents_engine_runs_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = invoke_cli(
        ["run", str(BASELINE), "--days", "5", "--engine", "agents", *SMALL, "--out", str(tmp_path)], capsys
    )
    assert code == 0
    assert json.loads((tmp_path / "summary.json").read_text())["engine"] == "agents"


def test_python_m_sim_bad_input_exit_status_and_stderr(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(BASELINE),
            "--set",
            "entry.thresold=paid",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert_one_line_error(proc.returncode, proc.stderr)
    assert "entry.threshold" in proc.stderr
    assert not (tmp_path / "out" / "metrics.csv").exists()


# ---------------------------------------------------------------- helpers, no model needed


def test_parse_overrides_keeps_raw_strings_and_last_wins() -> None:
    assert cli.parse_overrides(["a.b=1", "c.d = paid", "a.b=2", "e.f=x=y"]) == {"a.b": "2", "c.d": "paid", "e.f": "x=y"}
    assert cli.parse_overrides(None) == {}
    for bad in ("novalue", "=3"):
        with pytest.raises(ValueError):
            cli.parse_overrides([bad])


def test_jsonable_turns_nan_and_numpy_into_plain_json() -> None:
    import numpy as np

    value = cli.jsonable({"a": np.float64("nan"), "b": np.int64(3), "c": math.inf, "d": [np.float32(0.5)]})
    assert value == {"a": None, "b": 3, "c": None, "d": [0.5]}
    assert isinstance(value["b"], int)


def test_format_kpi() -> None:
    assert cli.format_kpi("ad_share", 0.1234) == "12.3%"
    assert cli.format_kpi("revenue_total", 1234.5) == "1,234.50"
    assert cli.format_kpi("peak_members", 1500) == "1,500"
    assert cli.format_kpi("activity_half_life", float("nan")) == "—"
    assert cli.format_kpi("activity_half_life", None) == "—"


def test_atomic_output_leaves_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]
    with atomic_output(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_plot_overview_tolerates_missing_columns(tmp_path: Path) -> None:
    full = pd.DataFrame(
        {
            "day": range(1, 11),
            "active": range(10),
            "revenue": [1.0] * 10,
            "churn_rate": [0.01] * 10,
            "max_group_size": range(10),
        }
    )
    plot_overview(full, tmp_path / "a.png", title="partial")
    plot_overview(pd.DataFrame({"x": [1, 2]}), tmp_path / "b.png", title="nothing known")
    for name in ("a.png", "b.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG_MAGIC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png"]
