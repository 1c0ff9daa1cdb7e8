"""Scenario presets by name: load_scenario("baseline"), `extends = "baseline"`, the CLI, the viz default."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import assert_one_line_error, invoke_cli

from sim import ScenarioError, load_scenario
from sim.scenario.presets import find_scenario, preset, preset_names, presets_dir

ROOT = Path(__file__).resolve().parents[1]


def test_the_presets_live_in_the_package_and_the_repository_links_to_them() -> None:
    assert presets_dir() == ROOT / "sim" / "scenarios"
    assert (ROOT / "scenarios").resolve() == presets_dir()
    names = preset_names()
    assert {"baseline", "paid_entry", "no_moderation", "validation/bass", "validation/irsir"} <= set(names)
    assert not any(n.startswith("sweeps/") for n in names), "sweep files are not scenarios"
    assert (presets_dir() / "sweeps" / "entry_x_kol_output.toml").is_file()


@pytest.mark.parametrize("name", ["baseline", "baseline.toml"])
def test_a_preset_loads_by_name_from_any_directory(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_scenario(name) == load_scenario(ROOT / "scenarios" / "baseline.toml")
    assert load_scenario("validation/bass").name == load_scenario(presets_dir() / "validation" / "bass.toml").name


def test_a_file_wins_over_the_preset_of_the_same_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "baseline.toml").write_text('name = "mine"\n')
    monkeypatch.chdir(tmp_path)
    assert load_scenario("baseline.toml").name == "mine"
    assert load_scenario("baseline").name == "baseline", "no file named 'baseline' here: the preset"


def test_extends_names_a_preset_or_a_file_beside_the_extending_file(tmp_path: Path) -> None:
    variant = tmp_path / "variant.toml"
    variant.write_text('extends = "paid_entry.toml"\n\n[population]\ninitial_members = 33\n')
    sc = load_scenario(variant)
    paid = load_scenario("paid_entry")
    assert sc.population.initial_members == 33
    assert sc.entry == paid.entry and sc.entry.threshold == "paid"

    (tmp_path / "paid_entry.toml").write_text('extends = "baseline"\n\n[entry]\nthreshold = "review"\n')
    assert load_scenario(variant).entry.threshold == "review", "the file beside it comes first"


def test_a_name_that_is_neither_a_file_nor_a_preset_lists_the_presets(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'nope.toml'}: scenario file not found, not a preset either (presets: ")
    assert "baseline, " in message and "validation/bass" in message

    child = tmp_path / "child.toml"
    child.write_text('extends = "basline"\n')
    with pytest.raises(
        ScenarioError, match=r"extends: file 'basline' not found .*not a preset either \(presets: baseline"
    ):
        load_scenario(child)
    assert find_scenario("basline") is None and preset("../baseline") is None


def test_the_cli_runs_a_preset_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke_cli(["run", "baseline", "--days", "3"], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "results" / "baseline" / "summary.json").read_text())["days"] == 3
    line = assert_one_line_error(*invoke_cli(["run", "no_such_preset"], capsys)[::2])
    assert line.startswith("error: no_such_preset: scenario file not found, not a preset either (presets: baseline")


def test_the_cli_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    import sim

    code, out, _ = invoke_cli(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"community-sim {sim.__version__}"
    assert sim.__version__[0].isdigit() and "unknown" not in sim.__version__


def test_the_viz_default_scenario_is_the_packaged_baseline() -> None:
    from sim.viz.model import DEFAULT_SCENARIO

    assert DEFAULT_SCENARIO == presets_dir() / "baseline.toml" and DEFAULT_SCENARIO.is_file()
    assert os.fspath(DEFAULT_SCENARIO).startswith(os.fspath(presets_dir()))
