"""Every scenario key with its type, default, range, unit, meaning and source, from the schema.

`key_table()` is the one place that turns the schema's field metadata into rows: the
`community-sim keys` command prints them, error messages quote their ranges, and
docs/hooks.py writes them as the parameter tables of docs/ODD.md §8.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from typing import Any

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.scenario.schema import ActivityPlan, Scenario

__all__ = ["KeyRow", "describe_allowed", "field_at", "key_table", "section_keys", "sections"]

ACTIVITIES = "activities"


@dataclass(frozen=True)
class KeyRow:
    """One scenario key as documented: what it is, what it takes, what it means and where it comes from."""

    key: str
    type: str
    default: str
    range: str
    unit: str
    meaning: str
    source: str


def sections() -> list[str]:
    """List the scenario's sections (tables) in schema order, `activities` included."""
    return [name for name, f in Scenario.model_fields.items() if _model(f.annotation) is not None]


def section_keys(section: str) -> list[str]:
    """List the dotted keys of one section."""
    model = ActivityPlan if section == ACTIVITIES else _model(Scenario.model_fields[section].annotation)
    assert model is not None
    return [f"{section}.{name}" for name in model.model_fields]


def field_at(key: str) -> FieldInfo | None:
    """Find the schema field of a dotted key (`section.name`, `activities.name` or a top-level name)."""
    section, _, name = key.partition(".")
    if not name:
        field = Scenario.model_fields.get(section)
        return field if field is not None and _model(field.annotation) is None else None
    top = Scenario.model_fields.get(section)
    model = _model(top.annotation) if top is not None else None
    return model.model_fields.get(name) if model is not None else None


def key_table(section: str | None = None) -> list[KeyRow]:
    """Rows (key, type, default, range or choices, unit, meaning, source) of every key, or one section's.

    Raises KeyError for an unknown section.
    """
    if section is not None and section not in sections() and section not in _top_level():
        raise KeyError(section)
    rows = []
    if section is None or section in _top_level():
        rows += [_row(name, Scenario.model_fields[name]) for name in _top_level() if section in (None, name)]
    for name in sections() if section is None else [s for s in sections() if s == section]:
        for key in section_keys(name):
            field = field_at(key)
            assert field is not None
            rows.append(_row(key, field))
    return rows


def describe_allowed(field: FieldInfo) -> str:
    """Say in words what a field accepts: 'an integer >= 0 and <= 100', 'true or false', 'one of a, b'."""
    kind, choices = _kind(field.annotation)
    if choices:
        return "one of " + ", ".join(choices)
    if kind == "bool":
        return "true or false"
    if kind == "string":
        return "a string"
    if kind.startswith("date"):
        return "a date (YYYY-MM-DD)" + (" (or leave it out for none)" if kind.endswith("or none") else "")
    article = "an" if kind.startswith("integer") else "a"
    noun = {"integer": "integer", "real": "number", "integer or none": "integer", "real or none": "number"}[kind]
    bounds = _bounds(field)
    text = f"{article} {noun}" + (f" {bounds}" if bounds else "")
    return text + (" (or leave it out for none)" if kind.endswith("or none") else "")


# ---------------------------------------------------------------- helpers


def _top_level() -> list[str]:
    return [name for name, f in Scenario.model_fields.items() if _model(f.annotation) is None and name != ACTIVITIES]


def _model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0]
    return None


def _kind(annotation: Any) -> tuple[str, list[str]]:
    if typing.get_origin(annotation) is typing.Literal:
        return "choice", [str(a) for a in typing.get_args(annotation)]
    args = set(typing.get_args(annotation)) or {annotation}
    optional = type(None) in args
    args.discard(type(None))
    base = {int: "integer", float: "real", bool: "bool", str: "string", dt.date: "date"}.get(next(iter(args)), "value")
    return (f"{base} or none" if optional else base), []


def _bounds(field: FieldInfo) -> str:
    parts = []
    for item in field.metadata:
        for attr, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(item, attr, None)
            if isinstance(item, (at.Ge, at.Gt, at.Le, at.Lt)) and value is not None:
                parts.append(f"{op} {_number(value)}")
    return " and ".join(parts)


def _number(value: Any) -> str:
    if value == 2**63 - 1:
        return "2**63 - 1"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e5:
        return f"{value:.0e}".replace("e+0", "e").replace("e+", "e")
    if isinstance(value, int) and abs(value) >= 10**5:
        exponent = len(str(abs(value))) - 1
        return f"1e{exponent}" if value == 10**exponent else f"{value:_}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _toml(value: Any) -> str:
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def _row(key: str, field: FieldInfo) -> KeyRow:
    kind, choices = _kind(field.annotation)
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if choices:
        allowed = ", ".join(choices)
    elif kind in ("bool", "string"):
        allowed = "true/false" if kind == "bool" else "string"
    elif kind.startswith("date"):
        allowed = "YYYY-MM-DD" + (", or none" if kind.endswith("or none") else "")
    else:
        allowed = _bounds(field) + (", or none" if kind.endswith("or none") else "")
    return KeyRow(
        key=key,
        type=kind,
        default=_toml(field.default),
        range=allowed,
        unit=str(extra.get("unit", "—")),
        meaning=field.description or "",
        source=str(extra.get("source", "—")),
    )
