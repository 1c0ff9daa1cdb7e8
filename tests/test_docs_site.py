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
from pydantic import BaseModel, Field

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


class Example(BaseModel):
    share: float | None = Field(None, ge=0, le=1, description="a share")
    days: int = Field(14, ge=1, description="a duration")
    policy: str = "x"


def test_defaults_and_ranges_are_read_from_the_fields(hooks: ModuleType) -> None:
    share, days = Example.model_fields["share"], Example.model_fields["days"]
    assert hooks.toml_default(share) == "`none`" and hooks.value_range(share) == "real ≥ 0 and ≤ 1, or `none`"
    assert hooks.toml_default(days) == "`14`" and hooks.value_range(days) == "integer ≥ 1"
    assert hooks.toml_default(Example.model_fields["policy"]) == '`"x"`'


def test_a_row_keeps_its_prose_and_takes_default_and_range_from_the_schema(hooks: ModuleType) -> None:
    written = (
        "| key | meaning | unit | default | range | source |\n|---|---|---|---|---|---|\n"
        "| `run.days` | days simulated | days | `999` | integer ≥ 7 | technical |\n"
        "| `run.old_key` | gone from the schema | — | `1` | — | — |\n"
    )
    table = hooks.parameter_table("run", written)
    assert "| `run.days` | days simulated | days | `180` | integer ≥ 1 and ≤ 36500 | technical |" in table
    assert "| `run.seed` | seed of every random draw (SeedSequence root) | — | `0` | integer ≥ 0 | — |" in table
    assert "`run.old_key`" in table, "rows the schema does not know stay as written (test_docs flags stale keys)"


def test_an_unknown_section_marker_is_an_error(hooks: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"unknown sections \['nosuch'\]"):
        hooks.fill_parameter_tables("<!-- parameters nosuch -->\n\n| key |\n|---|\n\n<!-- end parameters -->")
