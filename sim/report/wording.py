"""KPIs in plain words: names with units, formatted values, and one sentence per difference.

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
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HEADLINE_KPIS",
    "KPI_WORDS",
    "KpiWords",
    "format_diff",
    "format_value",
    "kpi_sentence",
    "kpi_title",
    "scenario_line",
]

SIGNIFICANT = 0.05
MINUS = "\u2212"
TIMES = "\u00d7"


@dataclass(frozen=True)
class KpiWords:
    """How to speak of one KPI."""

    title: str
    """Short name for tables, e.g. "Joins"."""
    noun: str
    """What changes, for sentences, e.g. "joins"."""
    kind: str
    """count, share, money, days or level: how values are formatted and changes said."""
    unit: str
    up: str = "more"
    down: str = "fewer"
    relative: bool = True
    """Say the change in % of the reference (else as an amount, with `template`)."""
    template: str = "{amount} {dir} {noun}"
    undefined: str = "undefined"
    """What a missing value means, e.g. "activity never halves"."""


KPI_WORDS: dict[str, KpiWords] = {
    "peak_members": KpiWords("Peak members", "peak membership", "count", "members", "higher", "lower"),
    "day_of_peak": KpiWords(
        "Day of the peak",
        "day of the peak",
        "days",
        "day",
        "later",
        "earlier",
        relative=False,
        template="membership peaks {amount} {dir}",
    ),
    "final_members": KpiWords("Members at the end", "members at the end", "count", "members"),
    "final_active": KpiWords("Active members at the end", "active members at the end", "count", "members"),
    "total_joined": KpiWords("Joins", "joins", "count", "people"),
    "activity_half_life": KpiWords(
        "Activity half-life",
        "activity half-life",
        "days",
        "days",
        "longer",
        "shorter",
        undefined="activity never halves",
    ),
    "time_to_death": KpiWords(
        "Day activity dies out",
        "day activity dies out",
        "days",
        "day",
        "later",
        "earlier",
        relative=False,
        template="activity dies out {amount} {dir}",
        undefined="activity never dies out",
    ),
    "ad_share": KpiWords("Ad share", "ad share", "share", "% of messages", undefined="no messages"),
    "retention_30d": KpiWords(
        "30-day retention", "30-day retention", "share", "% of joiners", undefined="too few days or no joiners"
    ),
    "revenue_total": KpiWords("Revenue", "revenue", "money", "currency", "more", "less"),
    "operator_cost_total": KpiWords("Operator cost", "operator cost", "money", "currency", "higher", "lower"),
    "profit": KpiWords(
        "Profit", "profit", "money", "currency", "higher", "lower", relative=False, template="{noun} {dir} by {amount}"
    ),
    "mean_satisfaction_final": KpiWords(
        "Final satisfaction",
        "final satisfaction",
        "level",
        "model units",
        "higher",
        "lower",
        relative=False,
        template="{noun} {dir} by {amount}",
        undefined="no members left",
    ),
    "peak_groups": KpiWords("Peak groups", "groups at the peak", "count", "groups"),
    "kicked_total": KpiWords("Kicked", "kicks", "count", "members"),
    "referral_share": KpiWords(
        "Referral share", "referral share of joins", "share", "% of joins", undefined="no joins"
    ),
}

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


def words(kpi: str) -> KpiWords:
    """Return the words of `kpi` (a KPI without an entry is spoken of by its name, as a level)."""
    return KPI_WORDS.get(kpi) or KpiWords(
        kpi, kpi.replace("_", " "), "level", "", "higher", "lower", relative=False, template="{noun} {dir} by {amount}"
    )


def kpi_title(kpi: str) -> str:
    """Title with unit, e.g. "Joins (people)"."""
    w = words(kpi)
    return f"{w.title} ({w.unit})" if w.unit else w.title


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


def _amount(w: KpiWords, value: float) -> str:
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
