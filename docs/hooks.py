"""mkdocs hooks: the user guide and the changelog from the repository's files, ODD §8 from the schema.

- ``guide.md`` and ``changelog.md`` are generated from README.md and CHANGELOG.md, so the
  site never holds a second copy of them; links into ``docs/`` are rewritten for the site.
- The parameter tables of docs/ODD.md §8, each between ``<!-- parameters SECTION -->`` and
  ``<!-- end parameters -->``, are rebuilt from the scenario schema (`sim.scenario.schema`):
  its keys, types, defaults and ranges are the one source of truth. Meaning, unit and
  source come from the row written in ODD.md for the key (the schema's description when
  there is none); rows of keys that are not schema fields (``extends``) stay as written.
  `python docs/hooks.py` writes the tables into ODD.md itself, and tests/test_docs_site.py
  checks that ODD.md holds exactly what the schema gives, so a default is never typed by hand.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.scenario.schema import ActivityPlan, Scenario

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("key", "meaning", "unit", "default", "range", "source")
BLOCK = re.compile(r"(<!-- parameters (?P<section>[\w-]+) -->\n)(?P<table>.*?)(<!-- end parameters -->)", re.DOTALL)
TOP_LEVEL = "top-level"
"""The marker's name of the top-level keys (``name``, ``description``)."""


# ---------------------------------------------------------------- the schema as table rows


def section_fields(section: str) -> dict[str, FieldInfo]:
    """Return the schema fields of `section`, keyed by their dotted key (``run.seed``, ``name``)."""
    if section == TOP_LEVEL:
        return {
            name: f
            for name, f in Scenario.model_fields.items()
            if not _is_section(f.annotation) and name != "activities"
        }
    model = ActivityPlan if section == "activities" else Scenario.model_fields[section].annotation
    assert isinstance(model, type) and issubclass(model, BaseModel), section
    return {f"{section}.{name}": f for name, f in model.model_fields.items()}


def sections() -> list[str]:
    """List every table of §8: the top level, each ``[section]`` and ``[[activities]]``."""
    return [TOP_LEVEL, *(n for n, f in Scenario.model_fields.items() if _is_section(f.annotation)), "activities"]


def toml_default(field: FieldInfo) -> str:
    """Write a field's default as in TOML (``none`` when unset, ``required`` without a default)."""
    value = field.default
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "`none`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value!r}`"


def value_range(field: FieldInfo) -> str:
    """Describe what the schema accepts: type and bounds, or the choices; ``, or `none``` if optional."""
    annotation, optional = _unwrap_optional(field.annotation)
    if typing.get_origin(annotation) is typing.Literal:
        text = ", ".join(f"`{choice}`" for choice in typing.get_args(annotation))
    elif annotation is bool:
        text = "true/false"
    elif annotation is str:
        text = "string"
    else:
        kind = "integer" if annotation is int else "real"
        bounds = [_bound(m) for m in field.metadata if _bound(m)]
        text = f"{kind} {' and '.join(bounds)}" if bounds else f"any {kind}"
    return f"{text}, or `none`" if optional else text


def parameter_table(section: str, written: str = "") -> str:
    """Build the markdown table of `section` from the schema, with the prose of the `written` table."""
    prose = _rows(written)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    fields = section_fields(section)
    for key, field in fields.items():
        row = prose.get(key, {})
        cells = {
            "key": f"`{key}`",
            "meaning": row.get("meaning") or field.description or "—",
            "unit": row.get("unit") or "—",
            "default": toml_default(field),
            "range": value_range(field),
            "source": row.get("source") or "—",
        }
        lines.append("| " + " | ".join(cells[c] for c in COLUMNS) + " |")
    lines += [row["_line"] for key, row in prose.items() if key not in fields]
    return "\n".join(lines) + "\n"


def fill_parameter_tables(markdown: str) -> str:
    """Rebuild every marked parameter table of `markdown` (docs/ODD.md) from the schema."""
    unknown = sorted({m["section"] for m in BLOCK.finditer(markdown)} - set(sections()))
    if unknown:
        raise ValueError(f"docs/ODD.md: parameter tables of unknown sections {unknown}; known: {sections()}")
    return BLOCK.sub(lambda m: f"{m[1]}\n{parameter_table(m['section'], m['table'])}\n{m[4]}", markdown)


def _is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return inner, True
    return annotation, False


BOUNDS = (
    (annotated_types.Gt, "gt", ">"),
    (annotated_types.Ge, "ge", "≥"),
    (annotated_types.Lt, "lt", "<"),
    (annotated_types.Le, "le", "≤"),
)


def _bound(constraint: Any) -> str:
    for kind, attribute, sign in BOUNDS:
        if isinstance(constraint, kind):
            return f"{sign} {getattr(constraint, attribute)}"
    return ""


def _rows(table: str) -> dict[str, dict[str, str]]:
    """Read a written markdown table: key -> its cells by column name (and ``_line``, the row as written)."""
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    if len(lines) < 2:
        return {}
    header = [c.strip() for c in lines[0].strip().strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = dict(zip(header, (c.strip() for c in line.strip().strip("|").split("|")), strict=False))
        rows[cells.get("key", "").strip("`")] = {**cells, "_line": line}
    return rows


# ---------------------------------------------------------------- mkdocs events


def _site_links(markdown: str) -> str:
    """Point the README's links at the site's pages (``docs/ODD.md`` -> ``ODD.md``)."""
    markdown = re.sub(r"\]\(docs/", "](", markdown)
    return markdown.replace("](CHANGELOG.md)", "](changelog.md)")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the pages generated from README.md (the user guide) and CHANGELOG.md."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = "# User guide\n" + readme.split("\n", 1)[1]
    files.append(File.generated(config, "guide.md", content=_site_links(guide)))
    files.append(File.generated(config, "changelog.md", content=(ROOT / "CHANGELOG.md").read_text(encoding="utf-8")))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Rebuild ODD §8's parameter tables from the schema."""
    return fill_parameter_tables(markdown) if page.file.src_uri == "ODD.md" else markdown


if __name__ == "__main__":
    # after a schema change: rewrite ODD.md's tables (new keys get a row to complete)
    odd = ROOT / "docs" / "ODD.md"
    text = odd.read_text(encoding="utf-8")
    if (updated := fill_parameter_tables(text)) != text:
        odd.write_text(updated, encoding="utf-8")
        print("docs/ODD.md: parameter tables rewritten from the schema")
