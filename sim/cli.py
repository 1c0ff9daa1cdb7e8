"""The `community-sim` command line (also `python -m sim`).

One typer app, one function per sub-command: `run`, `sweep`, `analyze`, `compare`,
`verify`, `viz`, `keys`, `kpis`, `fit` and `forecast`, each a function decorated with `@app.command()` that reuses the
shared options (`SetOption`, ...) and helpers (`parse_overrides`, `load`, `fail`,
`run_stored_jobs`) below. Commands that need `sim.experiments` (Dask, Parquet,
DuckDB, SALib), the report or the viz import them only when they run.

Error policy: bad input (a malformed `--set`, an unknown scenario key, a bad
value, a missing file, an out-of-range option, a request larger than the memory)
prints one line `error: ...` on stderr and exits with status 2, never a traceback.
Exit codes: 0 ok; 1 a run or check failed (`verify` beyond tolerance, results that
cannot be written); 2 bad input; 130 interrupted (Ctrl-C). Anything else that goes
wrong is a bug and propagates with its normal traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import sim
from sim.kpis import DAILY, SUMMARY, format_kpi, jsonable
from sim.kpis import kpi as registry_entry
from sim.model import ENGINES
from sim.report import atomic_output
from sim.resources import MAX_REPLICATES, MAX_WORKERS, ResourceError, check_memory, run_memory
from sim.scenario import ScenarioError
from sim.scenario.schema import MAX_DAYS, MAX_SEED

__all__ = ["app", "format_kpi", "jsonable", "kpi_rows", "main", "parse_overrides"]

USAGE_ERROR = 2
"""Exit status for bad input, as click/typer use for usage errors."""

IO_ERROR = 1
"""Exit status when results cannot be written (disk full, permissions...)."""


def _no_argument_types() -> None:
    """Show arguments by name alone: typer >= 0.20 appends their Python type (`<path>`) in --help."""
    from typer.core import TyperArgument

    if hasattr(TyperArgument, "display_type_rich"):
        TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


_no_argument_types()

app = typer.Typer(
    name="community-sim",
    help="Agent-based simulator of online communities.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # bugs show a plain Python traceback
    rich_markup_mode=None,  # plain click help: metavars as written (N, FILE), no Python types
    epilog="\b\nExamples:\n  community-sim run scenarios/baseline.toml\n  community-sim keys population",
)

INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""


def examples(*lines: str) -> str:
    """Return the epilog of a command's --help: one or two real invocations."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def _show_version(value: bool) -> None:
    """Print the installed version (`--version`) and stop."""
    if value:
        typer.echo(f"community-sim {sim.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Agent-based simulator of online communities.

    (A callback keeps `run` a named sub-command even while it is the only one.)
    """


# ---------------------------------------------------------------- shared options

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override one scenario value, e.g. --set moderation.ad_policy=kick "
        "(repeatable; VALUE is a TOML literal, bare words are strings).",
        show_default=False,
    ),
]
DaysOption = Annotated[
    int | None,
    typer.Option(
        "--days",
        metavar="N",
        help=f"Days to simulate (1 to {MAX_DAYS}). Default: the scenario's run.days.",
        show_default=False,
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        metavar="N",
        help=f"Worker processes of the local Dask cluster (1 to {MAX_WORKERS}; 1 = run in this process). "
        "Default: the number of cores.",
        show_default=False,
    ),
]
MaxMemoryOption = Annotated[
    str | None,
    typer.Option(
        "--max-memory",
        metavar="SIZE",
        help="Memory the request may use, e.g. 16GB; requests estimated above it are refused before they start. "
        "Default: $COMMUNITY_SIM_MAX_MEMORY, else the memory available (MemAvailable).",
        show_default=False,
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Run on an existing Dask cluster, e.g. "
        "tcp://host:8786. Default: $DASK_SCHEDULER_ADDRESS, unless --workers is given.",
        show_default=False,
    ),
]
SeedOption = Annotated[
    int | None,
    typer.Option(
        "--seed", metavar="N", help="Random seed (>= 0). Default: the scenario's run.seed.", show_default=False
    ),
]


# ---------------------------------------------------------------- shared helpers


def fail(message: str, code: int = USAGE_ERROR) -> NoReturn:
    """Print `error: <message>` as exactly one line on stderr and exit with `code`."""
    one_line = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    typer.echo(f"error: {one_line}", err=True)
    raise typer.Exit(code)


def parse_overrides(pairs: Sequence[str] | None) -> dict[str, str]:
    """Turn repeated `--set key=value` strings into `{key: raw value}`.

    Values stay raw strings: the scenario loader parses them as TOML literals
    and validates them against the schema. A later `--set` of the same key wins.
    Raises ValueError (one line) for an item that is not `key=value`.
    """
    overrides: dict[str, str] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--set expects KEY=VALUE (e.g. --set entry.threshold=paid), got {pair!r}")
        overrides[key] = value.strip()
    return overrides


def load(path: Path, sets: Sequence[str] | None) -> tuple[Any, dict[str, str]]:
    """Load scenario `path` with the `--set` overrides; bad input exits via `fail`."""
    try:
        overrides = parse_overrides(sets)
    except ValueError as exc:
        fail(str(exc))
    try:
        return sim.load_scenario(path, overrides=overrides, cli=True), overrides
    except ScenarioError as exc:
        fail(str(exc))


def check_min(name: str, value: int | None, minimum: int, maximum: int | None = None) -> None:
    """Exit with a one-line error if an integer option is outside [minimum, maximum]."""
    if value is None:
        return
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum:,}"
        fail(f"{name} must be {bounds}, got {value:,}")


def check_run_memory(scenario: Any, engine: str, days: int, max_memory: str | None, source: str) -> None:
    """Refuse (exit 2, one line) a run whose estimated memory exceeds the cap, before building it."""
    try:
        check_memory(
            run_memory(scenario, engine, days),
            f"{source}: a run with population.potential_pool = {scenario.population.potential_pool:,}",
            "use a smaller population.potential_pool",
            max_memory,
        )
    except (ResourceError, ValueError) as exc:
        fail(str(exc))


def kpi_table(kpis: Mapping[str, Any], title: str) -> Table:
    """Return a rich table of KPI name, formatted value and the registry's unit (`sim.kpis`)."""
    table = Table(title=title, title_justify="left")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for name, value in kpis.items():
        table.add_row(name, format_kpi(name, value), registry_entry(name).unit)
    return table


def write_results(
    out: Path,
    metrics: pd.DataFrame,
    summary: Mapping[str, Any],
    title: str,
    groups: pd.DataFrame | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Write metrics.csv, summary.json, overview.png, groups.csv (given `groups`) and `tables` into `out`, all or none.

    `tables` maps file names (e.g. "invitations.csv") to frames written beside the others.

    All or none: each file is written to a temporary beside it first; only when all are complete
    are they renamed into place, so Ctrl-C or a full disk leaves the previous results (or
    nothing), never a mix of old and new or half a file.
    """
    from contextlib import ExitStack

    from sim.report.overview import plot_overview  # matplotlib: import only when plotting

    with ExitStack() as stack:
        csv = stack.enter_context(atomic_output(out / "metrics.csv"))
        summary_json = stack.enter_context(atomic_output(out / "summary.json"))
        png = stack.enter_context(atomic_output(out / "overview.png"))
        metrics.to_csv(csv, index=False)
        if groups is not None:
            groups.to_csv(stack.enter_context(atomic_output(out / "groups.csv")), index=False)
        for name, table in (tables or {}).items():
            table.to_csv(stack.enter_context(atomic_output(out / name)), index=False)
        summary_json.write_text(json.dumps(jsonable(summary), indent=2, allow_nan=False) + "\n", encoding="utf-8")
        plot_overview(metrics, png, title=title)


def simulate(model: Any, days: int, label: str) -> None:
    """Run `model` for `days`, with a progress bar on a terminal (stderr) for runs long enough to wait for."""
    err = Console(stderr=True)
    if not err.is_terminal or days < 30:
        model.run(days=days)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"{escape(label)}: days", total=days)
        for _ in range(days):
            model.step()
            bar.advance(task)


def scheduler_address(workers: int | None, scheduler: str | None) -> str | None:
    """Return the Dask scheduler: --scheduler, else $DASK_SCHEDULER_ADDRESS unless --workers asks for a local one."""
    check_min("--workers", workers, 1, MAX_WORKERS)
    if scheduler and workers is not None:
        fail("--workers sizes the local cluster; it cannot be combined with --scheduler")
    if not scheduler and workers is None:
        return os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    return scheduler


def run_stored_jobs(
    jobs: Sequence[Any],
    store: Any,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    describe: str,
    run: Any = None,
) -> Any:
    """Run the jobs not yet in `store` on a local or remote Dask cluster (or in-process), with progress.

    Prints `describe` and the plan first; Ctrl-C and a lost scheduler keep what finished
    and say how to resume. Returns the tally of ok, error and skipped runs.
    """
    from sim.experiments import open_backend, run_jobs
    from sim.experiments.progress import RichProgress
    from sim.experiments.runner import BackendLostError

    err = Console(stderr=True)
    with store:
        todo = len(jobs) - len(store.committed_ids & {job.run_id for job in jobs})
        try:
            backend = open_backend(workers, scheduler) if todo else None
        except OSError as exc:
            fail(str(exc))
        plan = f"{todo} to run {backend.description}" if backend is not None else "nothing left to run"
        err.print(f"{describe}; {len(jobs) - todo} already stored, {escape(plan)}", soft_wrap=True)
        try:
            extra = {} if run is None else {"run": run}  # `run`: the function workers call (default run_job)
            tally = run_jobs(jobs, store, backend, progress=RichProgress(err), **extra)
        except KeyboardInterrupt:
            err.print(
                f"interrupted: {len(store)} of {len(jobs)} runs stored in {escape(str(out))}; "
                "run the same command again to resume",
                soft_wrap=True,
            )
            raise typer.Exit(INTERRUPTED) from None
        except BackendLostError as exc:
            fail(
                f"{exc}; {len(store)} of {len(jobs)} runs stored in {out}; run the same command again to resume",
                IO_ERROR,
            )
        except OSError as exc:
            fail(
                f"cannot write results to {out}: {exc.strerror or exc}; {len(store)} of {len(jobs)} runs are "
                "stored there; free space or fix permissions, then run the same command again to resume",
                IO_ERROR,
            )
        finally:
            if backend is not None:
                backend.close()
    if tally.first_error:
        err.print(f"first error: {escape(tally.first_error)}", soft_wrap=True, highlight=False)
    return tally


# ---------------------------------------------------------------- commands


@app.command(
    epilog=examples(
        "community-sim run scenarios/baseline.toml --days 365",
        "community-sim run scenarios/paid_entry.toml --set entry.fee=99 --seed 3 --out results/fee99",
    )
)
def run(
    scenario: Annotated[
        Path,
        typer.Argument(
            metavar="SCENARIO", help="Scenario TOML file, e.g. scenarios/baseline.toml.", show_default=False
        ),
    ],
    days: DaysOption = None,
    seed: SeedOption = None,
    sets: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="DIR", help="Output directory. Default: results/<scenario file stem>.", show_default=False
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            metavar="NAME",
            help="Member engine: vectorized (fast) or agents (one Mesa agent call per member).",
        ),
    ] = "vectorized",
    max_memory: MaxMemoryOption = None,
) -> None:
    """Run one scenario; write metrics.csv, groups.csv, channels.csv, data_system.csv, summary.json and overview.png.

    groups.csv has one row per group and day; channels.csv CAC, cost per retained member
    and LTV by way in and cohort; data_system.csv the seed-003 data system per day for
    the community, each group and each source. With a friendship network also
    invitations.csv (inviter, invitee, day, accepted...), cascades.csv (the invitation
    trees) and network.csv (each member's degree, friends in the group, ties and messages).
    """
    check_min("--days", days, 1, MAX_DAYS)
    check_min("--seed", seed, 0, MAX_SEED)
    if engine not in ENGINES:
        fail(f"--engine: unknown engine '{engine}'; allowed values: {', '.join(ENGINES)}")
    sc, overrides = load(scenario, sets)
    seed = sc.run.seed if seed is None else seed
    days = sc.run.days if days is None else days
    check_run_memory(sc, engine, days, max_memory, str(scenario))
    out = Path("results") / scenario.stem if out is None else out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create output directory {out}: {exc.strerror or exc}")

    from sim.network import NetworkDataError
    from sim.report.fonts import shorten

    try:
        model = sim.CommunityModel(sc, rng=seed, engine=engine)
    except NetworkDataError as exc:
        fail(f"{scenario}: {exc.key}: {exc}")
    simulate(model, days, getattr(sc, "name", None) or scenario.stem)
    metrics = model.metrics()
    kpis = dict(model.summary())

    meta = {"scenario": str(scenario), "seed": seed, "days": days, "engine": engine, "overrides": overrides}
    summary = {**meta, **{k: v for k, v in kpis.items() if k not in meta}}
    title = f"{shorten(getattr(sc, 'name', None) or scenario.stem, 70)} · seed {seed} · {days} days"
    network = model.member_network()
    tables = (
        {}
        if network is None
        else {"invitations.csv": model.invitations(), "cascades.csv": model.cascades(), "network.csv": network}
    )
    tables = {"channels.csv": model.channel_table(), "data_system.csv": model.data_system_tables(), **tables}
    try:
        write_results(out, metrics, summary, title, groups=model.group_metrics(), tables=tables)
    except OSError as exc:
        fail(f"cannot write results to {out}: {exc.strerror or exc}", IO_ERROR)

    console = Console()
    console.print(kpi_table(kpis, title))
    written = ", ".join(["metrics.csv", "groups.csv", *tables, "summary.json", "overview.png"])
    console.print(f"results written to [bold]{escape(str(out))}[/bold] ({written})", soft_wrap=True)


@app.command(
    epilog=examples(
        "community-sim sweep scenarios/sweeps/entry_x_kol_output.toml --out results/sweep --workers 2",
        "community-sim sweep scenarios/sweeps/five_levers_sobol.toml --out results/sobol --force",
    )
)
def sweep(
    sweep_file: Annotated[
        Path,
        typer.Argument(
            metavar="SWEEP_FILE",
            help="Sweep file (TOML), e.g. scenarios/sweeps/entry_x_kol_output.toml.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Results directory: runs.parquet and metrics/ (resumed if it exists).",
            show_default=False,
        ),
    ],
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Discard results in --out that belong to another (or an edited) sweep."),
    ] = False,
    max_memory: MaxMemoryOption = None,
) -> None:
    """Run every point x replicate of a sweep file; resume where a previous call stopped."""
    from sim.experiments import SweepError, SweepMismatchError, load_sweep, open_sweep_store
    from sim.experiments.runner import default_workers
    from sim.experiments.store import StoreBusy, StoreDamaged
    from sim.experiments.sweep import sweep_jobs

    scheduler = scheduler_address(workers, scheduler)
    try:
        spec = load_sweep(sweep_file)
    except SweepError as exc:
        fail(str(exc))
    concurrent = 1 if scheduler else (workers or default_workers())
    try:
        check_memory(
            spec.memory(concurrent),
            f"{sweep_file}: {spec.n_runs:,} runs, {concurrent} at a time,",
            "make the design or population.potential_pool smaller, or use fewer --workers",
            max_memory,
        )
    except (ResourceError, ValueError) as exc:
        fail(str(exc))
    for warning in spec.warnings():
        Console(stderr=True).print(f"warning: {escape(str(sweep_file))}: {escape(warning)}", soft_wrap=True)
    try:
        store = open_sweep_store(spec, out, force=force)
    except (SweepMismatchError, StoreBusy, StoreDamaged) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write results to {out}: {exc.strerror or exc}", IO_ERROR)
    jobs = sweep_jobs(spec)
    tally = run_stored_jobs(
        jobs,
        store,
        out,
        workers,
        scheduler,
        f"sweep [bold]{escape(spec.name)}[/bold]: {spec.n_points} points x {spec.replicates} "
        f"replicates = {spec.n_runs} runs",
    )
    console = Console()
    console.print(f"results in [bold]{escape(str(out))}[/bold] (runs.parquet, metrics/)", soft_wrap=True)
    console.print(tally.line(), highlight=False)


ANALYZE_FORMATS = ("table", "csv")


@app.command(
    epilog=examples(
        "community-sim analyze results/sweep",
        "community-sim analyze results/sobol --kpi total_joined --format csv > points.csv",
    )
)
def analyze(
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Results directory of a sweep (holding runs.parquet).", show_default=False),
    ],
    kpis: Annotated[
        list[str] | None,
        typer.Option(
            "--kpi",
            metavar="NAME",
            help="KPI to analyze (repeatable). Default: every KPI that varies.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="table: tables on the terminal (wrapped, never cut); csv: the per-point statistics as CSV on stdout.",
        ),
    ] = "table",
) -> None:
    """Per-point means with 95% CIs, main-effect plots and (sobol, morris) sensitivity indices."""
    from sim.experiments.analysis import AnalysisError, analyze_store
    from sim.experiments.store import StoreDamaged

    if output_format not in ANALYZE_FORMATS:
        fail(f"--format: unknown format '{output_format}'; allowed values: {', '.join(ANALYZE_FORMATS)}")
    try:
        report = analyze_store(directory, kpis)
    except (AnalysisError, StoreDamaged) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write the analysis to {directory / 'analysis'}: {exc.strerror or exc}", IO_ERROR)
    if output_format == "csv":
        typer.echo(report.points.to_csv(index=False), nl=False)
        return
    console = Console()
    for table in report.tables():
        console.print(table)
    for note in report.notes:
        console.print(note, soft_wrap=True, highlight=False)
    console.print(
        f"analysis written to [bold]{escape(str(report.out))}[/bold] ({', '.join(report.files)})", soft_wrap=True
    )


@app.command(
    epilog=examples(
        "community-sim compare scenarios/baseline.toml scenarios/paid_entry.toml --replicates 30",
        "community-sim compare scenarios/baseline.toml scenarios/kol_loss.toml --days 365 --out results/kol",
        "community-sim compare results/fit/calibrated.toml fee49.toml --posterior results/fit --out results/fee49",
    )
)
def compare(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            metavar="SCENARIO",
            help="Scenario TOML files (2 or more); the first is the reference "
            "the others are compared with, e.g. scenarios/baseline.toml scenarios/paid_entry.toml.",
            show_default=False,
        ),
    ],
    replicates: Annotated[
        int,
        typer.Option(
            "--replicates",
            metavar="N",
            help=f"Runs per scenario (2 to {MAX_REPLICATES:,}), with the same seeds in every scenario.",
        ),
    ] = 30,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            metavar="N",
            help=f"Days to simulate (1 to {MAX_DAYS}). Default: the first scenario's run.days.",
            show_default=False,
        ),
    ] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Results directory: report.html, kpis.csv, figures, runs.parquet and metrics/ (resumed if it exists).",
        ),
    ] = Path("results/compare"),
    force: Annotated[
        bool, typer.Option("--force", help="Discard results in --out that belong to another comparison.")
    ] = False,
    posterior: Annotated[
        Path | None,
        typer.Option(
            "--posterior",
            metavar="FIT_DIR",
            help="The --out directory of `community-sim fit`: run r of every scenario takes the same parameter "
            "draw from its posterior, so the intervals include the parameters' uncertainty.",
            show_default=False,
        ),
    ] = None,
    max_memory: MaxMemoryOption = None,
) -> None:
    """Run scenarios R times each with common seeds; write report.html, kpis.csv and figures."""
    from sim.experiments.compare import (
        MIN_REPLICATES,
        ComparisonError,
        ComparisonMismatchError,
        comparison_jobs,
        load_comparison,
        open_comparison_store,
    )
    from sim.experiments.runner import default_workers
    from sim.experiments.store import StoreBusy, StoreDamaged
    from sim.report.compare_report import write_report

    check_min("--replicates", replicates, MIN_REPLICATES, MAX_REPLICATES)
    check_min("--days", days, 1, MAX_DAYS)
    scheduler = scheduler_address(workers, scheduler)
    try:
        comparison = load_comparison(scenarios, replicates, days, posterior)
    except (ComparisonError, ScenarioError) as exc:
        fail(str(exc))
    concurrent = min(1 if scheduler else (workers or default_workers()), replicates * len(scenarios))
    for path in scenarios:
        scenario = sim.load_scenario(path)
        try:
            check_memory(
                run_memory(scenario, days=comparison.days) * concurrent,
                f"{path}: {concurrent} runs at a time with population.potential_pool = "
                f"{scenario.population.potential_pool:,}",
                "use a smaller population.potential_pool or fewer --workers",
                max_memory,
            )
        except (ResourceError, ValueError) as exc:
            fail(str(exc))
    try:
        store = open_comparison_store(comparison, out, force=force)
    except (ComparisonMismatchError, StoreBusy, StoreDamaged) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write results to {out}: {exc.strerror or exc}", IO_ERROR)
    jobs = comparison_jobs(comparison)
    tally = run_stored_jobs(
        jobs,
        store,
        out,
        workers,
        scheduler,
        f"compare {escape(', '.join(comparison.labels))}: {len(comparison.scenarios)} scenarios "
        f"x {replicates} replicates = {len(jobs)} runs of {comparison.days} days",
    )
    try:
        report = write_report(out)
    except OSError as exc:
        fail(f"cannot write the report to {out}: {exc.strerror or exc}", IO_ERROR)
    console = Console()
    console.print(comparison_table(report.kpis, comparison.labels))
    for line in report.lines:
        console.print(line, soft_wrap=True, highlight=False)
    names = ", ".join(path.name for path in report.files[:-1])
    console.print(
        f"report written to [bold]{escape(str(out / 'report.html'))}[/bold] ({escape(names)})", soft_wrap=True
    )
    console.print(tally.line(), highlight=False)


def comparison_table(kpis: pd.DataFrame, labels: Sequence[str]) -> Table:
    """Return the headline KPIs of a comparison: each scenario's mean, marked * / ** where it differs from the first."""
    from sim.report.wording import HEADLINE_KPIS, format_value, kpi_title

    table = Table(
        title=f"mean over runs; * p < 0.05, ** p < 0.01 against {labels[0]} (paired t-test)", title_justify="left"
    )
    table.add_column("KPI")
    for label in labels:
        table.add_column(label, justify="right")
    for kpi in [k for k in HEADLINE_KPIS if k in set(kpis["kpi"])]:
        rows = kpis[kpis["kpi"] == kpi].set_index("scenario")
        cells = []
        for i, label in enumerate(labels):
            mark = rows.loc[label, "significance"]
            suffix = f" {mark}" if i and mark in ("*", "**") else ""
            cells.append(format_value(kpi, rows.loc[label, "mean"]) + suffix)
        table.add_row(kpi_title(kpi), *cells)
    return table


VERIFY_FAILED = 1
"""Exit status when the model deviates from the ODE by more than the threshold."""


@app.command(
    epilog=examples(
        "community-sim verify bass",
        "community-sim verify irsir --replicates 50 --set churn.peer_rate=0.2 --json",
    )
)
def verify(
    case: Annotated[
        str,
        typer.Argument(metavar="CASE", help="Classic model: bass, irsir or active-dormant.", show_default=False),
    ],
    sets: SetOption = None,
    replicates: Annotated[
        int, typer.Option("--replicates", metavar="N", help=f"ABM replicates (10 to {MAX_REPLICATES:,}).")
    ] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of a table.")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="DIR", help="Directory for the figure. Default: results/verify.", show_default=False
        ),
    ] = None,
) -> None:
    """Run the ABM stripped to a classic model R times and compare it with that model's ODE.

    Exits 1 when the ABM mean deviates from the ODE by more than 4 standard errors.
    """
    from sim.meanfield import OutsideFamilyError
    from sim.validation import CASES, MIN_REPLICATES, plot
    from sim.validation import verify as run_verification

    if case not in CASES:
        fail(f"unknown case '{case}'; allowed values: {', '.join(CASES)}")
    check_min("--replicates", replicates, MIN_REPLICATES, MAX_REPLICATES)
    try:
        overrides = parse_overrides(sets)
    except ValueError as exc:
        fail(str(exc))
    try:
        result = run_verification(case, overrides, replicates=replicates)
    except ScenarioError as exc:
        fail(str(exc))
    except OutsideFamilyError as exc:
        fail(f"{CASES[case]}: {exc}")
    out = Path("results") / "verify" if out is None else out
    try:
        figure = plot(result, out / f"{case}.png")
    except OSError as exc:
        fail(f"cannot write the figure to {out}: {exc.strerror or exc}", IO_ERROR)
    summary = {**result.to_dict(), "figure": str(figure), "overrides": overrides}
    if as_json:
        typer.echo(json.dumps(jsonable(summary), indent=2))
    else:
        observable, day = result.worst
        table = Table(title=f"verify {case}: ABM ({replicates} replicates) vs mean-field ODE")
        table.add_column("check")
        table.add_column("value", justify="right")
        table.add_row("largest deviation", f"{result.max_z:.2f} SE ({observable}, day {day})")
        table.add_row("threshold", f"{summary['threshold_se']:g} SE")
        for key, value in result.checks.items():
            table.add_row(key, "—" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value))
        table.add_row("verdict", "passes" if result.passed else "FAILS")
        Console().print(table)
        Console().print(f"figure written to [bold]{escape(str(figure))}[/bold]", soft_wrap=True)
    if not result.passed:
        raise typer.Exit(VERIFY_FAILED)


VIZ_EXTRA_MISSING = "the interactive view needs the viz extra (Solara); install it with pip install -e '.[viz]'"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@app.command(
    epilog=examples(
        "community-sim viz",
        "community-sim viz scenarios/paid_entry.toml --port 8800 --set entry.fee=49",
    )
)
def viz(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            metavar="[SCENARIO]", help="Scenario TOML file. Default: scenarios/baseline.toml.", show_default=False
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", metavar="PORT", help="Port to serve on (0 = any free port).")] = 8765,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="HOST",
            help="Interface to listen on: 127.0.0.1 serves this machine only; "
            "0.0.0.0 serves every interface (anyone who can reach this machine).",
        ),
    ] = "127.0.0.1",
    seed: SeedOption = None,
    sets: SetOption = None,
) -> None:
    """Serve the interactive view of a scenario (Mesa's SolaraViz) at http://HOST:PORT.

    Levers in the sidebar (entry threshold and fee, KOL output, ad policy, admins,
    capacity and split policy, channel inflow, referral rate, seed) take effect on
    Reset; Step and play advance the run day by day. Ctrl-C stops the server.
    """
    import importlib.util
    import socket
    import sys

    if importlib.util.find_spec("solara") is None:
        fail(VIZ_EXTRA_MISSING)
    try:
        import mesa.visualization  # noqa: F401  (Solara's own imports, e.g. altair, must be there too)
    except ImportError as exc:
        fail(f"{VIZ_EXTRA_MISSING} ({exc})")
    if not 0 <= port <= 65535:
        fail(f"--port must be between 0 and 65535, got {port}")
    check_min("--seed", seed, 0, MAX_SEED)
    from sim.scenario.presets import find_scenario
    from sim.viz.app import ENV_OVERRIDES, ENV_SCENARIO, ENV_SEED
    from sim.viz.model import DEFAULT_SCENARIO

    path = DEFAULT_SCENARIO if scenario is None else scenario
    _, overrides = load(path, sets)  # a bad scenario or --set fails here, not in the browser
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        fail(f"--host: cannot resolve '{host}': {exc.strerror or exc}")
    family, _, _, _, address = infos[0]
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind(address)
            port = probe.getsockname()[1]  # the free port picked for --port 0
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")

    env = {
        **os.environ,
        ENV_SCENARIO: str((find_scenario(path) or Path(path)).resolve()),
        ENV_OVERRIDES: json.dumps(overrides),
        ENV_SEED: "" if seed is None else str(seed),
        # no calls home: Solara's telemetry off, no Font Awesome from a CDN
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_FONTAWESOME_ENABLED": "False",
    }
    argv = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.viz.app:Page",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--no-access-log",
    ]
    url_host = f"[{host}]" if ":" in host else host
    typer.echo(f"serving {path} at http://{url_host}:{port} (Ctrl-C to stop)")
    if host not in LOOPBACK_HOSTS:
        typer.echo(f"note: listening on {host}: the view is reachable from other machines", err=True)
    serve(argv, env)


@app.command(
    epilog=examples(
        "community-sim keys",
        "community-sim keys moderation",
    )
)
def keys(
    section: Annotated[
        str | None,
        typer.Argument(
            metavar="[SECTION]", help="Only this section, e.g. entry or activities. Default: all.", show_default=False
        ),
    ] = None,
) -> None:
    """List every scenario key: type, default, allowed range or choices, unit and meaning."""
    from sim.scenario.keys import key_table, sections

    try:
        rows = key_table(section)
    except KeyError:
        fail(f"unknown section '{section}'; allowed values: {', '.join(sections())}")
    table = Table(title="scenario keys (section.key in TOML, --set section.key=value)", title_justify="left")
    for name in ("key", "type", "default", "range", "unit", "meaning"):
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(row.key, row.type, row.default, row.range, row.unit, row.meaning)
    Console().print(table)


def kpi_rows(daily: bool = False) -> list[tuple[str, str, str, str]]:
    """Return (name, unit, direction, definition) of every whole-run KPI (or daily column), from `sim.kpis`."""
    return [(k.name, k.unit, k.direction, k.definition) for k in (DAILY if daily else SUMMARY)]


@app.command(epilog=examples("community-sim kpis", "community-sim kpis --daily"))
def kpis(
    daily: Annotated[
        bool, typer.Option("--daily", help="List the daily columns of metrics.csv instead of the whole-run KPIs.")
    ] = False,
) -> None:
    """List the KPIs that run, compare and analyze report (or the daily columns), with unit and definition."""
    title = "daily columns (metrics.csv)" if daily else "KPIs (summary.json, kpis.csv, runs.parquet)"
    table = Table(title=title, title_justify="left")
    for name in ("KPI", "unit", "direction", "definition"):
        table.add_column(name, overflow="fold")
    for row in kpi_rows(daily):
        table.add_row(*row)
    Console().print(table)


def serve(argv: list[str], env: dict[str, str]) -> NoReturn:
    """Replace this process with the Solara server `argv` (so Ctrl-C and signals reach it directly)."""
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, env)


# ---------------------------------------------------------------- calibration: fit, forecast


@app.command(
    epilog=examples(
        "community-sim fit my_groups.csv --scenario my_base.toml --param acquisition.referral_rate=0.005:0.05 "
        "--param activity.decay_rate=0.005:0.06 --budget 1000 --out results/fit",
        "community-sim fit my_groups.csv --scenario baseline --param churn.base_rate=0.001:0.01 --workers 2",
    )
)
def fit(
    data: Annotated[
        Path,
        typer.Argument(
            metavar="DATA.csv",
            help="Daily export: a date column and any of members, joins (joins_channel, joins_referral, "
            "joins_organic), leaves, active, messages, ad_messages, revenue; optionally a group column.",
            show_default=False,
        ),
    ],
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario", metavar="BASE", help="Base scenario (file or preset) the fit starts from.", show_default=False
        ),
    ],
    params: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            metavar="KEY=LOW:HIGH",
            help="A scenario key to fit and the range of its uniform prior (repeatable, 1 to 6 keys).",
            show_default=False,
        ),
    ] = None,
    sets: SetOption = None,
    budget: Annotated[int, typer.Option("--budget", metavar="N", help="Simulation runs the fit may do.")] = 1000,
    replicates: Annotated[
        int, typer.Option("--replicates", metavar="R", help="Runs per parameter point, with common seeds (2 to 50).")
    ] = 5,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Root of the fit's seeds (>= 0).")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Output directory (resumed if it holds this fit's runs). Default: results/fit-<data file stem>.",
            show_default=False,
        ),
    ] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Discard simulations in --out that belong to another fit.")
    ] = False,
) -> None:
    """Fit scenario parameters to an operator's daily data: posterior, diagnostics, calibrated scenario."""
    from sim.calibration import DataError, FitError, FitSpec, load_observations, parse_parameter
    from sim.calibration import fit as run_fit
    from sim.calibration.report import write_outputs
    from sim.experiments.store import StoreBusy, StoreDamaged

    check_min("--seed", seed, 0, MAX_SEED)
    scheduler = scheduler_address(workers, scheduler)
    try:
        overrides = parse_overrides(sets)
    except ValueError as exc:
        fail(str(exc))
    try:
        sim.load_scenario(scenario, overrides=overrides, cli=True)
        observations = load_observations(data)
        parameters = [parse_parameter(text, scenario, overrides) for text in params or []]
        spec = FitSpec(observations, scenario, parameters, budget, replicates, seed, overrides)
    except (DataError, FitError, ScenarioError) as exc:
        fail(str(exc))
    out = Path("results") / f"fit-{data.stem}" if out is None else out
    err = Console(stderr=True)

    def runner(jobs: list[Any], store: Any, what: str) -> None:
        run_stored_jobs(jobs, store, out, workers, scheduler, what)

    try:
        result = run_fit(spec, out, runner=runner, force=force, say=lambda line: err.print(escape(line)))
        files = write_outputs(result, out)
    except (FitError, StoreBusy, StoreDamaged) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write results to {out}: {exc.strerror or exc}", IO_ERROR)
    console = Console()
    table = Table(title=f"posterior of {len(parameters)} parameters ({result.runs} runs)", title_justify="left")
    for name in ("parameter", "median", "90% interval", "range", "identified"):
        table.add_column(name, justify="left" if name == "parameter" else "right")
    for row in result.table.itertuples():
        table.add_row(
            str(row.parameter),
            f"{row.median:.4g}",
            f"{row.q05:.4g} - {row.q95:.4g}",
            f"{row.low:g} - {row.high:g}",
            str(row.identified),
        )
    console.print(table)
    for line in result.diagnostics:
        console.print(f"- {escape(line)}", soft_wrap=True, highlight=False)
    console.print(
        f"results written to [bold]{escape(str(out))}[/bold] ({escape(', '.join(p.name for p in files))})",
        soft_wrap=True,
    )


@app.command(
    epilog=examples(
        "community-sim forecast results/fit --days 90",
        "community-sim forecast results/fit --days 90 --set entry.threshold=paid --set entry.fee=49",
    )
)
def forecast(
    fit_dir: Annotated[
        Path, typer.Argument(metavar="FIT_DIR", help="The --out directory of a finished fit.", show_default=False)
    ],
    days: Annotated[int, typer.Option("--days", metavar="N", help="Days to forecast past the data.")] = 90,
    draws: Annotated[
        int, typer.Option("--draws", metavar="N", help="Posterior draws, one run each (per scenario).")
    ] = 40,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="What-if: a lever changed from the first day after the data (repeatable); each draw then "
            "runs with and without it, with the same seed.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="Output directory. Default: FIT_DIR/forecast.", show_default=False),
    ] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Forecast a fitted community past its data, with bands from the posterior; --set adds a paired what-if."""
    from sim.calibration import FitError
    from sim.calibration.forecast import forecast as run_forecast
    from sim.calibration.forecast import write_forecast
    from sim.experiments.store import StoreBusy, StoreDamaged

    scheduler = scheduler_address(workers, scheduler)
    try:
        what_if = parse_overrides(sets)
    except ValueError as exc:
        fail(str(exc))
    target = fit_dir / "forecast" if out is None else out

    def runner(jobs: list[Any], store: Any, what: str) -> None:
        from sim.calibration.forecast import run_switched

        run_stored_jobs(jobs, store, target, workers, scheduler, what, run=run_switched)

    try:
        result = run_forecast(fit_dir, days, draws=draws, what_if=what_if, out=target, runner=runner)
        files = write_forecast(result, target)
    except (FitError, StoreBusy, StoreDamaged) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write results to {target}: {exc.strerror or exc}", IO_ERROR)
    console = Console()
    scenarios = ["calibrated", *(["what-if"] if what_if else [])]
    table = Table(title=f"forecast, {days} days past the data: median (90% interval)", title_justify="left")
    table.add_column("KPI")
    for name in scenarios + (["what-if - calibrated"] if what_if else []):
        table.add_column(name, justify="right")
    for row in result.summary.to_dict(orient="records"):
        cells = [f"{row[f'{s}_median']:,.4g} ({row[f'{s}_q05']:,.4g} - {row[f'{s}_q95']:,.4g})" for s in scenarios]
        if what_if:
            d = (row["difference_median"], row["difference_q05"], row["difference_q95"])
            cells.append(f"{d[0]:+,.4g} ({d[1]:+,.4g} - {d[2]:+,.4g})")
        table.add_row(str(row["kpi"]), *cells)
    console.print(table)
    console.print(
        f"forecast written to [bold]{escape(str(target))}[/bold] ({escape(', '.join(p.name for p in files))})",
        soft_wrap=True,
    )


# ---------------------------------------------------------------- entry point


def _click_exception_type() -> type[Exception]:
    """Click's ClickException, found without importing click by name.

    Recent typer releases vendor click (`typer._click`), older ones depend on
    it; `typer.BadParameter` derives from ClickException in both.
    """
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "ClickException":
            return cls
    return typer.BadParameter  # pragma: no cover - only if click is restructured


_ClickException = _click_exception_type()


def _click_message(exc: Exception) -> str:
    """Return a click exception's own message (its `format_message`), else the exception's text."""
    format_message = getattr(exc, "format_message", None)
    return str(format_message()) if callable(format_message) else str(exc)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console entry point: run the app, turning usage errors into one-line errors.

    Typer's standalone mode prints usage errors (`--days abc`, an unknown
    option, a missing argument) as a multi-line box; here they become
    `error: ...` on one line, exit status 2, like every other bad input.
    """
    command = typer.main.get_command(app)
    try:
        result = command.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except _ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `community-sim`: show help
            # With rich, building the error already printed the help; else it is the message.
            if text := _click_message(exc).strip():
                typer.echo(text)
            raise SystemExit(getattr(exc, "exit_code", USAGE_ERROR)) from None
        message = " ".join(_click_message(exc).split())
        typer.echo(f"error: {message}", err=True)
        raise SystemExit(getattr(exc, "exit_code", USAGE_ERROR)) from None
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("interrupted; no half-written output was left behind", err=True)
        raise SystemExit(INTERRUPTED) from None
    raise SystemExit(result if isinstance(result, int) else 0)
