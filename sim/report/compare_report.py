"""The comparison report: from a comparison's directory to kpis.csv, the figures and report.html.

    report = write_report("results/compare")
    report.lines       # one plain-language line per scenario against the first
    report.files       # kpis.csv, the PNG figures, report.html

It reads only the directory (`compare.read_results`: the manifest, runs.parquet and
metrics/), so it can be rebuilt at any time, e.g. after a resumed run, and every
number in it comes from the stored runs. Each file is written whole and renamed
into place.
"""

from __future__ import annotations

import os
import shlex
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from sim.report import atomic_output
from sim.report.compare import ComparisonResults, read_results
from sim.report.cost_effect import COLUMNS as COST_COLUMNS
from sim.report.cost_effect import cost_effectiveness
from sim.report.figures import draw_figures
from sim.report.html import ReportPage, ScenarioRow, render_page
from sim.report.kpi_stats import CONFIDENCE, CSV_COLUMNS, INTERVAL, kpi_table
from sim.report.palette import scenario_colours
from sim.report.scenario_diff import changed_keys
from sim.report.wording import HEADLINE_KPIS, scenario_line

__all__ = ["COST_FILE", "CSV_FILE", "HTML_FILE", "ComparisonReport", "write_report"]

CSV_FILE = "kpis.csv"
COST_FILE = "cost_effectiveness.csv"
HTML_FILE = "report.html"


@dataclass
class ComparisonReport:
    """What `write_report` wrote and said."""

    directory: Path
    kpis: pd.DataFrame
    lines: list[str]
    files: list[Path]
    warnings: list[str]


def write_report(directory: str | Path) -> ComparisonReport:
    """Compute the statistics of the comparison stored in `directory` and write its report files there."""
    results = read_results(directory)
    out = results.directory
    labels = results.labels
    kpis = kpi_table(results.ok_runs, labels)
    with atomic_output(out / CSV_FILE) as tmp:
        kpis[list(CSV_COLUMNS)].to_csv(tmp, index=False)
    costs = cost_effectiveness(results.ok_runs, labels)
    with atomic_output(out / COST_FILE) as tmp:
        costs[list(COST_COLUMNS)].to_csv(tmp, index=False)
    warnings = _warnings(results)
    figures = (
        draw_figures(results.daily, kpis, labels, out, results.meta["replicates"]) if not results.daily.empty else []
    )
    lines = plain_lines(kpis, labels)
    page = ReportPage(
        title="Scenario comparison: " + " vs ".join(labels),
        intro=_intro(results),
        scenarios=_scenario_rows(results),
        lines=lines,
        changes=changed_keys([s["values"] for s in results.meta["scenarios"]], labels),
        kpis=kpis,
        cost_effect=costs,
        headline=HEADLINE_KPIS,
        figures=[f for f in figures if f.path.name != "kpis.png"],
        key_figure=next((f for f in figures if f.path.name == "kpis.png"), None),
        warnings=warnings,
        method=_method(results),
        command=_command(results),
    )
    with atomic_output(out / HTML_FILE) as tmp:
        tmp.write_text(render_page(page), encoding="utf-8")
    files = [out / CSV_FILE, out / COST_FILE, *(f.path for f in figures), out / HTML_FILE]
    return ComparisonReport(out, kpis, lines, files, warnings)


def plain_lines(kpis: pd.DataFrame, labels: list[str]) -> list[str]:
    """One line per scenario after the first, over the headline KPIs."""
    first = labels[0]
    by = {label: {r["kpi"]: r for r in kpis[kpis["scenario"] == label].to_dict("records")} for label in labels}
    return [scenario_line(label, first, by[label], by[first]) for label in labels[1:]]


def _scenario_rows(results: ComparisonResults) -> list[ScenarioRow]:
    colours = scenario_colours(len(results.labels))
    ok = results.ok_runs.groupby("scenario_index").size()
    replicates = int(results.meta["replicates"])
    return [
        ScenarioRow(
            s["label"],
            colours[i],
            _shown_path(s["file"]),
            s["values"].get("description") or "",
            int(ok.get(i, 0)),
            replicates,
        )
        for i, s in enumerate(results.meta["scenarios"])
    ]


def _warnings(results: ComparisonResults) -> list[str]:
    out = []
    expected = int(results.meta["runs"])
    if len(results.runs) < expected:
        out.append(
            f"Only {len(results.runs)} of {expected} runs are stored: the comparison was interrupted. "
            "Run the same command again to finish it."
        )
    failed = results.runs[results.runs["status"] != "ok"]
    if not failed.empty:
        first = failed.iloc[0]
        runs = "1 run ended in error and is" if len(failed) == 1 else f"{len(failed)} runs ended in error and are"
        out.append(f"{runs} left out (first: {first['run_id']}: {first['error']}).")
    return out


def _intro(results: ComparisonResults) -> str:
    meta = results.meta
    try:
        version = metadata.version("community-sim")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "?"
    return (
        f"{meta['replicates']} runs of each scenario, {meta['days']} days each. Run r of every scenario uses "
        f"the same random seed (common random numbers), so scenarios are compared run by run. "
        f"The first scenario, {results.labels[0]}, is the reference. "
        f"{_posterior_line(results.meta)}"
        f"Built {time.strftime('%Y-%m-%d %H:%M')} with community-sim {version}."
    )


def _posterior_line(meta: dict) -> str:
    """Say where the fitted parameters came from, when the comparison drew them from a posterior ("" if not)."""
    posterior = meta.get("posterior")
    if not posterior:
        return ""
    keys = ", ".join(posterior["keys"])
    return (
        f"Run r of every scenario also takes the same values of the fitted parameters ({keys}), drawn from the "
        f"posterior of the fit in {posterior['fit']}, so the intervals hold the parameters' uncertainty as well as "
        "the runs'. "
    )


def _method(results: ComparisonResults) -> list[str]:
    low, high = INTERVAL
    meta = results.meta
    posterior = [_posterior_line(meta).strip()] if meta.get("posterior") else []
    return [
        *posterior,
        (
            f"Each scenario was run {meta['replicates']} times for {meta['days']} days. The seed of run r is the same "
            f"in every scenario, drawn from a numpy SeedSequence keyed by the comparison (root {meta['root']}) and r; "
            'each run\'s seed is stored in runs.parquet, and "community-sim run FILE --seed SEED --days DAYS" '
            "reproduces one run alone."
        ),
        (
            f"Mean: over the runs where the outcome is defined. 90% interval: the {low:g}th to {high:g}th percentile "
            "of the runs, i.e. the range of outcomes, not the uncertainty of the mean."
        ),
        (
            f"Difference from {results.labels[0]}: the mean of the run-by-run differences (run r against run r), "
            f"with its {CONFIDENCE:.0%} paired t confidence interval. p: paired t-test (scipy.stats.ttest_rel) of a "
            "mean difference of 0; it agrees with the interval (p < 0.05 exactly when the interval leaves out 0). "
            "A difference of exactly 0 in every run (identical runs) has p = 1."
        ),
        (
            "Outcomes undefined in some runs (e.g. no activity half-life when activity never halves) are left out "
            "of means and of pairs; the table says so when it matters."
        ),
        (
            "p-values are not corrected for testing many outcomes: with a dozen outcomes, one difference "
            "'significant' at 5% is expected by chance even between identical settings with different seeds."
        ),
        (
            f"Files beside this report: kpis.csv (every outcome of every scenario: mean, ci_low and ci_high = the 90% "
            f"interval, diff_vs_first, p_value, and the difference's {CONFIDENCE:.0%} CI), the figures as PNG, "
            "runs.parquet (one row per run) and metrics/ (daily series)."
        ),
    ]


def _shown_path(path: str) -> str:
    """Show a scenario file as the user would type it: relative to the working directory when under it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    except ValueError:  # pragma: no cover - another drive on Windows
        return path


def _command(results: ComparisonResults) -> str:
    meta = results.meta
    files = " ".join(shlex.quote(_shown_path(s["file"])) for s in meta["scenarios"])
    return (
        f"community-sim compare {files} --replicates {meta['replicates']} --days {meta['days']} "
        + (f"--posterior {shlex.quote(meta['posterior']['fit'])} " if meta.get("posterior") else "")
        + f"--out {shlex.quote(_shown_path(str(results.directory)))}"
    )
