"""The files a fit writes: posterior draws, table, fit.json, pair plot, fit plot and calibrated scenario."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from sim.calibration.fit import FitResult, bands, dumps, result_json
from sim.report import atomic_output
from sim.scenario.presets import preset

__all__ = ["FILES", "calibrated_toml", "plot_fit", "plot_pairs", "write_outputs"]

FILES = (
    "posterior.csv",
    "parameters.csv",
    "predictive.csv",
    "fit.json",
    "pairs.png",
    "fit.png",
    "calibrated.toml",
)


def write_outputs(result: FitResult, out: str | Path) -> list[Path]:
    """Write every file of `FILES` into `out`, all or none (each beside its target, renamed at the end)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = result.spec.observations.observables
    with ExitStack() as stack:
        tmp = {name: stack.enter_context(atomic_output(out / name)) for name in FILES}
        result.posterior.to_csv(tmp["posterior.csv"], index=False)
        result.table.to_csv(tmp["parameters.csv"], index=False)
        bands(result.predictive, names).to_csv(tmp["predictive.csv"], index=False)
        tmp["fit.json"].write_text(dumps(result_json(result)), encoding="utf-8")
        plot_pairs(result, tmp["pairs.png"])
        plot_fit(result, tmp["fit.png"])
        tmp["calibrated.toml"].write_text(calibrated_toml(result, out / "calibrated.toml"), encoding="utf-8")
    result.files = list(FILES)
    return [out / name for name in FILES]


def calibrated_toml(result: FitResult, target: Path) -> str:
    """Return the calibrated scenario: the base scenario extended with the fixed values and the posterior medians."""
    spec = result.spec
    base = str(spec.base)
    if preset(base) is not None and not Path(base).is_file():
        extends = base.removesuffix(".toml")
    else:
        extends = os.path.relpath(spec.base_path, target.resolve().parent)
    values: dict[str, object] = {**dict(spec.overrides), **result.medians()}
    sections: dict[str, dict[str, object]] = {}
    top: dict[str, object] = {}
    for key, value in values.items():
        section, _, name = key.partition(".")
        if name:
            sections.setdefault(section, {})[name] = value
        else:
            top[section] = value
    lines = [
        "# Calibrated by `community-sim fit` to "
        + Path(spec.observations.source).name
        + f" ({spec.observations.days} days from {spec.observations.start}).",
        "# Fitted values are posterior medians; their 90% credible intervals:",
    ]
    for row in result.table.itertuples():
        lines.append(f"#   {row.parameter}: {row.q05:.4g} to {row.q95:.4g} (identified: {row.identified})")
    lines += [
        f"extends = {_toml(extends)}",
        f"name = {_toml('calibrated ' + Path(spec.observations.source).stem)}",
        f"description = {_toml('fitted to ' + Path(spec.observations.source).name)}",
    ]
    lines += [f"{k} = {_toml(v)}" for k, v in top.items()]
    for section, items in sections.items():
        lines.append("")
        lines.append(f"[{section}]")
        lines += [f"{k} = {_toml(v)}" for k, v in items.items()]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    text = str(value)
    try:
        float(text)
        return text
    except ValueError:
        pass
    if text in ("true", "false"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plot_pairs(result: FitResult, path: Path) -> None:
    """Plot the posterior in pairs: histograms on the diagonal, draws below it, correlations above."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples, spec = result.posterior, result.spec
    k = len(spec.parameters)
    fig, axes = plt.subplots(k, k, figsize=(2.6 * k + 0.6, 2.6 * k + 0.4), squeeze=False)
    for i, pi in enumerate(spec.parameters):
        for j, pj in enumerate(spec.parameters):
            ax = axes[i][j]
            if i == j:
                ax.hist(samples[pi.key], bins=30, range=(pi.low, pi.high), color="#4878a8")
                for q in np.quantile(samples[pi.key], [0.05, 0.5, 0.95]):
                    ax.axvline(q, color="#c44e52", lw=1, ls="-" if q == np.median(samples[pi.key]) else "--")
                ax.set_yticks([])
            elif i > j:
                ax.scatter(samples[pj.key], samples[pi.key], s=2, alpha=0.25, color="#4878a8", rasterized=True)
                ax.set_xlim(pj.low, pj.high)
                ax.set_ylim(pi.low, pi.high)
            else:
                r = result.correlation.loc[pi.key, pj.key]
                ax.text(0.5, 0.5, f"r = {r:+.2f}", ha="center", va="center", fontsize=12, transform=ax.transAxes)
                ax.set_axis_off()
            if i == k - 1:
                ax.set_xlabel(pj.key, fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(pi.key, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle("posterior (range given = axes); red: median and 90% interval", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)
    plt.close(fig)


def plot_fit(result: FitResult, path: Path) -> None:
    """Plot the data against the posterior-predictive median and its 50% and 90% bands, one panel per observable."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    obs = result.spec.observations
    names = obs.observables
    b = bands(result.predictive, names)
    cols = min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        ax.fill_between(b["day"], b[f"{name}_q05"], b[f"{name}_q95"], color="#4878a8", alpha=0.2, label="90%")
        ax.fill_between(b["day"], b[f"{name}_q25"], b[f"{name}_q75"], color="#4878a8", alpha=0.35, label="50%")
        ax.plot(b["day"], b[f"{name}_q50"], color="#4878a8", lw=1.2, label="median")
        ax.plot(obs.daily["day"], obs.daily[name], ".", ms=2.5, color="black", label="data")
        share = result.coverage.get(name, float("nan"))
        ax.set_title(f"{name} (data inside the 90% band on {share:.0%} of days)", fontsize=8)
        ax.set_xlabel("day", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_axis_off()
    axes.flat[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"{Path(obs.source).name}: data and posterior-predictive bands", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)
    plt.close(fig)
