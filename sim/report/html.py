"""The comparison report as one self-contained HTML page.

Everything is inside the file: the figures as base64 `data:image/png` URIs, the style
inline, no scripts, no fonts or links to fetch. It opens offline, in any browser,
and can be forwarded as an attachment. Collapsed sections use `<details>`, which
needs no JavaScript.

`render_page(page)` only formats what it is given (`ReportPage`); the numbers come
from `sim.report.kpi_stats` and the words from `sim.report.wording`.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.kpis import kpi as registry_entry
from sim.report.cost_effect import EFFECTS
from sim.report.figures import FigureFile
from sim.report.kpi_stats import REFERENCE
from sim.report.scenario_diff import format_setting
from sim.report.wording import format_diff, format_value, kpi_sentence, kpi_title

__all__ = ["ReportPage", "ScenarioRow", "render_page"]

STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #222;
       max-width: 1180px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
h3 { margin-bottom: 0.3em; }
.meta { color: #555; margin-top: 0; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; vertical-align: -0.1em;
          margin-right: 0.35em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.scenario { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.changed { font-weight: bold; background: #fff7e0; }
tr.first-of-kpi td { border-top: 2px solid #bbb; }
.sig { font-weight: bold; color: #111; }
.ns { color: #888; }
ul.lines li { margin-bottom: 0.4em; }
figure { margin: 1.2em 0 2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; }
.note { color: #555; font-size: 0.9em; }
.warning { background: #fff0f0; border: 1px solid #e0a0a0; padding: 0.5em 1em; }
code { background: #f4f4f4; padding: 0 0.25em; }
"""


@dataclass(frozen=True)
class ScenarioRow:
    """A scenario as the report lists it."""

    label: str
    colour: str
    file: str
    description: str
    ok: int
    runs: int


@dataclass
class ReportPage:
    """Everything the page shows."""

    title: str
    intro: str
    scenarios: list[ScenarioRow]
    lines: list[str]
    changes: pd.DataFrame
    kpis: pd.DataFrame
    headline: Sequence[str]
    figures: list[FigureFile]
    key_figure: FigureFile | None = None
    cost_effect: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    method: list[str] = field(default_factory=list)
    command: str = ""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _swatch(colour: str) -> str:
    return f'<span class="swatch" style="background:{_e(colour)}"></span>'


def _img(figure: FigureFile) -> str:
    data = base64.b64encode(figure.path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{_e(figure.title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(figure.caption)}</figcaption></figure>"
    )


def render_page(page: ReportPage) -> str:
    """Render the whole HTML document."""
    colour = {s.label: s.colour for s in page.scenarios}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(page.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(page.title)}</h1>",
        f'<p class="meta">{_e(page.intro)}</p>',
    ]
    parts += [f'<p class="warning">{_e(w)}</p>' for w in page.warnings]
    parts += ["<h2>In plain words</h2>", '<ul class="lines">']
    labels = [s.label for s in page.scenarios]
    for label, line in zip(labels[1:], page.lines, strict=False):
        parts.append(f"<li>{_swatch(colour[label])}{_e(line)}</li>")
    parts += [
        "</ul>",
        (
            '<p class="note">Significant: the paired t-test of the difference from the first '
            "scenario gives p &lt; 0.05 (details below).</p>"
        ),
    ]
    parts += _scenarios(page.scenarios)
    parts += _changes(page.changes, colour)
    parts.append("<h2>Key outcomes</h2>")
    if page.key_figure is not None:
        parts.append(_img(page.key_figure))
    parts.append(_kpi_table(page.kpis, [k for k in page.headline if k in set(page.kpis["kpi"])], colour, labels))
    parts.append(_legend_note(labels[0]))
    if page.cost_effect is not None and not page.cost_effect.empty:
        parts += _cost_effect(page.cost_effect, colour, labels[0])
    parts += _isooc(page.kpis, colour, labels)
    parts.append("<h2>Over time</h2>")
    for figure in page.figures:
        parts += [f"<h3>{_e(figure.title)}</h3>", _img(figure)]
    others = [k for k in dict.fromkeys(page.kpis["kpi"]) if k not in page.headline]
    if others:
        parts += [
            "<h2>Other outcomes</h2>",
            (f"<details><summary>Every other KPI of the runs ({len(others)})</summary>"),
            _kpi_table(page.kpis, others, colour, labels),
            "</details>",
        ]
    parts += ["<h2>How this was computed</h2>", "<ul>"]
    parts += [f"<li>{_e(m)}</li>" for m in page.method]
    parts.append("</ul>")
    if page.command:
        parts.append(f'<p class="note">To run it again: <code>{_e(page.command)}</code></p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _cost_effect(table: pd.DataFrame, colour: dict[str, str], first: str) -> list[str]:
    """Render the cost-effectiveness table: extra cost, extra members and the cost of one extra member."""
    out = [
        "<h2>Cost-effectiveness</h2>",
        f'<p class="note">Against {_e(first)}, paired by seed: extra operator cost over the run, extra members at '
        "the end, and what one extra member costs (95% bootstrap interval of the pairs).</p>",
        "<table><tr><th>scenario</th><th>per extra</th><th>extra cost</th><th>extra members</th>"
        "<th>cost per extra member</th><th>95% interval</th><th>verdict</th></tr>",
    ]
    for r in table.to_dict("records"):
        ratio = r.get("cost_per_extra")
        low, high = r.get("ci_low"), r.get("ci_high")
        interval = (
            "" if not _finite(low) else f"{low:,.2f} to " + (f"{high:,.2f}" if _finite(high) else "no upper bound")
        )
        out.append(
            f"<tr><td>{_swatch(colour.get(r['scenario'], '#888'))}{_e(r['scenario'])}</td>"
            f"<td>{_e(EFFECTS.get(r['effect'], r['effect']))}</td>"
            f'<td class="num">{_money(r.get("extra_cost"))}</td>'
            f'<td class="num">{_money(r.get("extra_members"), 1)}</td>'
            f'<td class="num">{_money(ratio)}</td><td class="num">{_e(interval)}</td><td>{_e(r["verdict"])}</td></tr>'
        )
    out.append("</table>")
    return out


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def _money(x: Any, digits: int = 2) -> str:
    return f"{x:,.{digits}f}" if _finite(x) else "—"


def _scenarios(rows: list[ScenarioRow]) -> list[str]:
    out = ["<h2>Scenarios</h2>", ("<table><tr><th>scenario</th><th>file</th><th>description</th><th>runs ok</th></tr>")]
    for i, s in enumerate(rows):
        role = " (reference)" if i == 0 else ""
        out.append(
            f"<tr><td>{_swatch(s.colour)}<b>{_e(s.label)}</b>{role}</td><td><code>{_e(s.file)}</code></td>"
            f'<td>{_e(s.description)}</td><td class="num">{s.ok} / {s.runs}</td></tr>'
        )
    out.append("</table>")
    return out


def _changes(changes: pd.DataFrame, colour: dict[str, str]) -> list[str]:
    out = ["<h2>What differs</h2>"]
    if changes.empty:
        out.append("<p>The scenarios have the same values for every setting.</p>")
        return out
    out.append(
        '<p class="note">Settings whose values are not the same in every scenario; highlighted where '
        "a value differs from the first scenario's. Every other setting is equal.</p>"
    )
    head = "".join(f"<th>{_swatch(colour[c])}{_e(c)}</th>" for c in changes.columns)
    out.append(f"<table><tr><th>setting</th>{head}</tr>")
    for key, row in changes.iterrows():
        values = list(row)
        cells = "".join(
            f'<td class="{"changed" if i and v != values[0] else ""}">{_e(format_setting(v))}</td>'
            for i, v in enumerate(values)
        )
        out.append(f"<tr><td><code>{_e(key)}</code></td>{cells}</tr>")
    out.append("</table>")
    return out


def _interval(kpi: str, low: float, high: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "—"
    return f"{format_value(kpi, low)} – {format_value(kpi, high)}"


def _diff_cell(kpi: str, row: pd.Series) -> str:
    if row["significance"] == REFERENCE:
        return "reference"
    text = format_diff(kpi, row["diff_vs_first"])
    low, high = row["diff_ci_low"], row["diff_ci_high"]
    if math.isfinite(low) and math.isfinite(high) and not (low == high == row["diff_vs_first"] == 0):
        text += f" [{format_diff(kpi, low)}, {format_diff(kpi, high)}]"
    return text


def _p_cell(row: pd.Series) -> str:
    p = row["p_value"]
    if not math.isfinite(p):
        return ""
    return "&lt; 0.001" if p < 0.001 else f"{p:.3f}"


def _r_cell(row: pd.Series) -> str:
    r = row.get("correlation", math.nan)
    return f"{r:.2f}" if isinstance(r, float) and math.isfinite(r) else ""


def _kpi_table(kpis: pd.DataFrame, shown: Sequence[str], colour: dict[str, str], labels: Sequence[str]) -> str:
    first = labels[0]
    out = [
        (
            "<table><tr><th>outcome</th><th>scenario</th><th>mean</th><th>90% interval</th>"
            f"<th>difference from {_e(first)} [95% CI]</th><th>p</th><th>sig.</th><th>pair r</th><th>in words</th></tr>"
        )
    ]
    for kpi in shown:
        rows = kpis[kpis["kpi"] == kpi].set_index("scenario").reindex(labels)
        reference = rows.loc[first]
        for i, label in enumerate(labels):
            row = rows.loc[label]
            mark = row["significance"]
            mark_class = "sig" if mark in ("*", "**") else "ns"
            words = "" if mark == REFERENCE else kpi_sentence({**row.to_dict(), "kpi": kpi}, reference.to_dict(), first)
            kpi_cell = (
                f'<td rowspan="{len(labels)}"><b>{_e(kpi_title(kpi))}</b><br><code>{_e(kpi)}</code>'
                f"<br><small>{_e(registry_entry(kpi).definition)}</small></td>"
                if i == 0
                else ""
            )
            out.append(
                f'<tr class="{"first-of-kpi" if i == 0 else ""}">{kpi_cell}'
                f'<td class="scenario">{_swatch(colour[label])}{_e(label)}</td>'
                f'<td class="num">{format_value(kpi, row["mean"])}</td>'
                f'<td class="num">{_interval(kpi, row["ci_low"], row["ci_high"])}</td>'
                f'<td class="num">{_e(_diff_cell(kpi, row))}</td>'
                f'<td class="num">{_p_cell(row)}</td>'
                f'<td class="{mark_class}">{"" if mark == REFERENCE else _e(mark)}</td>'
                f'<td class="num">{_r_cell(row)}</td>'
                f"<td>{_e(words)}</td></tr>"
            )
    out.append("</table>")
    return "\n".join(out)


ISOOC_COLUMNS = ("interest", "structure", "output", "operation", "copy", "score")
"""The ISOOC elements of seed 002 and their score, as columns of the report's ISOOC table."""


def _isooc(kpis: pd.DataFrame, colour: dict[str, str], labels: Sequence[str]) -> list[str]:
    """Return the ISOOC health score table: per scenario, the mean of each element and its change from the first."""
    names = [f"isooc_{c}_final" for c in ISOOC_COLUMNS]
    if not set(names) <= set(kpis["kpi"]):
        return []  # runs stored before the score existed
    by = kpis[kpis["kpi"].isin(names)].set_index(["scenario", "kpi"])
    head = "".join(f"<th>{_e(c)}</th>" for c in ISOOC_COLUMNS)
    out = [
        "<h2>ISOOC health score</h2>",
        (
            '<p class="note">Seed 002\'s five elements of a community, each 0..1, the mean of the last 30 days of '
            "each run averaged over the runs (docs/ODD.md §9.5): interest = members' mean interest; structure = "
            "staff per member and ties; output = content per member and the share of members engaged; operation = "
            "admins' coverage and ads removed; copy = copied or split groups still alive; score = the mean of the "
            f"five. Below each mean: the difference from {_e(labels[0])} run by run and its significance.</p>"
        ),
        f"<table><tr><th>scenario</th>{head}</tr>",
    ]
    for i, label in enumerate(labels):
        cells = []
        for name in names:
            row = by.loc[(label, name)]
            text = format_value(name, row["mean"])
            if i:
                mark = row["significance"]
                text += f'<br><small class="{"sig" if mark in ("*", "**") else "ns"}">'
                text += f"{_e(format_diff(name, row['diff_vs_first']))} {_e(mark)}</small>"
            cells.append(f'<td class="num">{text}</td>')
        out.append(f'<tr><td class="scenario">{_swatch(colour[label])}{_e(label)}</td>{"".join(cells)}</tr>')
    out.append("</table>")
    return out


def _legend_note(first: str) -> str:
    return (
        '<p class="note">mean: over the runs where the outcome is defined; 90% interval: the 5th to 95th '
        "percentile of the runs (where nine runs in ten end up); difference: the mean of the differences from "
        f"{_e(first)} run by run (same seed), with its 95% paired t confidence interval; p: paired t-test; "
        "** p &lt; 0.01, * p &lt; 0.05, n.s. not significant; pair r: the correlation of the paired runs "
        "(near 1, common random numbers cancel the luck the two runs share); shares are in % and their differences in "
        "percentage points (pts).</p>"
    )
