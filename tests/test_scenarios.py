"""Scenario files: presets load, `extends` and overrides work, every bad input gets one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import SCENARIOS

from sim import ScenarioError, load_scenario

PRESETS = sorted(p for p in SCENARIOS.glob("*.toml"))


def test_ships_baseline_and_at_least_eight_presets() -> None:
    names = {p.stem for p in PRESETS}
    assert "baseline" in names
    assert len(names - {"baseline"}) >= 8


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_loads_and_opens_with_its_question(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.name == path.stem
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 20


def test_extends_overrides_and_keeps_the_rest() -> None:
    base = load_scenario(SCENARIOS / "baseline.toml")
    paid = load_scenario(SCENARIOS / "paid_entry.toml")
    assert (paid.entry.threshold, paid.entry.fee) == ("paid", 49.0)
    assert paid.roles == base.roles and paid.groups == base.groups


def test_overrides_take_cli_strings_and_python_values() -> None:
    sc = load_scenario(
        SCENARIOS / "baseline.toml",
        overrides={
            "moderation.ad_policy": "tolerate",
            "entry.fee": "12.5",
            "groups.seed_core": "false",
            "roles.kols": 4,
        },
    )
    assert sc.moderation.ad_policy == "tolerate"
    assert sc.entry.fee == 12.5 and sc.groups.seed_core is False and sc.roles.kols == 4


def _error(tmp_path: Path, text: str | None, overrides: dict | None = None, name: str = "s.toml") -> str:
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=overrides)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    msg = _error(tmp_path, "[entry]\nthresold = 'paid'\n")
    assert "entry.thresold" in msg and "did you mean 'entry.threshold'" in msg


def test_unknown_override_key_suggests_the_closest(tmp_path: Path) -> None:
    msg = _error(tmp_path, "", {"groups.capcity": "100"})
    assert "groups.capcity" in msg and "groups.capacity" in msg


def test_unknown_section(tmp_path: Path) -> None:
    assert "did you mean 'moderation'" in _error(tmp_path, "[moderaton]\nad_policy='kick'\n")


def test_unknown_policy_lists_allowed_values(tmp_path: Path) -> None:
    msg = _error(tmp_path, "[moderation]\nad_policy = 'banana'\n")
    assert "moderation.ad_policy" in msg and "tolerate, warn_then_kick, kick" in msg


def test_unknown_split_policy_and_threshold(tmp_path: Path) -> None:
    assert "none, at_capacity, dunbar, low_activity" in _error(tmp_path, "[groups]\nsplit_policy='x'\n")
    assert "free, paid, invite, review, task" in _error(tmp_path, "[entry]\nthreshold='coupon'\n")


def test_wrong_type(tmp_path: Path) -> None:
    msg = _error(tmp_path, "[roles]\nkols = 'many'\n")
    assert "roles.kols" in msg and "integer" in msg


def test_out_of_range(tmp_path: Path) -> None:
    msg = _error(tmp_path, "[groups]\ncapacity = 1\n")
    assert "groups.capacity" in msg and ">= 2 and <= 1e7, got 1" in msg


def test_paid_entry_needs_a_fee(tmp_path: Path) -> None:
    assert "entry.fee" in _error(tmp_path, "[entry]\nthreshold = 'paid'\n")


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in _error(tmp_path, None, name="nope.toml")


def test_missing_parent(tmp_path: Path) -> None:
    msg = _error(tmp_path, "extends = 'gone.toml'\n")
    assert "gone.toml" in msg and "not found" in msg


def test_circular_extends(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text("extends = 's.toml'\n", encoding="utf-8")
    msg = _error(tmp_path, "extends = 'b.toml'\n")
    assert "circular extends" in msg and "s.toml -> b.toml -> s.toml" in msg


def test_invalid_toml(tmp_path: Path) -> None:
    assert "not valid TOML" in _error(tmp_path, "[entry\nthreshold=\n")


def test_bad_activity_key_and_kind(tmp_path: Path) -> None:
    assert "activities[0].every" in _error(tmp_path, "[[activities]]\nkind='meetup'\nevry=3\n")
    msg = _error(tmp_path, "[[activities]]\nkind='party'\n")
    assert "activities[0].kind" in msg and "red_packet" in msg
