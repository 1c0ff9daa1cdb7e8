"""A Gaussian-process emulator of the model's mean summaries as a function of the fitted parameters.

With common random numbers the mean over R replicates at parameter point x moves smoothly
with x, so a Gaussian process fitted to a few hundred points predicts it between them, and
says how unsure it is (the predictive variance), which the likelihood adds to the noise.

One kernel serves every summary: the summaries are standardized, share the length scales
and the nugget (fitted by maximum marginal likelihood), and each gets its own amplitude
(whose maximum-likelihood value is closed-form). A linear trend in x is removed first.

The predictive variance is then checked against the emulator's own leave-one-out errors
(closed form, Rasmussen & Williams 2006 §5.4.2; the diagnostic of Bastos & O'Hagan 2009):
where the standardized errors are larger than the variance says, a summary's variance is
scaled up by their mean square, and the errors' correlation between summaries (which share
the points and the kernel, so they err together) is kept, so that the likelihood does not
trust a combination of summaries more than the emulator can predict it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

__all__ = ["Emulator", "fit_emulator", "matern52"]

LENGTH_BOUNDS = (0.02, 20.0)
NUGGET_BOUNDS = (1e-8, 1.0)


def matern52(a: np.ndarray, b: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Return the Matérn 5/2 correlation of every row of `a` with every row of `b` (ARD length scales)."""
    d = np.sqrt(np.maximum(((a[:, None, :] - b[None, :, :]) / lengths) ** 2, 0.0).sum(axis=-1)) * np.sqrt(5.0)
    return (1.0 + d + d * d / 3.0) * np.exp(-d)


def _design(x: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(x)), x])


@dataclass
class Emulator:
    """A fitted emulator: `predict(x)` gives the mean summaries at x and the variance of that prediction."""

    x: np.ndarray
    lengths: np.ndarray
    nugget: float
    beta: np.ndarray
    alpha: np.ndarray
    chol: np.ndarray
    amplitude: np.ndarray
    center: np.ndarray
    scale: np.ndarray
    inflation: np.ndarray
    """Per summary: mean square of the standardized leave-one-out errors, at least 1 (scales the variance)."""
    error_correlation: np.ndarray
    """Correlation of the leave-one-out errors between summaries (shrunk half-way to the identity)."""

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (mean, variance) of the summaries at the rows of `x`, each of shape (len(x), summaries)."""
        x = np.atleast_2d(x)
        mean = np.empty((len(x), self.beta.shape[1]))
        var = np.empty_like(mean)
        for lo in range(0, len(x), 2048):  # bounded memory for the cross-correlation
            part = x[lo : lo + 2048]
            k = matern52(part, self.x, self.lengths)
            mean[lo : lo + len(part)] = _design(part) @ self.beta + k @ self.alpha
            v = linalg.solve_triangular(self.chol, k.T, lower=True)
            shrink = np.clip(1.0 - (v * v).sum(axis=0), 0.0, None)
            var[lo : lo + len(part)] = shrink[:, None] * (self.amplitude * self.inflation)[None, :]
        return mean * self.scale + self.center, var * self.scale**2


def _concentrated(theta: np.ndarray, x: np.ndarray, r: np.ndarray) -> float:
    """Negative log marginal likelihood with each summary's amplitude at its optimum."""
    lengths, nugget = np.exp(theta[:-1]), np.exp(theta[-1])
    n, d = r.shape
    k = matern52(x, x, lengths) + (nugget + 1e-9) * np.eye(n)
    try:
        chol = linalg.cholesky(k, lower=True)
    except linalg.LinAlgError:
        return 1e12
    a = linalg.cho_solve((chol, True), r)
    amp = np.maximum((r * a).sum(axis=0) / n, 1e-300)
    return float(d * np.log(np.diag(chol)).sum() + 0.5 * n * np.log(amp).sum())


def fit_emulator(x: np.ndarray, y: np.ndarray, starts: int = 3, seed: int = 0) -> Emulator:
    """Fit the emulator to summaries `y` (points x summaries) at parameter points `x` (in the unit cube)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n, p = x.shape
    if n < p + 3:
        raise ValueError(f"an emulator of {p} parameters needs at least {p + 3} points, got {n}")
    center = y.mean(axis=0)
    scale = y.std(axis=0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    z = (y - center) / scale
    h = _design(x)
    beta, *_ = np.linalg.lstsq(h, z, rcond=None)
    r = z - h @ beta
    bounds = [tuple(np.log(LENGTH_BOUNDS))] * p + [tuple(np.log(NUGGET_BOUNDS))]
    rng = np.random.default_rng(seed)
    best = None
    for i in range(starts):
        start = np.r_[np.log(np.full(p, 0.5)), np.log(1e-2)] if i == 0 else [rng.uniform(*b) for b in bounds]
        res = optimize.minimize(_concentrated, np.asarray(start), args=(x, r), method="L-BFGS-B", bounds=bounds)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    lengths, nugget = np.exp(best.x[:-1]), float(np.exp(best.x[-1]))
    k = matern52(x, x, lengths) + (nugget + 1e-9) * np.eye(n)
    chol = linalg.cholesky(k, lower=True)
    alpha = linalg.cho_solve((chol, True), r)
    amplitude = np.maximum((r * alpha).sum(axis=0) / n, 1e-300)
    inflation, correlation = _leave_one_out(chol, alpha, amplitude)
    return Emulator(x, lengths, nugget, beta, alpha, chol, amplitude, center, scale, inflation, correlation)


def _leave_one_out(chol: np.ndarray, alpha: np.ndarray, amplitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return how much the leave-one-out errors exceed their predicted spread, per summary, and their correlation.

    With K the correlation matrix, the error at point i when it is left out is
    alpha_i / [K^-1]_ii and its predicted variance amplitude / [K^-1]_ii.
    """
    n, d = alpha.shape
    precision_diag = np.diag(linalg.cho_solve((chol, True), np.eye(n)))
    errors = alpha / precision_diag[:, None]
    z = errors / np.sqrt(amplitude[None, :] / precision_diag[:, None])
    inflation = np.maximum((z * z).mean(axis=0), 1.0)
    if d == 1 or n < 3:
        return inflation, np.eye(d)
    spread = z.std(axis=0)
    corr = np.eye(d)
    varying = spread > 1e-12
    if varying.sum() > 1:
        corr[np.ix_(varying, varying)] = np.corrcoef(z[:, varying].T)
    return inflation, 0.5 * corr + 0.5 * np.eye(d)
