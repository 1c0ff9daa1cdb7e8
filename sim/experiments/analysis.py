"""Analysis of a sweep's store: per-point means with confidence intervals, main effects, sensitivity.

Everything is read with DuckDB straight from the Parquet files (runs.parquet; the
daily metrics/ are not needed for whole-run KPIs). Only runs with status "ok" count;
an undefined KPI (null, e.g. no activity half-life) is left out of its mean, so `n`
may differ between KPIs of one point.

- Per point and KPI: n, mean, standard deviation and a 95% confidence interval of the
  mean across replicates (Student t with n - 1 degrees of freedom; none when n < 2).
- Main effects, per parameter and level: the mean of the point means at that level,
  i.e. averaged over the other parameters, with a 95% t interval: from the replicates'
  noise in a grid (its points are fixed), across the level's points in a sampled design
  (lhs, sobol, morris: its points are random). Parameters with more than 12 distinct
  values are cut into 8 quantile bins.
- Sobol' designs: first-order (S1) and total-order (ST) indices with 95% confidence
  (SALib, bootstrap) from the point means in design order; they need every point.
- Morris designs: mu* (mean absolute elementary effect, per unit of the parameter's
  range), its 95% confidence and sigma (SALib); they need every point too.

Files, in DIR/analysis/: points.csv (long: point, parameters, kpi, n, mean, sd,
ci_low, ci_high), main_effects.csv, main_effects_<kpi>.png, and sobol_<kpi>.csv/.png
or morris_<kpi>.csv/.png.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.table import Table
from scipy import stats

from sim.experiments.design import MORRIS_LEVELS, sample_unit_hypercube
from sim.experiments.store import RUNS_FILE, read_manifest, read_runs_table
from sim.kpis import format_kpi
from sim.metrics import SUMMARY_KEYS
from sim.report import atomic_output

__all__ = ["AnalysisError", "AnalysisReport", "analyze_store", "main_effects", "point_stats", "sensitivity"]

CONFIDENCE = 0.95
MAX_LEVELS = 12
BINS = 8
SHOWN_KPIS = ("peak_members", "final_active", "retention_30d", "profit")
MAX_ROWS_SHOWN = 20
SALIB_SEED = 20240601
"""Seed of SALib's bootstrap of confidence intervals, so an analysis is repeatable."""


class AnalysisError(ValueError):
    """Bad input to the analysis (no store, unknown KPI): one line."""


@dataclass
class AnalysisReport:
    """What `analyze_store` found and wrote."""

    out: Path
    design: str
    parameters: list[str]
    kpis: list[str]
    points: pd.DataFrame
    effects: pd.DataFrame
    sensitivity: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    runs_per_point: pd.DataFrame = field(default_factory=pd.DataFrame)
    """point, parameters, runs (stored) and ok (finished ok), one row per stored point."""

    def tables(self) -> list[Table]:
        """Build the terminal's Rich tables.

        Per-point means (a grid) or their spread (a sampled design), then one table of
        sensitivity indices per KPI shown.
        """
        shown = self.kpis if len(self.kpis) <= 4 else [k for k in SHOWN_KPIS if k in self.kpis] or self.kpis[:4]
        tables = [self._points_table(shown) if self.design == "grid" else self._spread_table(shown)]
        for k in shown:
            if k in self.sensitivity:
                tables.append(self._sensitivity_table(k))
        return tables

    def _title(self) -> str:
        ok, err = self.counts.get("ok", 0), self.counts.get("error", 0)
        return f"{ok} runs ok, {err} in error"

    def _points_table(self, shown: list[str]) -> Table:
        varying = [p for p in self.parameters if self.runs_per_point[p].nunique() > 1] or self.parameters
        heads = _short_names(varying)
        table = Table(title=f"per-point mean ± 95% CI half-width ({self._title()})", title_justify="left")
        table.add_column("point", justify="right")
        for p in varying:
            table.add_column(heads[p], justify="right", overflow="fold")
        table.add_column("ok", justify="right")
        for k in shown:
            table.add_column(k, justify="right", overflow="fold")
        stats_of = {(r.point, r.kpi): r for r in self.points[self.points["kpi"].isin(shown)].itertuples()}
        for i, row in enumerate(self.runs_per_point.itertuples(index=False)):
            if i == MAX_ROWS_SHOWN:
                more = len(self.runs_per_point) - MAX_ROWS_SHOWN
                table.caption = f"… {more} more points: all in analysis/points.csv, or analyze --format csv"
                break
            record = dict(zip(self.runs_per_point.columns, row, strict=True))
            cells = [
                _fmt_value(record["point"]),
                *[_fmt_value(record[p]) for p in varying],
                f"{record['ok']}/{record['runs']}",
            ]
            for k in shown:
                r = stats_of.get((record["point"], k))
                if r is None:
                    cells.append("—")
                    continue
                half = (r.ci_high - r.ci_low) / 2 if pd.notna(r.ci_high) else None
                cells.append(_fmt_kpi(k, r.mean) + (f" ±{_fmt_kpi(k, half)}" if half is not None else ""))
            table.add_row(*cells)
        return table

    def _spread_table(self, shown: list[str]) -> Table:
        n = len(self.runs_per_point)
        table = Table(
            title=f"per-point means over {n} points ({self._title()}; all in points.csv)", title_justify="left"
        )
        for name in ("KPI", "mean", "min", "max", "median CI ±"):
            table.add_column(name, justify="left" if name == "KPI" else "right")
        for k in shown:
            df = self.points[self.points["kpi"] == k]
            half = ((df["ci_high"] - df["ci_low"]) / 2).median()
            values = (df["mean"].mean(), df["mean"].min(), df["mean"].max(), half)
            table.add_row(k, *(_fmt_kpi(k, v) for v in values))
        return table

    def _sensitivity_table(self, kpi: str) -> Table:
        frame = self.sensitivity[kpi]
        columns: tuple[tuple[str, str], ...]  # (column, its heading)
        if self.design == "sobol":
            columns = (("S1", "S1"), ("S1_conf", "±"), ("ST", "ST"), ("ST_conf", "±"))
            title = f"Sobol' indices of {kpi} (95% confidence)"
        else:
            columns = (("mu_star", "mu*"), ("mu_star_conf", "±"), ("sigma", "sigma"))
            title = f"Morris screening of {kpi} (per unit of each parameter's range)"
        table = Table(title=title, title_justify="left")
        table.add_column("parameter")
        for _, head in columns:
            table.add_column(head, justify="right")
        for row in frame.itertuples(index=False):
            if self.design == "sobol":
                cells = []
                for index in ("S1", "ST"):
                    value, conf = getattr(row, index), getattr(row, f"{index}_conf")
                    cells += [_fmt_index(value, conf), _fmt_conf(conf)]
            else:
                cells = [_fmt_value(getattr(row, c)) for c, _ in columns]
            table.add_row(row.parameter, *cells)
        if self.design == "sobol":
            table.caption = "(!) outside [0, 1] beyond its confidence interval: too few samples to read this index"
        return table


def _short_names(keys: list[str]) -> dict[str, str]:
    """Column headers: the key without its section ("threshold"), unless two keys would share one."""
    short = {k: k.rpartition(".")[2] for k in keys}
    clash = {v for v in short.values() if list(short.values()).count(v) > 1}
    return {k: (k if v in clash else v) for k, v in short.items()}


def _fmt_index(value: float, conf: float) -> str:
    """Return a Sobol' index, flagged (!) when sampling error puts it outside [0, 1] beyond its CI."""
    if not np.isfinite(value):
        return "—"
    width = conf if np.isfinite(conf) else 0.0
    flag = " (!)" if value > 1 + width or value < -width or not np.isfinite(conf) else ""
    return f"{value:.2f}{flag}"


def _fmt_conf(conf: float) -> str:
    """Return a CI half-width: two decimals, or two significant digits when smaller than 0.01 (never "0.00")."""
    if not np.isfinite(conf):
        return "—"
    return f"{conf:.2f}" if conf >= 0.01 or conf == 0 else f"{conf:.2g}"


def _fmt_kpi(kpi: str, value: Any) -> str:
    """Return a KPI value as `community-sim run` prints it: shares and rates in %, money with 2 decimals."""
    return format_kpi(kpi, value)


def _fmt_value(v: Any) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "—"
    if isinstance(v, (bool, np.bool_, str)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    v = float(v)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


# ---------------------------------------------------------------- queries


def _connect(directory: Path) -> Any:
    import duckdb

    con = duckdb.connect()
    path = str(directory / RUNS_FILE).replace("'", "''")
    con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet('{path}')")
    return con


def _q(name: str) -> str:
    """Quote an SQL identifier (parameter columns have dots in their names)."""
    return '"' + name.replace('"', '""') + '"'


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided 95% Student-t interval of a mean; NaN where n < 2."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = stats.t.ppf(0.5 + CONFIDENCE / 2, np.where(n >= 2, n - 1, np.nan))
        half = q * np.asarray(sd, dtype=float) / np.sqrt(n)
    return np.asarray(mean) - half, np.asarray(mean) + half


def point_stats(con: Any, parameters: list[str], kpis: list[str]) -> pd.DataFrame:
    """Per point and KPI: n, mean, sd, 95% CI across the point's ok runs (long format)."""
    params = ", ".join(_q(p) for p in parameters)
    values = ", ".join(f"CAST({_q(k)} AS DOUBLE) AS {_q(k)}" for k in kpis)
    sql = f"""
        WITH ok AS (SELECT point, {params}, {values} FROM runs WHERE status = 'ok'),
        long AS (UNPIVOT ok ON {", ".join(_q(k) for k in kpis)} INTO NAME kpi VALUE value)
        SELECT point, {params}, kpi, count(value) AS n, avg(value) AS mean, stddev_samp(value) AS sd
        FROM long WHERE NOT isnan(value) GROUP BY ALL ORDER BY point, kpi
    """
    df = con.execute(sql).df()
    df["ci_low"], df["ci_high"] = t_interval(df["mean"], df["sd"], df["n"])
    order = {k: i for i, k in enumerate(kpis)}
    return df.sort_values(
        ["point", "kpi"], key=lambda s: s.map(order) if s.name == "kpi" else s, kind="stable"
    ).reset_index(drop=True)


def main_effects(
    points: pd.DataFrame,
    parameters: list[str],
    kpi: str,
    design: str = "grid",
    orders: dict[str, list[Any]] | None = None,
) -> pd.DataFrame:
    """Per parameter and level: the mean of the point means and its 95% CI (see the module doc).

    In a grid the points at a level are fixed by design, so the mean's only uncertainty
    is the replicates' noise: se = sqrt(sum(sd_i^2 / n_i)) / k over the level's k points.
    In a sampled design the points are random too: se = sd(point means) / sqrt(k), or
    the replicates' se when a level (bin) holds a single point. `orders` gives the
    levels of categorical parameters in the order of the sweep file.
    """
    df = points[points["kpi"] == kpi]
    frames = []
    for p in parameters:
        x = df[p]
        numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
        if numeric and x.nunique() > MAX_LEVELS:
            bins = pd.qcut(x, BINS, duplicates="drop")
            level = x.groupby(bins, observed=True).transform("mean")
        else:
            level = x
        rows = []
        for value, g in df.groupby(level, sort=True, observed=True):
            k = len(g)
            mean = float(g["mean"].mean())
            if design != "grid" and k >= 2:
                se, dof, over = float(g["mean"].std(ddof=1)) / np.sqrt(k), k - 1, "points"
            else:
                var = (g["sd"].to_numpy(dtype=float) ** 2 / g["n"].to_numpy(dtype=float)).sum()
                se, dof, over = float(np.sqrt(var)) / k, int((g["n"] - 1).sum()), "replicates"
            half = stats.t.ppf(0.5 + CONFIDENCE / 2, dof) * se if dof >= 1 else np.nan
            rows.append(
                {
                    "kpi": kpi,
                    "parameter": p,
                    "level": value,
                    "points": k,
                    "mean": mean,
                    "se": se,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                    "over": over,
                }
            )
        order = (orders or {}).get(p)
        if order and not numeric:
            rank = {v: i for i, v in enumerate(order)}
            rows.sort(key=lambda r: rank.get(r["level"], len(rank)))
        frames.append(pd.DataFrame(rows))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def sensitivity(design: str, meta: dict[str, Any], points: pd.DataFrame, kpi: str) -> tuple[pd.DataFrame | None, str]:
    """Sobol' or Morris indices of `kpi` from the point means; (None, why) when they cannot be had."""
    parameters = list(meta["parameters"])
    n_points = int(meta["points"])
    df = points[points["kpi"] == kpi].set_index("point")["mean"]
    y = df.reindex(range(n_points)).to_numpy(dtype=float)
    missing = int(np.isnan(y).sum())
    if missing:
        return None, (
            f"{kpi}: no {design} indices: {missing} of {n_points} points have no value (not run yet, "
            "all runs in error, or the KPI is undefined there)"
        )
    if np.ptp(y) == 0:
        return None, f"{kpi}: no {design} indices: the KPI is the same at every point"
    problem = {"num_vars": len(parameters), "names": parameters, "bounds": [[0.0, 1.0]] * len(parameters)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if design == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=True, conf_level=CONFIDENCE, seed=SALIB_SEED)
            cols = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            from SALib.analyze import morris

            spec = meta["spec"]
            x = sample_unit_hypercube("morris", problem, int(spec["samples"]), int(meta["root"]))
            res = morris.analyze(problem, x, y, conf_level=CONFIDENCE, num_levels=MORRIS_LEVELS, seed=SALIB_SEED)
            cols = ("mu", "mu_star", "sigma", "mu_star_conf")
    out = pd.DataFrame({"parameter": parameters, **{c: np.asarray(res[c], dtype=float) for c in cols}})
    out.insert(0, "kpi", kpi)
    return out, ""


# ---------------------------------------------------------------- the whole analysis


def analyze_store(directory: str | Path, kpis: list[str] | None = None, *, plots: bool = True) -> AnalysisReport:
    """Analyze a sweep's results in `directory`; write DIR/analysis/ and return what was found."""
    directory = Path(directory)
    if not (directory / RUNS_FILE).is_file():
        raise AnalysisError(
            f"{directory}: no {RUNS_FILE} here; run `community-sim sweep SWEEP.toml --out {directory}` first"
        )
    manifest = read_manifest(directory) or {}
    read_runs_table(directory / RUNS_FILE)  # a damaged file is one clear error, not a DuckDB one
    meta = manifest.get("meta") or {}
    if meta.get("kind") != "sweep":
        raise AnalysisError(f"{directory}: not the results of a sweep (no sweep description in store.json)")
    parameters = list(meta["parameters"])
    design = meta["spec"]["design"]
    con = _connect(directory)
    columns = [r[0] for r in con.execute("DESCRIBE runs").fetchall()]
    available = [k for k in SUMMARY_KEYS if k in columns]
    for k in kpis or ():
        if k not in available:
            raise AnalysisError(f"--kpi: unknown KPI '{k}'; allowed: {', '.join(available)}")
    counts = dict(con.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall())
    if not counts.get("ok"):
        raise AnalysisError(f"{directory}: no run finished ok ({counts.get('error', 0)} in error); nothing to analyze")
    if kpis:
        chosen = list(dict.fromkeys(kpis))
    else:
        distinct = con.execute(
            "SELECT " + ", ".join(f"count(DISTINCT {_q(k)})" for k in available) + " FROM runs WHERE status = 'ok'"
        ).fetchone()
        chosen = [k for k, d in zip(available, distinct, strict=True) if d > 1 and k != "days"]
        if not chosen:
            raise AnalysisError(f"{directory}: no KPI varies across the runs; nothing to analyze")

    points = point_stats(con, parameters, available)
    params_sql = ", ".join(_q(p) for p in parameters)
    runs_per_point = con.execute(
        f"SELECT point, {params_sql}, count(*) AS runs, count(*) FILTER (WHERE status = 'ok') AS ok "
        "FROM runs GROUP BY ALL ORDER BY point"
    ).df()
    out = directory / "analysis"
    out.mkdir(exist_ok=True)
    report = AnalysisReport(
        out=out,
        design=design,
        parameters=parameters,
        kpis=chosen,
        points=points,
        effects=pd.DataFrame(),
        counts=counts,
        runs_per_point=runs_per_point,
    )
    _write_csv(points, out / "points.csv", report)
    varying = [p for p in parameters if runs_per_point[p].nunique() > 1] or parameters
    orders = {p: v for p, v in meta["spec"]["parameters"].items() if isinstance(v, list)}
    effects = [main_effects(points, varying, k, design, orders) for k in chosen]
    report.effects = pd.concat(effects, ignore_index=True)
    _write_csv(report.effects, out / "main_effects.csv", report)
    if plots:
        from sim.experiments.figures import plot_main_effects, plot_sensitivity

        for k, frame in zip(chosen, effects, strict=True):
            plot_main_effects(frame, varying, k, out / f"main_effects_{k}.png")
            report.files.append(f"main_effects_{k}.png")
    if design in ("sobol", "morris"):
        for k in chosen:
            table, why = sensitivity(design, meta, points, k)
            if table is None:
                report.notes.append(why)
                continue
            report.sensitivity[k] = table
            _write_csv(table, out / f"{design}_{k}.csv", report)
            if plots:
                plot_sensitivity(table, design, k, out / f"{design}_{k}.png")
                report.files.append(f"{design}_{k}.png")
    return report


def _write_csv(df: pd.DataFrame, path: Path, report: AnalysisReport) -> None:
    with atomic_output(path) as tmp:
        df.to_csv(tmp, index=False)
    report.files.append(path.name)
