"""Closed-form fits of the parametric marginals, on standardised values (mean 0, std 1).

Maximum likelihood for beta, gamma or the truncated normal needs an optimiser per column
(the reason other copula libraries spend a minute fitting adult); moments give estimates
in microseconds that are as good for choosing a family by KS distance and for sampling.
Each fit returns scipy's ``(shape parameters, loc, scale)``; bounded families get the
observed range padded by one average gap, so the extreme values keep positive density.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from scipy import special

Family = Literal["norm", "truncnorm", "beta", "gamma", "uniform"]
FitResult = tuple[tuple[float, ...], float, float]


def _padded_range(t: np.ndarray) -> tuple[float, float]:
    low, high = float(t.min()), float(t.max())
    pad = (high - low) / max(t.size, 1)
    return low - pad, high + pad


def _fit_norm(t: np.ndarray) -> FitResult:
    return (), float(t.mean()), max(float(t.std()), 1e-6)


def _fit_uniform(t: np.ndarray) -> FitResult:
    low, high = _padded_range(t)
    return (), low, max(high - low, 1e-6)


def _fit_beta(t: np.ndarray) -> FitResult:
    low, high = _padded_range(t)
    y = (t - low) / max(high - low, 1e-6)
    mean, var = float(y.mean()), max(float(y.var()), 1e-12)
    common = max(mean * (1 - mean) / var - 1.0, 1e-3)
    return (max(mean * common, 1e-3), max((1 - mean) * common, 1e-3)), low, max(high - low, 1e-6)


def _fit_gamma(t: np.ndarray) -> FitResult:
    low, _ = _padded_range(t)
    y = t - low
    mean, var = max(float(y.mean()), 1e-6), max(float(y.var()), 1e-12)
    return (max(mean**2 / var, 1e-3),), low, var / mean


def _fit_truncnorm(t: np.ndarray) -> FitResult:
    """Moment matching by fixed-point steps on the untruncated (mu, sigma)."""
    low, high = _padded_range(t)
    target_mean, target_var = float(t.mean()), max(float(t.var()), 1e-12)
    mu, sigma = target_mean, np.sqrt(target_var)
    for _ in range(30):
        mean, var = _truncated_moments(mu, sigma, low, high)
        mu = float(np.clip(mu + target_mean - mean, -50.0, 50.0))
        sigma = float(np.clip(sigma * np.sqrt(target_var / max(var, 1e-12)), 1e-3, 1e3))
    return ((low - mu) / sigma, (high - mu) / sigma), mu, sigma


def _truncated_moments(mu: float, sigma: float, low: float, high: float) -> tuple[float, float]:
    """Mean and variance of N(mu, sigma^2) truncated to [low, high] (closed form)."""
    alpha, beta = (low - mu) / sigma, (high - mu) / sigma
    mass = max(float(special.ndtr(beta) - special.ndtr(alpha)), 1e-300)
    pdf_a, pdf_b = (float(np.exp(-0.5 * v * v) / np.sqrt(2 * np.pi)) for v in (alpha, beta))
    ratio = (pdf_a - pdf_b) / mass
    var = sigma**2 * (1 + (alpha * pdf_a - beta * pdf_b) / mass - ratio**2)
    return mu + sigma * ratio, var


FITTERS: dict[Family, Callable[[np.ndarray], FitResult]] = {
    "norm": _fit_norm,
    "truncnorm": _fit_truncnorm,
    "beta": _fit_beta,
    "gamma": _fit_gamma,
    "uniform": _fit_uniform,
}
