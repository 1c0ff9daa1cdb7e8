"""`community-sim compare`: the report's numbers against the stored runs, common seeds, resume, bad input.

The comparisons are tiny (a 1,500-person pool, 40 days, 4-5 replicates: a run takes a
few hundredths of a second), run in this process with --workers 1 except where the
test is about the Dask cluster or a killed process.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import CommunityModel, cli, load_scenario
from sim.experiments.runner import KILL_AFTER_ENV
from sim.kpis import KPIS
from sim.report.wording import format_value

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
DAYS = 40
REPLICATES = 5
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURES = ("kpis.png", "active.png", "stages.png", "messages.png", "groups.png", "revenue.png")
VOLATILE = ["wall_time", "metrics_part", "groups_part"]


def small(directory: Path, preset: str, name: str) -> Path:
    """A preset with a 1,500-person pool, named `name`, written to directory/name.toml."""
    path = directory / f"{name}.toml"
    path.write_text(
        f'extends = "{SCENARIOS / preset}.toml"\nname = "{name}"\n[population]\npotential_pool = 1500\n',
        encoding="utf-8",
    )
    return path


def compare(args: list[str]) -> int:
    """Run `community-sim compare ARGS` in this process; return its exit status."""
    with pytest.raises(SystemExit) as exited:
        cli.main(["compare", *args])
    return int(exited.value.code or 0)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`compare` with what it printed: (exit status, stdout, stderr)."""
    code = compare(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    return small(folder, "baseline", "small_base"), small(folder, "paid_entry", "small_paid")


@pytest.fixture(scope="module")
def report(scenarios: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison of small_base and small_paid, R = 5, 40 days, in this process."""
    out = tmp_path_factory.mktemp("compare") / "out"
    code = compare(
        [
            *map(str, scenarios),
            "--replicates",
            str(REPLICATES),
            "--days",
            str(DAYS),
            "--workers",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def read(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(out / "kpis.csv"), pd.read_parquet(out / "runs.parquet")


# ---------------------------------------------------------------- the numbers


def test_cost_effectiveness_is_the_paired_extra_cost_per_extra_member(report: Path) -> None:
    table = pd.read_csv(report / "cost_effectiveness.csv").set_index("effect")
    runs = pd.read_parquet(report / "runs.parquet")
    wide = runs.pivot(index="replicate", columns="scenario_name", values=["operator_cost_total", "final_members"])
    extra_cost = (wide["operator_cost_total"]["small_paid"] - wide["operator_cost_total"]["small_base"]).mean()
    extra = (wide["final_members"]["small_paid"] - wide["final_members"]["small_base"]).mean()
    row = table.loc["final_members"]
    assert row["scenario"] == "small_paid" and row["n_pairs"] == REPLICATES
    assert row["extra_cost"] == pytest.approx(extra_cost) and row["extra_members"] == pytest.approx(extra)
    if extra > 0:
        assert row["cost_per_extra"] == pytest.approx(extra_cost / extra)
    else:  # a paid entry admits fewer: no ratio, a verdict
        assert np.isnan(row["cost_per_extra"]) and isinstance(row["verdict"], str)
    assert "<h2>Cost-effectiveness</h2>" in (report / "report.html").read_text(encoding="utf-8")


def test_kpis_csv_holds_the_statistics_of_the_stored_runs(report: Path) -> None:
    kpis, runs = read(report)
    assert list(kpis.columns[:7]) == ["scenario", "kpi", "mean", "ci_low", "ci_high", "diff_vs_first", "p_value"]
    assert set(kpis["scenario"]) == {"small_base", "small_paid"}
    assert len(runs) == 2 * REPLICATES and set(runs["status"]) == {"ok"}
    by = kpis.set_index(["scenario", "kpi"])
    for kpi in ("final_active", "total_joined", "retention_30d", "revenue_total", "profit"):
        wide = runs.pivot(index="replicate", columns="scenario_name", values=kpi)
        base, paid = wide["small_base"].to_numpy(float), wide["small_paid"].to_numpy(float)
        for label, values in (("small_base", base), ("small_paid", paid)):
            row = by.loc[(label, kpi)]
            assert row["mean"] == pytest.approx(values.mean(), rel=1e-12)
            assert row["ci_low"] == pytest.approx(np.percentile(values, 5), rel=1e-12)
            assert row["ci_high"] == pytest.approx(np.percentile(values, 95), rel=1e-12)
        d = paid - base
        row = by.loc[("small_paid", kpi)]
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        assert row["diff_vs_first"] == pytest.approx(d.mean(), rel=1e-9)
        assert row["diff_ci_low"] == pytest.approx(d.mean() - half, rel=1e-9)
        assert row["diff_ci_high"] == pytest.approx(d.mean() + half, rel=1e-9)
        assert row["p_value"] == pytest.approx(stats.ttest_rel(paid, base).pvalue, rel=1e-9)
        assert by.loc[("small_base", kpi), "significance"] == "reference"
        assert np.isnan(by.loc[("small_base", kpi), "p_value"])
    # a fee of 49 cuts joins: the comparison finds it, and says so with a mark
    assert by.loc[("small_paid", "total_joined"), "diff_vs_first"] < 0
    assert by.loc[("small_paid", "total_joined"), "significance"] in ("*", "**")


def test_every_scenario_gets_the_same_seeds_and_a_stored_seed_reproduces_its_run(
    report: Path, scenarios: tuple[Path, Path]
) -> None:
    _, runs = read(report)
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all()  # common random numbers
    assert runs.groupby("scenario_index")["seed"].nunique().eq(REPLICATES).all()
    assert set(runs["run_id"]) == {
        f"s{i}-{stem}-r{r:03d}" for i, stem in enumerate(("small_base", "small_paid")) for r in range(REPLICATES)
    }
    row = runs.set_index("run_id").loc["s1-small_paid-r003"]
    model = CommunityModel(load_scenario(scenarios[1]), rng=int(row["seed"])).run(DAYS)
    assert model.summary()["final_active"] == row["final_active"]
    assert model.summary()["total_joined"] == row["total_joined"]


def test_report_html_is_one_self_contained_file_with_the_findings(report: Path) -> None:
    for name in FIGURES:
        assert (report / name).read_bytes().startswith(PNG_MAGIC), name
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "small_base" in html and "small_paid" in html
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == len(FIGURES)
    assert all(base64.b64decode(image).startswith(PNG_MAGIC) for image in images)
    assert not re.search(r"https?://", html)  # nothing to fetch: it opens offline
    assert not re.search(r"<(script|link)\b", html)
    assert not re.search(r'(src|href)="(?!data:)', html)
    # what differs: the entry threshold and the fee, nothing else
    differs = html.split("<h2>What differs</h2>")[1].split("<h2>")[0]
    assert re.findall(r"<code>([\w.]+)</code>", differs) == ["entry.threshold", "entry.fee"]
    # one plain-language line per scenario against the first, and one per KPI in the table
    assert re.search(r"small_paid vs small_base: \d+% fewer joins", html)
    assert re.search(r"<td>\d+% fewer joins \(significant, p (&lt;|=) [\d.]+\)</td>", html)
    # each outcome with the KPI registry's title and definition
    joins = KPIS["total_joined"]
    assert f"<b>{joins.title}</b>" in html and f"<small>{escape(joins.definition)}</small>" in html


def test_the_report_shows_the_isooc_score_of_each_scenario_from_the_stored_runs(report: Path) -> None:
    kpis, runs = read(report)
    html = (report / "report.html").read_text(encoding="utf-8")
    section = html.split("<h2>ISOOC health score</h2>")[1].split("<h2>")[0]
    rows = re.findall(r'<tr><td class="scenario">.*?</tr>', section)
    assert len(rows) == 2 and "small_base" in rows[0] and "small_paid" in rows[1]
    for element in ("interest", "structure", "output", "operation", "copy", "score"):
        name = f"isooc_{element}_final"
        assert runs[name].between(0, 1).all()
        for row, label in zip(rows, ("small_base", "small_paid"), strict=True):
            mean = kpis[(kpis["scenario"] == label) & (kpis["kpi"] == name)]["mean"].item()
            assert mean == pytest.approx(runs[runs["scenario_name"] == label][name].mean())
            assert f'<td class="num">{format_value(name, mean)}' in row
    assert section.count("<small") == 6  # the difference from the reference, for each element of small_paid


def test_a_scenario_compared_with_itself_shows_no_difference(
    scenarios: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = str(scenarios[0])
    code, out, _ = run_cli(
        [base, base, "--replicates", "4", "--days", "35", "--workers", "1", "--out", str(tmp_path / "same")], capsys
    )
    assert code == 0
    kpis, runs = read(tmp_path / "same")
    assert list(dict.fromkeys(kpis["scenario"])) == ["small_base", "small_base #2"]
    twin = kpis[kpis["scenario"] == "small_base #2"]
    defined = twin[twin["n_pairs"] > 0]
    assert len(defined) >= 10
    assert (defined["diff_vs_first"] == 0).all() and (defined["p_value"] == 1).all()
    assert twin["diff_vs_first"].isna().equals(twin["p_value"].isna())  # undefined KPIs: neither
    assert not kpis["significance"].isin(["*", "**"]).any()
    assert "small_base #2 vs small_base: identical runs, no difference in any key outcome." in out
    assert "identical runs" in (tmp_path / "same" / "report.html").read_text(encoding="utf-8")
    first, second = (
        runs[runs["scenario_index"] == i]
        .drop(columns=["run_id", "scenario_index", "scenario_name", *VOLATILE])
        .reset_index(drop=True)
        for i in (0, 1)
    )
    pd.testing.assert_frame_equal(first, second)


def test_runs_in_error_are_left_out_of_their_pairs_and_reported(
    scenarios: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.experiments.compare import load_comparison

    comparison = load_comparison(list(scenarios), replicates=4, days=35)
    doomed = comparison.seed(2)

    class Fragile(CommunityModel):
        """small_paid's replicate 2 fails on day 5 (small_base's replicate 2 has the same seed and runs)."""

        def step(self) -> None:
            if self.steps == 5 and self._seed == doomed and self.params.entry.threshold == "paid":
                raise FloatingPointError("overflow on day 5")
            super().step()

    monkeypatch.setattr("sim.experiments.job.CommunityModel", Fragile)
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        [*map(str, scenarios), "--replicates", "4", "--days", "35", "--workers", "1", "--out", str(out)], capsys
    )
    assert code == 0 and stdout.strip().splitlines()[-1] == "ok 7, error 1, skipped 0"
    assert "first error: s1-small_paid-r002: FloatingPointError: overflow on day 5" in " ".join(err.split())
    kpis, runs = read(out)
    row = kpis.set_index(["scenario", "kpi"]).loc[("small_paid", "total_joined")]
    assert (row["n"], row["n_pairs"]) == (3, 3)
    ok = runs[runs["status"] == "ok"].pivot(index="replicate", columns="scenario_name", values="total_joined")
    assert row["diff_vs_first"] == pytest.approx((ok["small_paid"] - ok["small_base"]).dropna().mean())
    assert kpis.set_index(["scenario", "kpi"]).loc[("small_base", "total_joined"), "n"] == 4
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "1 run ended in error and is left out (first: s1-small_paid-r002" in html
    assert re.search(r"small_paid</b></td>.*?3 / 4</td>", html, re.DOTALL)


# ---------------------------------------------------------------- running: resume, workers, store identity


def test_the_same_command_again_runs_nothing_and_rewrites_the_same_numbers(
    report: Path, scenarios: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    before = (report / "kpis.csv").read_text(encoding="utf-8")
    code, out, err = run_cli(
        [*map(str, scenarios), "--replicates", str(REPLICATES), "--days", str(DAYS), "--out", str(report)], capsys
    )
    assert code == 0
    assert "nothing left to run" in err
    assert out.strip().splitlines()[-1] == f"ok 0, error 0, skipped {2 * REPLICATES}"
    assert (report / "kpis.csv").read_text(encoding="utf-8") == before


def test_a_killed_comparison_resumes_where_it_stopped(
    scenarios: tuple[Path, Path], tmp_path: Path, report: Path
) -> None:
    out = tmp_path / "killed"
    args = [
        sys.executable,
        "-m",
        "sim",
        "compare",
        *map(str, scenarios),
        "--replicates",
        str(REPLICATES),
        "--days",
        str(DAYS),
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    killed = subprocess.run(
        args,
        env={**os.environ, KILL_AFTER_ENV: "3"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert killed.returncode in (-9, 137), killed.stderr
    assert len(pd.read_parquet(out / "runs.parquet")) == 3 and not (out / "report.html").exists()
    env = {k: v for k, v in os.environ.items() if k != KILL_AFTER_ENV}
    resumed = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip().splitlines()[-1] == f"ok {2 * REPLICATES - 3}, error 0, skipped 3"
    pd.testing.assert_frame_equal(pd.read_csv(out / "kpis.csv"), pd.read_csv(report / "kpis.csv"))


def test_two_workers_give_the_same_runs_and_report(
    report: Path, scenarios: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "w2"
    code, _, err = run_cli(
        [
            *map(str, scenarios),
            "--replicates",
            str(REPLICATES),
            "--days",
            str(DAYS),
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0 and "local Dask cluster (2 workers)" in err
    one, two = (pd.read_parquet(d / "runs.parquet").drop(columns=VOLATILE) for d in (report, out))
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(pd.read_csv(out / "kpis.csv"), pd.read_csv(report / "kpis.csv"))


def test_another_comparison_in_the_same_directory_is_refused_unless_forced(
    scenarios: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    common = [*map(str, scenarios), "--days", "5", "--workers", "1", "--out", str(out)]
    assert run_cli([*common, "--replicates", "2"], capsys)[0] == 0
    code, _, err = run_cli([*common, "--replicates", "3"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"error: {out} holds another comparison") and "changed: replicates" in err
    assert "--force" in err
    code, out_text, _ = run_cli([*common, "--replicates", "3", "--force"], capsys)
    assert code == 0 and out_text.strip().splitlines()[-1] == "ok 6, error 0, skipped 0"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{base}"], "error: compare needs at least 2 scenario files, got 1"),
        (["{base}", "{missing}"], "error: {missing}: scenario file not found"),
        (["{base}", "{bad}"], "error: {bad}: entry.threshhold: unknown key; did you mean 'entry.threshold'?"),
        (["{base}", "{base}", "--replicates", "1"], "error: --replicates must be between 2 and 10,000, got 1"),
        (["{base}", "{base}", "--days", "0"], "error: --days must be between 1 and 36,500, got 0"),
        (["{base}", "{base}", "--workers", "0"], "error: --workers must be between 1 and 256, got 0"),
        (["{base}", "{base}", "--replicates", "many"], "error: Invalid value for '--replicates'"),
        ([], "error: Missing argument"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(
    args: list[str], message: str, scenarios: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{scenarios[0]}"\n[entry]\nthreshhold = "paid"\n', encoding="utf-8")
    names = {"base": str(scenarios[0]), "missing": str(tmp_path / "missing.toml"), "bad": str(bad)}
    out = tmp_path / "out"
    code, stdout, err = run_cli([a.format(**names) for a in args] + ["--out", str(out)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(message.format(**names)), err
    assert "Traceback" not in err and stdout == ""
    assert not out.exists()


def test_the_groups_lives_are_compared_too(report: Path) -> None:
    kpis, runs = read(report)
    for kpi in ("groups_died_total", "groups_alive_final", "median_group_lifetime", "silent_death_share"):
        assert kpi in runs.columns and kpi in set(kpis["kpi"])
    assert (runs["groups_alive_final"] >= 1).all()
    assert "Groups alive at the end" in (report / "report.html").read_text(encoding="utf-8")


def test_preset_names_run_in_the_workers_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`compare baseline paid_entry` from a folder without those files runs the packaged presets."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    code, stdout, _ = run_cli(
        ["baseline", "paid_entry", "--replicates", "2", "--days", "3", "--workers", "1", "--out", str(out)], capsys
    )
    assert code == 0 and stdout.strip().splitlines()[-1] == "ok 4, error 0, skipped 0"
    _, runs = read(out)
    assert set(runs["scenario_name"]) == {"baseline", "paid_entry"}
