"""Verification: the model, stripped to a classic mechanism, against that mechanism's ODE.

`verify("bass")` runs R replicates of scenarios/validation/bass.toml (value feedback
off), solves the mean-field ODE of the same scenario (`sim.meanfield`), and measures,
day by day and for each observable, how many standard errors of the replicate mean
the ODE lies away. The model passes when the largest deviation is at most 4.

Each case is one classic model: overrides that add a mechanism the model does not have
(a churn term in Bass, an external rate in irSIR, inflow in active-dormant) are refused
(`OutsideCaseError`) rather than compared with the wider mean-field ODE and reported as
a pass of the classic model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.meanfield import OutsideFamilyError, Rates, active_share_equilibrium, bass_closed_form, solve
from sim.model import CommunityModel
from sim.scenario import Scenario, load_scenario
from sim.scenario.presets import presets_dir

VALIDATION_DIR = presets_dir() / "validation"
CASES = {"bass": "bass.toml", "irsir": "irsir.toml", "active-dormant": "active_dormant.toml"}
THRESHOLD = 4.0
#: fewer replicates estimate the standard error too poorly for a 4-SE test over every day
MIN_REPLICATES = 10
#: the keys each case needs at 0, beyond the mean-field family: what the classic model does not have
CASE_ZEROS = {
    "bass": ("activity.decay_rate", "churn.base_rate", "churn.peer_rate"),
    "irsir": ("acquisition.external_rate", "acquisition.channel_inflow_per_day", "activity.decay_rate"),
    "active-dormant": (
        "acquisition.external_rate",
        "acquisition.channel_inflow_per_day",
        "acquisition.referral_rate",
        "churn.base_rate",
        "churn.peer_rate",
    ),
}
CASE_NAMES = {"bass": "Bass (1969)", "irsir": "irSIR", "active-dormant": "active-dormant"}


class OutsideCaseError(OutsideFamilyError):
    """The scenario is in the mean-field family but not the classic model of its case."""


def case_violations(case: str, sc: Scenario) -> list[str]:
    """List the keys that keep `sc` out of the classic model of `case`, one 'key = value (needs 0)' each."""
    out = []
    for key in CASE_ZEROS[case]:
        section, name = key.split(".")
        value = getattr(getattr(sc, section), name)
        if value != 0:
            out.append(f"{key} = {value} (needs 0)")
    return out


@dataclass
class Verification:
    """The outcome of one verification: per day and observable, ABM mean, SE, ODE and deviation."""

    case: str
    scenario: Scenario
    replicates: int
    table: pd.DataFrame  # day, observable, abm_mean, abm_se, abm_low, abm_high, ode, z
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def max_z(self) -> float:
        """Largest deviation of the ABM mean from the ODE, in standard errors."""
        return float(self.table["z"].max())

    @property
    def worst(self) -> tuple[str, int]:
        """(observable, day) of the largest deviation."""
        row = self.table.loc[self.table["z"].idxmax()]
        return str(row["observable"]), int(row["day"])

    @property
    def passed(self) -> bool:
        """True when the ABM mean stays within THRESHOLD standard errors of the ODE."""
        return self.max_z <= THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        observable, day = self.worst
        return {
            "case": self.case,
            "replicates": self.replicates,
            "days": int(self.table["day"].max()),
            "max_deviation_se": self.max_z,
            "worst_observable": observable,
            "worst_day": day,
            "threshold_se": THRESHOLD,
            "passed": self.passed,
            "checks": self.checks,
        }


def observables(case: str, counts: pd.DataFrame, pool: float) -> dict[str, np.ndarray]:
    """Return the series compared for `case`, from counts by stage (ABM metrics or ODE solution)."""
    if case == "bass":
        return {"adopters share F": 1.0 - counts["potential"].to_numpy() / pool}
    if case == "irsir":
        return {
            "S (potential share)": counts["potential"].to_numpy() / pool,
            "I (member share)": counts["members"].to_numpy() / pool,
            "R (left share)": counts["left"].to_numpy() / pool,
        }
    members = counts["members"].to_numpy(dtype=float)
    engaged = counts["engaged"].to_numpy(dtype=float)
    return {"active share a": np.divide(engaged, members, out=np.zeros_like(engaged), where=members > 0)}


def _abm_counts(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "potential": df["potential"],
            "members": df["members"],
            "engaged": df["new"] + df["active"],
            "left": df["left"] + df["kicked"],
        }
    )


def verify(
    case: str, overrides: dict[str, Any] | None = None, replicates: int = 30, scenario_dir: Path = VALIDATION_DIR
) -> Verification:
    """Run `replicates` replicates of a validation scenario and compare them with its ODE.

    Replicate seeds are spawned from the scenario's `run.seed` (SeedSequence). Raises
    `ScenarioError` for bad overrides, `meanfield.OutsideFamilyError` when the
    overrides take the scenario out of the reduced family and `OutsideCaseError` when
    they take it out of the case's classic model (see `CASE_ZEROS`).
    """
    if case not in CASES:
        raise ValueError(f"unknown case '{case}'; allowed values: {', '.join(CASES)}")
    if replicates < MIN_REPLICATES:
        raise ValueError(f"replicates must be >= {MIN_REPLICATES} to estimate standard errors, got {replicates}")
    sc = load_scenario(scenario_dir / CASES[case], overrides=overrides)
    ode = solve(sc)  # refuses scenarios outside the family before any run
    problems = case_violations(case, sc)
    if problems:
        raise OutsideCaseError(f"outside the {CASE_NAMES[case]} case: " + "; ".join(problems))
    pool = float(sc.population.potential_pool)
    runs = []
    for child in np.random.SeedSequence(sc.run.seed).spawn(replicates):
        df = CommunityModel(sc, rng=child, data_system=False).run(sc.run.days).metrics()
        runs.append(observables(case, _abm_counts(df), pool))
    expected = observables(case, ode, pool)
    days = np.arange(1, sc.run.days + 1)
    floor = 1.0 / (pool * math.sqrt(replicates))  # one person, averaged over the replicates
    frames = []
    for name, ode_series in expected.items():
        x = np.array([r[name] for r in runs])
        mean = x.mean(axis=0)
        se = np.maximum(x.std(axis=0, ddof=1) / math.sqrt(replicates), floor)
        frames.append(
            pd.DataFrame(
                {
                    "day": days,
                    "observable": name,
                    "abm_mean": mean,
                    "abm_se": se,
                    "abm_low": np.quantile(x, 0.05, axis=0),
                    "abm_high": np.quantile(x, 0.95, axis=0),
                    "ode": ode_series[1:],
                    "z": np.abs(mean - ode_series[1:]) / se,
                }
            )
        )
    result = Verification(case, sc, replicates, pd.concat(frames, ignore_index=True))
    result.checks = _checks(case, sc, ode, result.table)
    return result


def _checks(case: str, sc: Scenario, ode: pd.DataFrame, table: pd.DataFrame) -> dict[str, Any]:
    """Case-specific checks: closed form (Bass), invariant and peak (irSIR), threshold (active-dormant)."""
    rates = Rates.of(sc)
    days = ode["day"].to_numpy()
    if case == "bass":
        out: dict[str, Any] = {"p": rates.external, "q": rates.referral}
        if sc.population.initial_members == 0 and sc.population.initial_left == 0 and rates.external > 0:
            closed = bass_closed_form(rates.external, rates.referral, days)
            out["ode_vs_closed_form_max_abs"] = float(np.abs(closed - 1 + ode["potential"] / rates.pool).max())
        return out
    if case == "irsir":
        return _irsir_checks(sc, rates, table)
    a_star = active_share_equilibrium(rates.reactivation, rates.peer_reactivation, rates.decay)
    a = table["abm_mean"].to_numpy()
    return {
        "g": rates.decay,
        "b": rates.peer_reactivation,
        "r": rates.reactivation,
        "equilibrium_active_share": a_star,
        "ode_final_active_share": float(ode["active_share"].iloc[-1]),
        "abm_final_active_share": float(a[-1]),
    }


def _irsir_checks(sc: Scenario, rates: Rates, table: pd.DataFrame) -> dict[str, Any]:
    """Members peak where b S = beta_0 M + v R; with beta_0 = 0, S R^(b/v) is invariant.

    The invariant holds only without constant recovery (beta_0 = 0), with contagious
    leaving (v > 0) and R(0) > 0, so it is reported only then.
    """
    b, v, base, pool = rates.referral, rates.peer_leave, rates.base_leave, rates.pool
    out: dict[str, Any] = {"b": b, "v": v, "beta_0": base}
    fine = solve(sc, points_per_day=100)
    s_f, r_f, i_f = (fine[c].to_numpy() for c in ("potential", "left", "members"))
    series = {name[0]: g["abm_mean"].to_numpy() * pool for name, g in table.groupby("observable")}
    s_a, r_a, i_a = series["S"], series["R"], series["I"]
    if v > 0 and base == 0 and r_f[0] > 0:
        inv = s_f * r_f ** (b / v)
        out["ode_invariant_drift"] = float(np.abs(inv / inv[0] - 1).max())
        both = (s_a >= 0.005 * pool) & (r_a >= 0.005 * pool)
        if both.any():  # S R^(b/v) of the ABM mean, where both are resolved
            inv_a = s_a[both] * r_a[both] ** (b / v)
            out["abm_invariant_drift_where_resolved"] = float(np.abs(inv_a / inv[0] - 1).max())
    if v > 0 or base > 0:  # members peak (otherwise they grow until S runs out)
        out["ode_peak_day"] = float(fine["day"].iloc[i_f.argmax()])
        out["ode_day_peak_condition"] = _crossing(fine["day"].to_numpy(), b * s_f - base * pool - v * r_f)
        out["abm_peak_day"] = int(i_a.argmax()) + 1
        out["abm_day_peak_condition"] = _crossing(
            np.arange(1, s_a.size + 1, dtype=float), b * s_a - base * pool - v * r_a
        )
    return out


def _crossing(t: np.ndarray, x: np.ndarray) -> float | None:
    """First time x changes sign from positive to non-positive, linearly interpolated."""
    down = np.flatnonzero((x[:-1] > 0) & (x[1:] <= 0))
    if down.size == 0:
        return None
    i = int(down[0])
    return float(t[i] + (t[i + 1] - t[i]) * x[i] / (x[i] - x[i + 1]))


def plot(result: Verification, path: str | Path) -> Path:
    """Save a figure: per observable, the ABM's replicate band and mean over the ODE curve."""
    # a bare Figure: no pyplot, so the caller's backend (a notebook's inline one) is left alone
    from matplotlib.figure import Figure

    from sim.report.fonts import use_cjk_fonts

    use_cjk_fonts()
    names = list(dict.fromkeys(result.table["observable"]))
    fig = Figure(figsize=(max(5.2 * len(names), 9.0), 4.3))
    axes = fig.subplots(1, len(names), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        t = result.table[result.table["observable"] == name]
        ax.fill_between(
            t["day"],
            t["abm_low"],
            t["abm_high"],
            color="tab:blue",
            alpha=0.2,
            label=f"ABM 5-95% of {result.replicates} runs",
        )
        ax.fill_between(
            t["day"],
            t["abm_mean"] - 1.96 * t["abm_se"],
            t["abm_mean"] + 1.96 * t["abm_se"],
            color="tab:blue",
            alpha=0.45,
            label="ABM mean ± 1.96 SE",
        )
        ax.plot(t["day"], t["ode"], color="black", lw=1.4, ls="--", label="mean-field ODE")
        ax.set_title(name)
        ax.set_xlabel("day")
        ax.set_ylabel("share of the pool" if "share" not in name or "active" not in name else "share of members")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    verdict = "passes" if result.passed else "FAILS"
    observable, day = result.worst
    fig.suptitle(  # two lines, so the title fits a one-panel figure too
        f"{result.case}: largest deviation {result.max_z:.2f} SE ({observable}, day {day})\n"
        f"{verdict} the {THRESHOLD:g} SE test"
    )
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    tmp.replace(path)
    return path
