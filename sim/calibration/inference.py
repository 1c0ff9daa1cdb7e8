"""The statistics of a fit: summaries, the synthetic likelihood, the posterior and its diagnostics.

Summaries. Each observable's daily series is cut into up to 4 consecutive blocks of days
and summarized by log(1 + mean over the block): a few numbers per observable that carry
its level and its trend, close to Gaussian across runs.

Likelihood (Gaussian synthetic likelihood, Wood 2010). The observed summaries s are taken
as one draw of N(mu(theta), Sigma): mu(theta) is the emulated mean over R common-random-
number replicates (`sim.calibration.emulator`), Sigma the covariance between replicates
at nearby points. The emulated mean carries the replicates' own error (Sigma / R) and the
emulator's (its predictive variance, checked against its leave-one-out errors, with their
correlation C between summaries), so the covariance used is
Sigma (1 + 1/R) + D C D, with D the diagonal of the emulator's standard deviations.

Posterior. A uniform prior on each parameter's range (the unit cube after scaling);
the posterior is sampled by adaptive importance sampling on the emulator: a quasi-random
cover of the cube, then Gaussian proposals fitted to the weighted sample (with a share of
uniform draws, so no mode is lost), until the effective sample size is large enough.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats import qmc

from sim.calibration.emulator import Emulator

__all__ = [
    "Posterior",
    "diagnose",
    "log_likelihood",
    "pooled_covariance",
    "sample_posterior",
    "summarize",
    "windows",
]

MAX_WINDOWS = 4
IDENTIFIED = 0.5
"""A parameter whose 90% interval spans less than this share of its range is identified by the data."""
UNIDENTIFIED = 0.75
"""... and one whose interval spans more than this share is not: the data hardly narrow it."""
RIDGE = 0.7
"""|posterior correlation| above which two parameters are reported as a ridge."""


def windows(days: int) -> list[tuple[int, int]]:
    """Cut days 1..days into up to 4 blocks of (nearly) equal length, each at least a week: (first, last) days."""
    k = max(1, min(MAX_WINDOWS, days // 7))
    edges = np.linspace(0, days, k + 1).round().astype(int)
    return [(int(edges[i]) + 1, int(edges[i + 1])) for i in range(k)]


def summarize(series: np.ndarray, blocks: Sequence[tuple[int, int]]) -> np.ndarray:
    """Summaries of daily series (days x observables): log1p of each block's mean, observable-major."""
    series = np.asarray(series, float)
    out = [np.log1p(series[lo - 1 : hi].mean(axis=0)) for lo, hi in blocks]
    return np.stack(out, axis=1).reshape(-1)


def pooled_covariance(groups: Sequence[np.ndarray], independent: bool = True) -> np.ndarray:
    """Covariance of the summaries between runs, pooled over points (each an array runs x summaries).

    Every variance is floored, so a summary that never varies (an observable that is
    always 0) does not make it singular. With runs of independent seeds and enough of
    them (dof >= 2d for d summaries) the estimate is scaled by dof / (dof - d - 1)
    (Hartlap et al. 2007), so that its inverse, the precision the likelihood uses, is
    unbiased: the inverse of a sample covariance is too large on average, which would
    make the posterior overconfident. Otherwise (few runs, or replicates with common
    seeds, whose residuals are alike from point to point) the correlations are shrunk
    half-way to 0 and the variances doubled: a rough guide, used by the first round only.
    """
    resid = [g - g.mean(axis=0) for g in groups if len(g) > 1]
    dof = sum(len(g) - 1 for g in groups if len(g) > 1)
    if dof < 1:
        raise ValueError("a covariance between runs needs points with at least 2 runs")
    stacked = np.concatenate(resid)
    cov = stacked.T @ stacked / dof
    d = cov.shape[0]
    raw = np.maximum(np.diag(cov), 1e-300)
    corr = np.nan_to_num(cov / np.outer(np.sqrt(raw), np.sqrt(raw)))
    np.fill_diagonal(corr, 1.0)
    var = np.maximum(np.diag(cov), VARIANCE_FLOOR)
    if independent and dof >= 2 * d:
        return corr * np.sqrt(np.outer(var, var)) * dof / (dof - d - 1)
    corr = 0.5 * corr + 0.5 * np.eye(d)
    return corr * np.sqrt(np.outer(var, var)) * 2.0


VARIANCE_FLOOR = 1e-4
"""Smallest variance of a summary (log scale: a 1% spread)."""


def log_likelihood(
    observed: np.ndarray, emulator: Emulator, x: np.ndarray, cov: np.ndarray, replicates: int
) -> np.ndarray:
    """Synthetic log-likelihood of the observed summaries at each row of `x` (unit cube)."""
    x = np.atleast_2d(x)
    base = cov * (1.0 + 1.0 / replicates)
    corr = emulator.error_correlation
    out = np.empty(len(x))
    for lo in range(0, len(x), 1024):  # bounded memory: one covariance matrix per point
        mean, var = emulator.predict(x[lo : lo + 1024])
        resid = observed[None, :] - mean
        sd = np.sqrt(var)
        chol = np.linalg.cholesky(base[None, :, :] + sd[:, :, None] * corr[None, :, :] * sd[:, None, :])
        z = np.linalg.solve(chol, resid[:, :, None])[:, :, 0]
        logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        out[lo : lo + len(mean)] = -0.5 * ((z * z).sum(axis=1) + logdet + len(observed) * math.log(2 * math.pi))
    return out


@dataclass
class Posterior:
    """Posterior draws in the unit cube (equally weighted) and how well the sampler did."""

    unit: np.ndarray
    ess: float
    evaluations: int

    def scaled(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Return the draws on the parameters' own scales."""
        return low + self.unit * (high - low)


def sample_posterior(
    observed: np.ndarray,
    emulator: Emulator,
    cov: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    draws: int = 4000,
    batch: int = 8192,
    target_ess: float = 2000.0,
    stages: int = 5,
) -> Posterior:
    """Sample the posterior under a uniform prior on the unit cube by adaptive importance sampling."""
    p = emulator.x.shape[1]
    x = qmc.Sobol(p, scramble=True, seed=rng).random_base2(int(math.log2(batch)))
    logw = log_likelihood(observed, emulator, x, cov, replicates)
    evaluations = batch
    for _ in range(stages):
        w = _normalized(logw)
        ess = 1.0 / float((w * w).sum())
        if ess >= target_ess:
            break
        mean = w @ x
        centered = x - mean
        cov_x = (centered * w[:, None]).T @ centered * 2.0 + 1e-6 * np.eye(p)
        x, logq = _proposal(mean, cov_x, batch, rng)
        logw = log_likelihood(observed, emulator, x, cov, replicates) - logq
        evaluations += batch
    w = _normalized(logw)
    ess = 1.0 / float((w * w).sum())
    picks = _systematic(w, draws, rng)
    return Posterior(x[picks], ess, evaluations)


UNIFORM_SHARE = 0.2


def _proposal(mean: np.ndarray, cov: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw from (1 - u) N(mean, cov) truncated to the cube + u Uniform(cube); return draws and log density."""
    p = len(mean)
    gauss = stats.multivariate_normal(mean, cov, allow_singular=True)
    probe = gauss.rvs(size=20000, random_state=rng).reshape(-1, p)
    inside = float(np.mean(np.all((probe >= 0) & (probe <= 1), axis=1)))
    inside = max(inside, 1e-3)
    n_gauss = rng.binomial(n, 1 - UNIFORM_SHARE)
    kept: list[np.ndarray] = []
    got = 0
    while got < n_gauss:
        cand = gauss.rvs(size=max(2 * (n_gauss - got), 256), random_state=rng).reshape(-1, p)
        cand = cand[np.all((cand >= 0) & (cand <= 1), axis=1)]
        kept.append(cand[: n_gauss - got])
        got += len(kept[-1])
    x = np.concatenate([*kept, rng.random((n - n_gauss, p))]) if kept else rng.random((n, p))
    dens = (1 - UNIFORM_SHARE) * gauss.pdf(x).reshape(-1) / inside + UNIFORM_SHARE
    return x, np.log(dens)


def _normalized(logw: np.ndarray) -> np.ndarray:
    w = np.exp(logw - logw.max())
    return w / w.sum()


def _systematic(w: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(w), positions), len(w) - 1)


# ---------------------------------------------------------------- diagnostics


def identification(width_share: float) -> str:
    """Say how well the data pin a parameter from its 90% interval's share of the range: yes, weak or no."""
    if width_share < IDENTIFIED:
        return "yes"
    if width_share <= UNIDENTIFIED:
        return "weak"
    return "no"


def diagnose(names: Sequence[str], unit: np.ndarray, ess: float) -> tuple[list[dict[str, object]], list[str]]:
    """Per-parameter identification and plain-language lines: unpinned parameters, ridges, a thin sample."""
    rows: list[dict[str, object]] = []
    lines: list[str] = []
    q05, q50, q95 = np.quantile(unit, [0.05, 0.5, 0.95], axis=0)
    for j, name in enumerate(names):
        share = float(q95[j] - q05[j]) / 0.9  # a flat posterior's 90% interval spans 0.9 of the range
        ident = identification(share)
        rows.append({"parameter": name, "width_share": min(share, 1.0), "identified": ident})
        if ident == "no":
            lines.append(
                f"{name}: not identified - the data hardly narrow it (its 90% interval covers {min(share, 1):.0%} "
                "of the range you gave); its median is not an estimate, fix it from other knowledge"
            )
        elif ident == "weak":
            lines.append(
                f"{name}: weakly identified - the data narrow it to {share:.0%} of the range; read its median with care"
            )
        edge = "lower" if q50[j] < 0.1 else "upper" if q50[j] > 0.9 else None
        if edge is not None and ident != "no":
            lines.append(f"{name}: the posterior presses on the {edge} end of the range; widen the range and fit again")
    if len(names) > 1:
        corr = np.corrcoef(unit.T)
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                r = float(corr[i, j])
                if abs(r) >= RIDGE:
                    how = "the higher one, the lower the other" if r < 0 else "they rise and fall together"
                    lines.append(
                        f"{names[i]} and {names[j]} lie on a ridge (posterior correlation {r:+.2f}: {how}); the data "
                        "pin a combination of the two better than either - another observable would separate them"
                    )
    if ess < 500:
        lines.append(f"the posterior sample is thin (effective sample size {ess:.0f}); a larger --budget helps")
    if not lines:
        lines.append("every parameter is identified and no two are strongly correlated")
    return rows, lines
