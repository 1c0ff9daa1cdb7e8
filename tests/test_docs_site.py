"""The docs site's generated parts: ODD §8's parameter tables come from the scenario schema.

`make docs` (run by `make test`) builds the whole site with `mkdocs build --strict`; these
tests check the generator itself and that docs/ODD.md holds exactly what it generates.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from sim.scenario.schema import Run

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"


@pytest.fixture(scope="module")
def hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_odd_parameter_tables_are_what_the_schema_generates(hooks: ModuleType) -> None:
    text = ODD.read_text(encoding="utf-8")
    assert hooks.fill_parameter_tables(text) == text, "run `python docs/hooks.py` and complete the new rows"


def test_every_section_of_the_schema_has_a_marked_table(hooks: ModuleType) -> None:
    marked = re.findall(r"<!-- parameters ([\w-]+) -->", ODD.read_text(encoding="utf-8"))
    assert sorted(marked) == sorted(hooks.sections())


def test_cells_are_the_key_table_rows_in_markdown(hooks: ModuleType) -> None:
    cells = {row.key: hooks.markdown_cells(row) for row in hooks.section_rows("run")}
    assert cells["run.seed"]["default"] == "`0`" and cells["run.seed"]["range"] == "integer ≥ 0 and ≤ 2**63 - 1"
    assert cells["run.days"]["unit"] == "days" and cells["run.days"]["source"] == "technical"
    leave_day = next(r for r in hooks.section_rows("kol") if r.key == "kol.leave_day")
    assert hooks.markdown_cells(leave_day)["default"] == "`none`"
    assert hooks.markdown_cells(leave_day)["range"].endswith(", or `none`")
    policy = next(r for r in hooks.section_rows("moderation") if r.key == "moderation.ad_policy")
    assert hooks.markdown_cells(policy)["range"] == "`tolerate`, `warn_then_kick`, `kick`"
    assert [r.key for r in hooks.section_rows("top-level")] == ["name", "description"]


def test_the_schema_overrides_written_prose_and_non_schema_rows_stay(hooks: ModuleType) -> None:
    written = (
        "| key | meaning | unit | default | range | source |\n|---|---|---|---|---|---|\n"
        "| `run.days` | days simulated | weeks | `999` | integer ≥ 7 | hand-typed |\n"
        "| `run.old_key` | gone from the schema | — | `1` | — | — |\n"
    )
    table = hooks.parameter_table("run", written)
    days = Run.model_fields["days"]
    assert f"| `run.days` | {days.description} | days | `180` | integer ≥ 1 and ≤ 36500 | technical |" in table
    assert "hand-typed" not in table and "weeks" not in table
    assert "`run.old_key`" in table, "rows the schema does not know stay as written (test_docs flags stale keys)"


def test_an_unknown_section_marker_is_an_error(hooks: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"unknown sections \['nosuch'\]"):
        hooks.fill_parameter_tables("<!-- parameters nosuch -->\n\n| key |\n|---|\n\n<!-- end parameters -->")


def test_odd_kpi_tables_are_what_the_registry_generates(hooks: ModuleType) -> None:
    text = ODD.read_text(encoding="utf-8")
    assert hooks.fill_kpi_tables(text) == text, "run `python docs/hooks.py`: ODD §9 comes from sim.kpis"
    assert sorted(re.findall(r"<!-- kpis (\w+) -->", text)) == ["daily", "run"]
    table = hooks.kpi_table("run")
    assert "| `ad_share` | ad messages / (member messages + ad messages) over the run | % of messages |" in table
