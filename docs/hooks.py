"""mkdocs hooks: the user guide and the changelog from the repository's files, ODD §8 from the schema.

- ``guide.md`` and ``changelog.md`` are generated from README.md and CHANGELOG.md, so the
  site never holds a second copy of them; links into ``docs/`` are rewritten for the site.
- The parameter tables of docs/ODD.md §8, each between ``<!-- parameters SECTION -->`` and
  ``<!-- end parameters -->``, are rebuilt from `sim.scenario.keys.key_table`, the one
  reading of the scenario schema (also behind `community-sim keys` and error messages):
  key, meaning, unit, default, range and source all come from the schema's fields, so
  better wording goes into `sim/scenario/schema.py`, never into ODD.md. Rows of keys that
  are not schema fields (``extends``) stay as written. `python docs/hooks.py` writes the
  tables into ODD.md itself, and tests/test_docs_site.py checks that ODD.md holds exactly
  what the schema gives.
- The KPI tables of docs/ODD.md §9, between ``<!-- kpis daily -->`` (or ``run``) and
  ``<!-- end kpis -->``, are rebuilt the same way from the KPI registry, `sim.kpis`.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from sim import kpis
from sim.scenario import keys
from sim.scenario.keys import KeyRow

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("key", "meaning", "unit", "default", "range", "source")
BLOCK = re.compile(r"(<!-- parameters (?P<section>[\w-]+) -->\n)(?P<table>.*?)(<!-- end parameters -->)", re.DOTALL)
KPI_BLOCK = re.compile(r"(<!-- kpis (?P<scope>\w+) -->\n).*?(<!-- end kpis -->)", re.DOTALL)
KPI_SCOPES = {"daily": kpis.DAILY, "run": kpis.SUMMARY}
TOP_LEVEL = "top-level"
"""The marker's name of the top-level keys (``name``, ``description``)."""


# ---------------------------------------------------------------- key_table rows as markdown


def sections() -> list[str]:
    """List every table of §8: the top level, each ``[section]`` and ``[[activities]]``."""
    return [TOP_LEVEL, *keys.sections()]


def section_rows(section: str) -> list[KeyRow]:
    """Return the `key_table` rows of one §8 table (the top level: the keys outside any section)."""
    if section == TOP_LEVEL:
        return [row for row in keys.key_table() if "." not in row.key]
    return keys.key_table(section)


def markdown_cells(row: KeyRow) -> dict[str, str]:
    """Write one `key_table` row as §8's cells: code-quoted key and default, ``≥``/``≤`` ranges."""
    return {
        "key": f"`{row.key}`",
        "meaning": row.meaning or "—",
        "unit": row.unit,
        "default": row.default if row.default == "required" else f"`{row.default}`",
        "range": _range(row),
        "source": row.source,
    }


def parameter_table(section: str, written: str = "") -> str:
    """Build the markdown table of `section` from the schema; `written` rows of non-schema keys stay."""
    rows = section_rows(section)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(markdown_cells(row)[c] for c in COLUMNS) + " |" for row in rows]
    schema_keys = {row.key for row in rows}
    lines += [line for key, line in _written_rows(written).items() if key not in schema_keys]
    return "\n".join(lines) + "\n"


def fill_parameter_tables(markdown: str) -> str:
    """Rebuild every marked parameter table of `markdown` (docs/ODD.md) from the schema."""
    unknown = sorted({m["section"] for m in BLOCK.finditer(markdown)} - set(sections()))
    if unknown:
        raise ValueError(f"docs/ODD.md: parameter tables of unknown sections {unknown}; known: {sections()}")
    return BLOCK.sub(lambda m: f"{m[1]}\n{parameter_table(m['section'], m['table'])}\n{m[4]}", markdown)


def kpi_table(scope: str) -> str:
    """Build the markdown table of the daily columns (`daily`) or whole-run outcomes (`run`) from `sim.kpis`."""
    head = "column" if scope == "daily" else "key"
    lines = [f"| {head} | meaning | unit |", "|---|---|---|"]
    lines += [f"| `{k.name}` | {k.definition} | {k.unit} |" for k in KPI_SCOPES[scope]]
    return "\n".join(lines) + "\n"


def fill_kpi_tables(markdown: str) -> str:
    """Rebuild every marked KPI table of `markdown` (docs/ODD.md §9) from the KPI registry."""
    unknown = sorted({m["scope"] for m in KPI_BLOCK.finditer(markdown)} - set(KPI_SCOPES))
    if unknown:
        raise ValueError(f"docs/ODD.md: KPI tables of unknown scopes {unknown}; known: {sorted(KPI_SCOPES)}")
    return KPI_BLOCK.sub(lambda m: f"{m[1]}\n{kpi_table(m['scope'])}\n{m[3]}", markdown)


def _range(row: KeyRow) -> str:
    if row.type == "choice":
        return ", ".join(f"`{choice}`" for choice in row.range.split(", "))
    if row.type in ("bool", "string"):
        return row.range
    optional = row.type.endswith("or none")
    bounds = row.range.removesuffix(", or none").replace(">=", "≥").replace("<=", "≤")
    kind = row.type.removesuffix(" or none")
    text = f"{kind} {bounds}" if bounds else f"any {kind}"
    return f"{text}, or `none`" if optional else text


def _written_rows(table: str) -> dict[str, str]:
    """Read a written markdown table: key -> its row as written."""
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    return {line.strip().strip("|").split("|")[0].strip().strip("`"): line for line in lines[2:]}


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
    """Rebuild ODD §8's parameter tables from the schema and §9's KPI tables from the registry."""
    return fill_kpi_tables(fill_parameter_tables(markdown)) if page.file.src_uri == "ODD.md" else markdown


if __name__ == "__main__":
    # after a schema change: rewrite ODD.md's tables from it
    odd = ROOT / "docs" / "ODD.md"
    text = odd.read_text(encoding="utf-8")
    if (updated := fill_kpi_tables(fill_parameter_tables(text))) != text:
        odd.write_text(updated, encoding="utf-8")
        print("docs/ODD.md: parameter tables rewritten from the schema, KPI tables from sim.kpis")
