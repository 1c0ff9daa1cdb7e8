"""KPIs in plain words: names with units, formatted values, and one sentence per difference.

Labels, units, kinds and the words of a change ("more"/"fewer", what a missing value
means) come from the KPI registry, `sim.kpis`; this module only puts them into sentences.

How a change is said depends on the KPI:
- counts and money with a positive reference: relative to the first scenario's mean
  over the same replicates ("41% fewer joins", "2.9x the revenue", with a multiplication sign);
- shares (retention, ad share): in percentage points ("+18 points 30-day retention");
- signed or small quantities (profit, satisfaction, the day of the peak): the amount
  itself ("profit higher by 189,436", "membership peaks 12 days later").
Each is followed by whether it is significant (paired t-test, p < 0.05, see
`sim.report.kpi_stats`). A KPI undefined in every run of one side (activity that
never halves has no half-life) is said as such rather than compared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sim.kpis import Kpi
from sim.kpis import kpi as registry_entry

__all__ = [
    "HEADLINE_KPIS",
    "format_diff",
    "format_value",
    "kpi_sentence",
    "kpi_title",
    "scenario_line",
]

SIGNIFICANT = 0.05
MINUS = "\u2212"
TIMES = "\u00d7"


HEADLINE_KPIS = (
    "total_joined",
    "final_active",
    "peak_members",
    "retention_30d",
    "ad_share",
    "activity_half_life",
    "revenue_total",
    "profit",
)
"""The KPIs of the plain-language lines and of the main table, in that order."""


def words(name: str) -> Kpi:
    """Return the registry's entry of KPI `name` (`sim.kpis.kpi`): its label, unit, kind and words."""
    return registry_entry(name)


def kpi_title(name: str) -> str:
    """Title with unit, e.g. "Joins (people)"."""
    return words(name).title


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_value(kpi: str, value: Any) -> str:
    """Format a KPI value for a table: shares in %, money and large counts with thousands separators."""
    if _missing(value):
        return "—"
    value = float(value)
    kind = words(kpi).kind
    if kind == "share":
        text = f"{100 * value:.{_decimals(100 * value)}f}%"
    elif kind == "money" or abs(value) >= 100:
        text = f"{value:,.0f}"
    elif kind == "level":
        text = f"{value:.3g}"
    else:
        text = f"{value:.1f}"
    return text.replace("-", MINUS)


def format_diff(kpi: str, value: Any) -> str:
    """Format a difference for a table: signed; shares in percentage points."""
    if _missing(value):
        return "—"
    value = float(value)
    if value == 0:
        return "0"
    sign = "+" if value > 0 else MINUS
    if words(kpi).kind == "share":
        points = abs(100 * value)
        return f"{sign}{points:.{_decimals(points)}f} pts"
    return sign + format_value(kpi, abs(value))


def _decimals(percent: float) -> int:
    """Decimals of a percentage or of percentage points: 2 below 1, else 1."""
    return 2 if abs(percent) < 1 else 1


def _amount(w: Kpi, value: float) -> str:
    if w.kind == "days":
        return f"{value:.0f} day{'s' if round(value) != 1 else ''}" if value >= 1 else f"{value:.1f} days"
    if w.kind == "money" or value >= 10:
        return f"{value:,.0f}"
    return f"{value:.2g}" if w.kind == "level" else f"{value:.1f}"


def _percent(rel: float) -> str:
    pct = 100 * rel
    if pct >= 9.5:
        return f"{pct:.0f}%"
    if pct >= 0.05:
        return f"{pct:.1f}%"
    return "<0.1%"


def change_phrase(kpi: str, diff: float, first_mean: float) -> str:
    """Word the change itself, e.g. "41% fewer joins" (no significance)."""
    w = words(kpi)
    if diff == 0:
        return f"the same {w.noun}"
    if w.kind == "share":
        points = abs(100 * diff)
        sign = "+" if diff > 0 else MINUS
        digits = 0 if points >= 9.5 else _decimals(points)
        return f"{sign}{points:.{digits}f} points {w.noun}"
    direction = w.up if diff > 0 else w.down
    if w.relative and math.isfinite(first_mean) and first_mean > 0:
        rel = diff / first_mean
        if rel >= 1:
            return f"{1 + rel:.1f}{TIMES} the {w.noun}"
        return f"{_percent(abs(rel))} {direction} {w.noun}"
    return w.template.format(amount=_amount(w, abs(diff)), dir=direction, noun=w.noun)


def _p(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}" if p_value < 0.1 else f"p = {p_value:.2f}"


def kpi_sentence(row: Mapping[str, Any], first: Mapping[str, Any], first_label: str) -> str:
    """One line for one KPI of one scenario against the first, e.g. "41% fewer joins (significant, p < 0.001)".

    `row` and `first` are rows of `kpi_stats.kpi_table` (this scenario's, the reference's).
    """
    kpi = str(row["kpi"])
    w = words(kpi)
    if int(row["n_pairs"]) == 0:
        return _undefined_sentence(kpi, row, first, first_label)
    diff, p_value = float(row["diff_vs_first"]), float(row["p_value"])
    phrase = change_phrase(kpi, diff, float(row["first_mean"]))
    if row["significance"] != "n/a" and p_value == 1.0 and diff == 0:
        return f"{phrase} in every run (identical)"
    if not math.isfinite(p_value):
        return f"{phrase} (too few runs to test)"
    verdict = "significant" if p_value < SIGNIFICANT else "not significant"
    note = (
        f", {int(row['n_pairs'])} runs with a {w.noun}"
        if int(row["n_pairs"]) < int(row["n"]) or int(row["n_pairs"]) < int(first["n"])
        else ""
    )
    return f"{phrase} ({verdict}, {_p(p_value)}{note})"


def _undefined_sentence(kpi: str, row: Mapping[str, Any], first: Mapping[str, Any], first_label: str) -> str:
    w = words(kpi)
    unit = "" if w.kind == "share" else f" {w.unit}"
    if int(row["n"]) > 0:
        return f"{w.noun} {format_value(kpi, row['mean'])}{unit} on average ({first_label}: {w.undefined})"
    if int(first["n"]) > 0:
        return f"{w.undefined} ({first_label}: {w.noun} {format_value(kpi, first['mean'])}{unit})"
    return f"{w.undefined} in both"


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def scenario_line(
    label: str,
    first_label: str,
    rows: Mapping[str, Mapping[str, Any]],
    first_rows: Mapping[str, Mapping[str, Any]],
    kpis: Sequence[str] = HEADLINE_KPIS,
) -> str:
    """One line for one scenario against the first over the headline KPIs.

    E.g. "paid_entry vs baseline: 68% fewer joins and +8 points 30-day retention (both
    significant); no significant change in peak membership." `rows` and `first_rows`
    map KPI names to rows of `kpi_stats.kpi_table`.
    """
    significant, unclear, other = [], [], []
    identical = 0
    present = [k for k in kpis if k in rows]
    if present and all(int(rows[k]["n"]) == 0 for k in present):
        return f"{label} vs {first_label}: no run of {label} finished, nothing to compare."
    for kpi in present:
        row = rows[kpi]
        if int(row["n_pairs"]) == 0:
            if int(row["n"]) or int(first_rows[kpi]["n"]):
                other.append(_undefined_sentence(kpi, row, first_rows[kpi], first_label))
            continue
        p_value, diff = float(row["p_value"]), float(row["diff_vs_first"])
        if diff == 0 and p_value == 1.0:
            identical += 1
            unclear.append(words(kpi).noun)
        elif math.isfinite(p_value) and p_value < SIGNIFICANT:
            significant.append(change_phrase(kpi, diff, float(row["first_mean"])))
        else:
            unclear.append(words(kpi).noun)
    head = f"{label} vs {first_label}: "
    compared = [k for k in present if int(rows[k]["n_pairs"]) > 0]
    if compared and identical == len(compared) and not other:
        return head + "identical runs, no difference in any key outcome."
    parts = []
    if significant:
        verdict = {1: "significant", 2: "both significant"}.get(len(significant), "all significant")
        parts.append(f"{_join(significant)} ({verdict})")
    if unclear:
        parts.append("no significant difference in " + _join(unclear))
    parts += other
    return head + ("; ".join(parts) if parts else "no key outcome to compare") + "."
