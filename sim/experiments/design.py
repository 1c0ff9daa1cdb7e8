"""Sweep files: what to vary, how many times, and the designs that place the points.

A sweep file is TOML. Its keys, all but `seed`, `name` and `description` required
(`samples` only for the sampled designs):

    base = "../baseline.toml"     # the scenario every point starts from, relative to this file
    days = 180                    # simulated days of every run
    replicates = 5                # runs per point, each with its own seed
    design = "grid"               # grid | lhs | sobol | morris
    samples = 64                  # lhs: points; sobol: N, a power of 2 (N*(2D+2) points);
                                  # morris: trajectories (samples*(D+1) points)
    seed = 7                      # optional root of the seed tree (default: a hash of the sweep)

    [parameters]                  # scenario keys (section.key) and what they take
    entry.threshold = ["free", "paid"]                 # grid: the levels; lhs/sobol/morris: categorical choices
    output.kol_posts_per_day = {min = 0.5, max = 4}    # lhs/sobol/morris only: a range

A range of an integer scenario key (say `roles.kols`) is sampled as integers, min and
max included; a range of a float key is continuous. Every value and bound is checked
by loading the base scenario with it, so a bad sweep file fails before anything runs
with one line naming the sweep file and the key (`SweepError`). Constraints between
keys (e.g. `entry.fee` > 0 when `entry.threshold = "paid"`) can only be judged on a
whole point: a point that breaks one becomes a run with status `error`.

The designs:
- grid: the Cartesian product of the levels, in the order the keys are written;
- lhs: a Latin hypercube of `samples` points (`scipy.stats.qmc.LatinHypercube`);
- sobol: Saltelli's scheme on a scrambled Sobol' sequence (`SALib.sample.sobol`, built
  on `scipy.stats.qmc.Sobol`), in exactly the order `SALib.analyze.sobol` expects;
- morris: Morris elementary-effect trajectories (`SALib.sample.morris`), for screening.
The sampled designs draw in the unit hypercube and map each column onto its parameter;
their randomness comes from the sweep's seed tree, so a sweep file always gives the
same points.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import types
import typing
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiments.seeds import design_rng, root_entropy
from sim.resources import MAX_POINTS, MAX_REPLICATES, MAX_RUNS, MAX_SAMPLES, run_memory, sweep_memory
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.loader import _parse_literal, read_toml
from sim.scenario.schema import MAX_DAYS

__all__ = [
    "DESIGNS",
    "Choices",
    "Range",
    "Sweep",
    "SweepError",
    "load_sweep",
    "sample_unit_hypercube",
]

DESIGNS = ("grid", "lhs", "sobol", "morris")
SAMPLED = ("lhs", "sobol", "morris")
MORRIS_LEVELS = 4
"""Levels of the Morris grid (SALib's default): each factor takes 4 values in [0, 1]."""
MIN_SOBOL_SAMPLES = 64
"""Smallest sobol N whose indices are worth reading: below it their bootstrap CIs are typically wider
than the indices (Saltelli et al. 2010 use N in the hundreds to thousands); `sweep` and `analyze` warn."""

REQUIRED = ("base", "days", "replicates", "design", "parameters")
OPTIONAL = ("samples", "seed", "name", "description")
RESERVED = {
    "run.seed": "the seeds come from the sweep's seed tree; vary replicates instead",
    "run.days": "set the sweep's `days` instead",
}


class SweepError(ValueError):
    """A bad sweep file: one line naming the file, the key and what is wrong."""

    def __init__(self, source: str | Path, key: str | None, problem: str) -> None:
        self.source, self.key, self.problem = str(source), key, problem
        where = f"{self.source}: " + (f"{key}: " if key else "")
        super().__init__(" ".join((where + problem).split()))


@dataclass(frozen=True)
class Range:
    """A numeric parameter drawn from [min, max]: integers (both ends included) or reals."""

    min: float
    max: float
    integer: bool

    def scale(self, u: np.ndarray) -> list[Any]:
        """Map unit-interval draws onto the range."""
        if self.integer:
            lo, hi = int(self.min), int(self.max)
            return [int(v) for v in np.clip(np.floor(lo + u * (hi - lo + 1)), lo, hi)]
        return [float(v) for v in self.min + u * (self.max - self.min)]

    def spec(self) -> dict[str, Any]:
        """Return the value as written in a sweep file."""
        return {"min": self.min, "max": self.max}


@dataclass(frozen=True)
class Choices:
    """A parameter taking one of a list of values: grid levels, or categorical choices."""

    values: tuple[Any, ...]

    def scale(self, u: np.ndarray) -> list[Any]:
        """Map unit-interval draws onto the choices, each getting an equal share of [0, 1)."""
        k = len(self.values)
        return [self.values[i] for i in np.minimum(np.floor(u * k).astype(int), k - 1)]

    def spec(self) -> list[Any]:
        """Return the choices as written in a sweep file."""
        return list(self.values)


Parameter = Range | Choices


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file: the base scenario, the levers to vary and the design."""

    path: Path
    base: Path
    """The base scenario, resolved (absolute), so workers can open it from anywhere."""
    base_text: str
    """`base` as written in the file (relative to it): part of the sweep's identity."""
    days: int
    replicates: int
    design: str
    samples: int | None
    parameters: dict[str, Parameter]
    seed: int | None = None
    name: str = ""
    description: str = ""

    # ------------------------------------------------------------ identity and seeds
    def spec(self) -> dict[str, Any]:
        """Return the sweep as plain data, independent of formatting, comments and file location."""
        return {
            "base": self.base_text,
            "days": self.days,
            "replicates": self.replicates,
            "design": self.design,
            "samples": self.samples,
            "seed": self.seed,
            "parameters": {k: p.spec() for k, p in self.parameters.items()},
        }

    @property
    def root(self) -> int:
        """Root entropy of the seed tree: `seed` if given, else a stable hash of the sweep."""
        if self.seed is not None:
            return self.seed
        return root_entropy(self.spec())

    # ------------------------------------------------------------ points
    @property
    def n_points(self) -> int:
        """Number of parameter points of the design, counted without drawing them."""
        return design_points(self.design, [_levels(p) for p in self.parameters.values()], self.samples)

    def warnings(self) -> list[str]:
        """Say what makes the sweep's results weak without making it wrong (printed by `sweep` and `analyze`)."""
        if self.design == "sobol" and int(self.samples or 0) < MIN_SOBOL_SAMPLES:
            return [
                f"samples = {self.samples} is below {MIN_SOBOL_SAMPLES}: the Sobol' indices will be unreliable "
                "(confidence intervals wider than the indices); use samples >= 64 to read them"
            ]
        return []

    def memory(self, concurrent: int) -> int:
        """Estimated peak memory (bytes) of running the sweep with `concurrent` runs at a time.

        The per-run part takes the largest potential pool any point can have.
        """
        base = load_scenario(self.base)
        pool = self.parameters.get("population.potential_pool")
        if pool is not None:
            largest = max(pool.values) if isinstance(pool, Choices) else pool.max
            base = base.model_copy(
                update={"population": base.population.model_copy(update={"potential_pool": largest})}
            )
        per_run = run_memory(base, days=self.days)
        n_values = self.n_points * max(1, len(self.parameters))
        return sweep_memory(self.n_runs, n_values, per_run, min(concurrent, self.n_runs))

    @property
    def n_runs(self) -> int:
        """Number of runs: points x replicates."""
        return self.n_points * self.replicates

    def problem(self) -> dict[str, Any]:
        """Return the SALib problem: one unit-interval factor per parameter, in file order."""
        names = list(self.parameters)
        return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}

    def unit_sample(self) -> np.ndarray:
        """Return the sampled design in the unit hypercube, one row per point (lhs, sobol, morris)."""
        if self.design not in SAMPLED:
            raise ValueError(f"design {self.design!r} has no unit sample")
        return self._unit.copy()

    @cached_property
    def _unit(self) -> np.ndarray:
        return sample_unit_hypercube(self.design, self.problem(), int(self.samples or 0), self.root)

    def points(self) -> list[dict[str, Any]]:
        """Every point of the design as overrides {scenario key: value}, in point order."""
        keys = list(self.parameters)
        if self.design == "grid":
            levels = [p.values for p in self.parameters.values()]  # type: ignore[union-attr]
            return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*levels)]
        u = self.unit_sample()
        columns = [p.scale(u[:, j]) for j, p in enumerate(self.parameters.values())]
        return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def sample_unit_hypercube(design: str, problem: dict[str, Any], samples: int, root: int) -> np.ndarray:
    """Return the points of a sampled design in [0, 1]^D, drawn from the stream of seed tree `root`.

    Deterministic: the analysis calls it again to get a Morris design's matrix.
    """
    rng = design_rng(root)
    d = problem["num_vars"]
    if design == "lhs":
        from scipy.stats import qmc

        try:
            sampler = qmc.LatinHypercube(d=d, rng=rng)
        except TypeError:  # scipy < 1.15 calls it seed
            sampler = qmc.LatinHypercube(d=d, seed=rng)
        return sampler.random(samples)
    seed = int(rng.integers(2**31 - 1))
    if design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, samples, calc_second_order=True, scramble=True, seed=seed)
    from SALib.sample import morris

    with warnings.catch_warnings():  # SALib warns that it may fall back to fewer levels; we fix 4
        warnings.simplefilter("ignore")
        return morris.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)


# ---------------------------------------------------------------- loading and validation


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; raise `SweepError` (one line) on any problem."""
    path = Path(path)
    data = read_toml(path, SweepError, "sweep")

    allowed = (*REQUIRED, *OPTIONAL)
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
            raise SweepError(path, key, f"unknown key; {hint}")
    for key in REQUIRED:
        if key not in data:
            raise SweepError(path, key, f"missing; a sweep file needs {', '.join(REQUIRED)}")

    base_text = data["base"]
    if not isinstance(base_text, str) or not base_text:
        raise SweepError(path, "base", "must be the path of a scenario file, relative to the sweep file")
    base = (path.parent / base_text).resolve()
    if not base.is_file():
        raise SweepError(path, "base", f"scenario file '{base_text}' not found (looked in {path.parent})")
    try:
        load_scenario(base)
    except ScenarioError as exc:
        raise SweepError(path, "base", str(exc)) from None

    days = _positive_int(path, "days", data["days"], maximum=MAX_DAYS)
    replicates = _positive_int(path, "replicates", data["replicates"], maximum=MAX_REPLICATES)
    design = data["design"]
    if design not in DESIGNS:
        raise SweepError(path, "design", f"{design!r} is not a design; allowed values: {', '.join(DESIGNS)}")
    samples = data.get("samples")
    if design in SAMPLED:
        if samples is None:
            raise SweepError(path, "samples", f"missing; design '{design}' needs samples (a number of points)")
        samples = _positive_int(path, "samples", samples, maximum=MAX_SAMPLES)
        if design == "sobol" and samples & (samples - 1):
            raise SweepError(
                path,
                "samples",
                f"must be a power of 2 for sobol (Sobol' balance), e.g. {_pow2_near(samples)}; got {samples}",
            )
    elif samples is not None:
        raise SweepError(path, "samples", "only lhs, sobol and morris take samples; a grid has one point per level")
    seed = data.get("seed")
    if seed is not None:
        seed = _positive_int(path, "seed", seed, minimum=0, maximum=2**63 - 1)
    for key in ("name", "description"):
        if not isinstance(data.get(key, ""), str):
            raise SweepError(path, key, "must be a string")

    raw = data["parameters"]
    if not isinstance(raw, dict) or not raw:
        raise SweepError(
            path, "parameters", 'must be a table of at least one scenario key, e.g. entry.threshold = ["free", "paid"]'
        )
    parameters = {key: _parameter(path, base, design, key, spec) for key, spec in _flatten(path, raw)}
    n_points = design_points(design, [_levels(p) for p in parameters.values()], samples)
    where = "parameters" if design == "grid" else "samples"
    if n_points > MAX_POINTS:
        raise SweepError(
            path, where, f"the {design} design has {n_points:,} points; at most {MAX_POINTS:,} are allowed"
        )
    if n_points * replicates > MAX_RUNS:
        raise SweepError(
            path,
            "replicates",
            f"{n_points:,} points x {replicates:,} replicates = {n_points * replicates:,} runs; "
            f"at most {MAX_RUNS:,} are allowed",
        )
    sweep = Sweep(
        path=path,
        base=base,
        base_text=base_text,
        days=days,
        replicates=replicates,
        design=design,
        samples=samples,
        parameters=parameters,
        seed=seed,
        name=data.get("name") or path.stem,
        description=data.get("description", ""),
    )
    if design == "morris" and sweep.n_points == 0:  # pragma: no cover - SALib always returns points
        raise SweepError(path, "samples", "the Morris design has no points")
    return sweep


def design_points(design: str, levels: list[int | None], samples: int | None) -> int:
    """Points of a design, from its parameters' level counts (None for a range) and samples.

    Counted, not drawn, so an oversized design is refused before it is built.
    """
    if design == "grid":
        return math.prod(n or 1 for n in levels)
    n = int(samples or 0)
    d = len(levels)
    if design == "sobol":
        return n * (2 * d + 2)
    if design == "morris":
        return n * (d + 1)
    return n


def _levels(parameter: Parameter) -> int | None:
    return len(parameter.values) if isinstance(parameter, Choices) else None


def _positive_int(path: Path, key: str, value: Any, minimum: int = 1, maximum: int | None = None) -> int:
    bounds = f">= {minimum}" + (f" and <= {maximum:,}" if maximum is not None else "")
    if isinstance(value, bool) or not isinstance(value, int):
        shown = ("true" if value else "false") if isinstance(value, bool) else repr(value)
        raise SweepError(path, key, f"must be an integer {bounds}, got {shown}")
    if value < minimum or (maximum is not None and value > maximum):
        raise SweepError(path, key, f"must be an integer {bounds}, got {value:,}")
    return value


def _pow2_near(n: int) -> int:
    return 1 << max(1, round(math.log2(max(n, 1))))


def _is_range(value: Any) -> bool:
    return isinstance(value, dict) and ("min" in value or "max" in value)


def _flatten(path: Path, table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """`[parameters]` as (dotted key, spec) pairs: TOML writes `entry.threshold = [...]` as nested tables."""
    out: list[tuple[str, Any]] = []
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and not _is_range(value):
            if not value:
                raise SweepError(path, f"parameters.{key}", "empty table; give a list of values or {min, max}")
            out += _flatten(path, value, f"{key}.")
        else:
            out.append((key, value))
    return out


def _parameter(path: Path, base: Path, design: str, key: str, spec: Any) -> Parameter:
    where = f"parameters.{key}"
    if key in RESERVED:
        raise SweepError(path, where, f"cannot be swept: {RESERVED[key]}")
    if isinstance(spec, list):
        if not spec:
            raise SweepError(path, where, "empty list; give at least one value")
        if len(spec) > MAX_POINTS:
            raise SweepError(path, where, f"{len(spec):,} values; at most {MAX_POINTS:,} are allowed")
        for value in spec:
            if isinstance(value, (list, dict)):
                raise SweepError(path, where, f"values must be plain TOML values, got {value!r}")
            _check_string(path, where, value)
            _check_value(path, base, key, value)
        canonical = [_canonical(v) for v in spec]
        for i, value in enumerate(canonical):
            if value in canonical[:i]:
                raise SweepError(path, where, f"repeated value {spec[i]!r} in {spec!r}; list each value once")
        return Choices(tuple(spec))
    if _is_range(spec):
        if design == "grid":
            raise SweepError(
                path, where, "a grid takes a list of values; {min, max} ranges are for lhs, sobol and morris"
            )
        extra = sorted(set(spec) - {"min", "max"})
        if extra:
            raise SweepError(path, where, f"unknown key '{extra[0]}' in range; a range has min and max")
        for bound in ("min", "max"):
            if bound not in spec:
                raise SweepError(path, where, f"range without {bound}; write {{min = .., max = ..}}")
            value = spec[bound]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise SweepError(path, where, f"{bound} must be a finite number, got {value!r}")
        lo, hi = spec["min"], spec["max"]
        if lo > hi:
            raise SweepError(path, where, f"min > max ({lo} > {hi})")
        if lo == hi:
            raise SweepError(path, where, f"min = max ({lo}); a fixed value belongs in the base scenario")
        _check_value(path, base, key, lo)
        _check_value(path, base, key, hi)
        integer = _is_integer_key(key)
        if integer and (lo != int(lo) or hi != int(hi)):  # pragma: no cover - the loader rejects 1.5 for an int
            raise SweepError(path, where, f"{key} is an integer; min and max must be integers")
        return Range(int(lo) if integer else float(lo), int(hi) if integer else float(hi), integer)
    raise SweepError(path, where, f"expected a list of values or {{min = .., max = ..}}, got {spec!r}")


def _check_value(path: Path, base: Path, key: str, value: Any) -> None:
    """Load the base scenario with `key = value`; a field-level error is an error of the sweep file.

    An error about the scenario as a whole (a constraint between keys) is left to the
    runs: with another parameter's value, the same value may be fine.
    """
    try:
        load_scenario(base, overrides={key: value})
    except ScenarioError as exc:
        if exc.key is None:
            return
        raise SweepError(path, f"parameters.{key}", exc.problem) from None


def _is_integer_key(key: str) -> bool:
    """Tell whether the scenario field at `key` is an integer (int or int | None)."""
    section, _, name = key.partition(".")
    field = Scenario.model_fields.get(section)
    model = field.annotation if field else None
    fields = getattr(model, "model_fields", {})
    annotation = fields[name].annotation if name in fields else None
    args = (
        typing.get_args(annotation)
        if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
        else (annotation,)
    )
    return int in args and float not in args


def _canonical(value: Any) -> str:
    """Return the value as a key for spotting repeats: 1 and 1.0 are the same level."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = float(value)
    return json.dumps(value, sort_keys=True)


def _check_string(path: Path, where: str, value: Any) -> None:
    """Return a quoted number or boolean ("50", "true") is a string, not the value: refuse it as the scenario would."""
    if isinstance(value, str) and not isinstance(_parse_literal(value), str):
        raise SweepError(path, where, f'"{value}" is a string; write the value without quotes')
