"""The KPI registry: one entry per daily column and whole-run outcome, read by metrics, report and CLI."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers import invoke_cli, run_preset

from sim import CommunityModel, cli
from sim.kpis import DAILY, KINDS, KPIS, REGISTRY, SUMMARY, Kpi, format_kpi
from sim.metrics import DAILY_COLUMNS, FLOW_COLUMNS, MEAN_COLUMNS, SUMMARY_KEYS
from sim.report.wording import HEADLINE_KPIS, format_value, kpi_title


@pytest.fixture(scope="module")
def model() -> CommunityModel:
    return run_preset("baseline", seed=3, days=35, population__potential_pool=2000)


def test_every_column_and_outcome_has_exactly_one_entry_with_definition_and_unit(model: CommunityModel) -> None:
    names = Counter(k.name for k in REGISTRY)
    assert not [n for n, c in names.items() if c > 1]
    assert [k.name for k in DAILY] == list(model.metrics().columns) == list(DAILY_COLUMNS)
    assert [k.name for k in SUMMARY] == list(model.summary()) == list(SUMMARY_KEYS)
    for entry in REGISTRY:
        assert entry.definition.strip() and entry.unit.strip() and entry.label.strip(), entry.name
        assert entry.kind in KINDS, entry.name
    assert {k.scope for k in DAILY} == {"daily"} and {k.scope for k in SUMMARY} == {"run"}


def test_metrics_take_definitions_and_roll_ups_from_the_registry() -> None:
    assert DAILY_COLUMNS["revenue"] == KPIS["revenue"].definition
    assert SUMMARY_KEYS["ad_share"] == KPIS["ad_share"].definition
    assert "joined" in FLOW_COLUMNS and "churn_rate" in MEAN_COLUMNS and "members" not in FLOW_COLUMNS + MEAN_COLUMNS
    assert set(FLOW_COLUMNS) == {k.name for k in DAILY if k.rollup == "sum"}


def test_values_are_formatted_by_their_kind() -> None:
    assert format_kpi("churn_rate", 0.25) == "25.0%"  # a daily share
    assert format_kpi("operator_cost", 12.5) == "12.50"  # daily money
    assert format_kpi("final_active", 1234) == "1,234"
    assert format_kpi("profit", -3.0) == "-3.00"
    assert format_kpi("no_such_kpi", 0.25) == "0.25"  # outside the registry: a plain amount
    assert format_value("retention_30d", 0.5) == "50.0%" and format_value("revenue_total", 1234.4) == "1,234"


def test_the_report_titles_are_the_registry_labels_and_units() -> None:
    for name in HEADLINE_KPIS:
        entry = KPIS[name]
        assert kpi_title(name) == f"{entry.label} ({entry.unit})"
    assert kpi_title("total_joined") == "Joins (people)"


def _cells(line: str) -> list[str]:
    """The cells of one row of a rich table as printed."""
    return [cell.strip() for cell in line.strip().strip("│").split("│")]


@pytest.mark.parametrize(("args", "entries"), [(["kpis"], SUMMARY), (["kpis", "--daily"], DAILY)])
def test_the_kpis_command_shows_the_registry_text(
    args: list[str], entries: tuple[Kpi, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    code, out, _ = invoke_cli(args, capsys)
    assert code == 0
    rows = {cells[0]: cells[1:] for cells in (_cells(line) for line in out.splitlines()) if len(cells) == 4}
    for entry in entries:
        assert rows[entry.name] == [entry.unit, entry.direction, entry.definition]
    assert cli.kpi_rows() == [(k.name, k.unit, k.direction, k.definition) for k in SUMMARY]


def test_run_prints_units_beside_the_values(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    scenario = str(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml")
    code, out, err = invoke_cli(
        ["run", scenario, "--days", "5", "--set", "population.potential_pool=2000", "--out", str(tmp_path)], capsys
    )
    assert code == 0, err
    rows = {cells[0]: cells[1:] for cells in (_cells(line) for line in out.splitlines()) if len(cells) == 3}
    assert rows["retention_30d"][1] == KPIS["retention_30d"].unit
    assert rows["total_joined"][1] == KPIS["total_joined"].unit
