"""docs/ODD.md documents every scenario parameter (with its current default) and every output.

When this fails after you add or change a parameter or a metric, add or update its row in
docs/ODD.md section 8 (parameters) or section 9 (outputs): the message names the key.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sim.metrics import DAILY_COLUMNS, SUMMARY_KEYS
from sim.scenario.schema import ActivityPlan, CampaignPlan, Channel, Scenario

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


def _text() -> str:
    assert ODD.is_file(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


def _cells(line: str) -> list[str]:
    """The cells of one markdown table row, stripped (no escaped pipes are used in ODD.md)."""
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every markdown table as (header cells, body rows of cells)."""
    tables: list[tuple[list[str], list[list[str]]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|[\s:|-]+\|\s*$", lines[i + 1]):
            header = [c.lower() for c in _cells(lines[i])]
            body = []
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                body.append(_cells(lines[i]))
                i += 1
            tables.append((header, body))
        else:
            i += 1
    return tables


def _parameter_rows(text: str) -> dict[str, tuple[list[str], list[str]]]:
    """First-column key (backticks removed) -> (header, row) of the tables with a `default` column."""
    rows: dict[str, tuple[list[str], list[str]]] = {}
    for header, body in _tables(text):
        if "default" not in header:
            continue
        for row in body:
            key = row[0].strip("`")
            rows.setdefault(key, (header, row))
    return rows


def _documented_keys() -> list[tuple[str, Any]]:
    """(dotted key, default) of every section field and every [[activities]] and [[campaigns]] field."""
    keys: list[tuple[str, Any]] = []
    for name, field in Scenario.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys += [(f"{name}.{sub}", f.default) for sub, f in ann.model_fields.items()]
    keys += [(f"activities.{sub}", f.default) for sub, f in ActivityPlan.model_fields.items()]
    keys += [(f"channels.{sub}", f.default) for sub, f in Channel.model_fields.items()]
    keys += [(f"campaigns.{sub}", f.default) for sub, f in CampaignPlan.model_fields.items()]
    return keys


def toml_renderings(value: Any) -> set[str]:
    """Accepted TOML-style spellings of a default in the ODD default column."""
    if value is PydanticUndefined:
        return {"required", "—", "-"}
    if value is None:
        return {"none"}
    if isinstance(value, bool):
        return {"true" if value else "false"}
    if isinstance(value, str):
        return {f'"{value}"'}
    if isinstance(value, float) and math.isinf(value):
        return {"inf" if value > 0 else "-inf"}
    if isinstance(value, list):
        return {repr(value)}
    return {repr(value), f"{value:g}"}


KEYS = _documented_keys()


@pytest.mark.parametrize(("key", "default"), KEYS, ids=[k for k, _ in KEYS])
def test_parameter_has_a_row_with_its_default(key: str, default: Any) -> None:
    rows = _parameter_rows(_text())
    assert key in rows, (
        f"scenario parameter `{key}` is not documented: add a row "
        f"| `{key}` | meaning | unit | default | range | source | to section 8 of docs/ODD.md"
    )
    header, row = rows[key]
    col = header.index("default")
    assert col < len(row), f"`{key}`: its row in docs/ODD.md has no default cell: {row}"
    cell = row[col].strip("`").strip()
    allowed = toml_renderings(default)
    assert cell in allowed, (
        f"`{key}`: docs/ODD.md gives default {row[col]!r}, the schema default is {default!r} "
        f"(write it as one of {sorted(allowed)}); update the row in section 8 of docs/ODD.md"
    )


def test_every_parameter_row_is_a_real_key() -> None:
    """No stale rows: a documented section.key must still exist in the schema."""
    known = {k for k, _ in KEYS}
    sections = set(Scenario.model_fields) | {"activities", "channels"}
    stale = [k for k in _parameter_rows(_text()) if "." in k and k.split(".")[0] in sections and k not in known]
    assert not stale, f"docs/ODD.md documents parameters the schema no longer has: {stale}"


@pytest.mark.parametrize("column", list(DAILY_COLUMNS))
def test_daily_metric_is_documented(column: str) -> None:
    assert f"`{column}`" in _text(), f"daily metric column `{column}` is not documented in section 9 of docs/ODD.md"


@pytest.mark.parametrize("key", list(SUMMARY_KEYS))
def test_summary_kpi_is_documented(key: str) -> None:
    assert f"`{key}`" in _text(), f"summary KPI `{key}` is not documented in section 9 of docs/ODD.md"


def test_renderings() -> None:
    assert toml_renderings(True) == {"true"} and toml_renderings(None) == {"none"}
    assert toml_renderings("free") == {'"free"'}
    assert "0.02" in toml_renderings(0.02) and "120.0" in toml_renderings(120.0) and "120" in toml_renderings(120.0)
    assert toml_renderings(500) == {"500"}
