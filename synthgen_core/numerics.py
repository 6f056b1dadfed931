"""Numerical helpers shared by the transforms and the models."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

#: Smallest eigenvalue :func:`nearest_correlation` leaves by default.
EIGEN_FLOOR = 1e-4


def safe_moments(
    values: npt.NDArray[np.float64], weights: npt.NDArray[np.float64] | None = None
) -> tuple[float, float]:
    """Mean and standard deviation of ``values`` (weighted) for any float64 magnitude.

    Computed on the values divided by their largest magnitude: the squares of 1e160
    overflow and those of 1e-200 underflow, though every such value is a valid float64.
    """
    magnitude = float(np.abs(values).max()) if values.size else 0.0
    magnitude = magnitude or 1.0
    unit = values / magnitude
    mean = float(np.average(unit, weights=weights))
    spread = float(np.sqrt(np.average((unit - mean) ** 2, weights=weights)))
    return mean * magnitude, spread * magnitude


def nearest_correlation(matrix: np.ndarray, floor: float = EIGEN_FLOOR) -> np.ndarray:
    """A positive definite matrix with unit diagonal close to ``matrix``.

    Eigenvalues are floored at ``floor``, so the result can be inverted.
    """
    if matrix.size == 0:
        return matrix
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    repaired = (vectors * np.maximum(values, floor)) @ vectors.T
    scale = np.sqrt(np.diag(repaired))
    repaired = repaired / np.outer(scale, scale)
    np.fill_diagonal(repaired, 1.0)
    return np.asarray(repaired, dtype=np.float64)


def truncated_normal(
    mean: np.ndarray,
    sd: float,
    low: float | np.ndarray,
    high: float | np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draws of N(mean, sd^2) restricted to ``(low, high)`` (per row, or shared), by inversion.

    An interval in the upper tail is reflected into the lower tail, where ``ndtr`` keeps
    full relative precision, so even a 1-in-10^9 category is drawn correctly.
    """
    alpha, beta = (low - mean) / sd, (high - mean) / sd
    flip = alpha > 0
    lo, hi = np.where(flip, -beta, alpha), np.where(flip, -alpha, beta)
    p_lo, p_hi = special.ndtr(lo), special.ndtr(hi)
    u = rng.random(mean.shape)
    with np.errstate(divide="ignore"):
        x = special.ndtri(p_lo + u * (p_hi - p_lo))
    x = np.where(p_hi > p_lo, x, hi)  # both bounds beyond float precision: the nearer one
    x = np.clip(x, lo, hi)
    return mean + sd * np.where(flip, -x, x)


def gibbs_truncated_normal(
    scores: np.ndarray,
    mean: np.ndarray,
    precision: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
    *,
    columns: list[int],
    sweeps: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Gibbs sweeps towards N(mean, cov) truncated to a box, on ``scores`` (N, K) in place.

    Each of ``columns`` is redrawn from its full conditional, every row at once; the other
    columns stay as they are. ``precision`` is the inverse of ``cov``; ``bounds`` is (low,
    high), shared (K,) or per row (N, K).
    """
    low, high = bounds
    for _ in range(sweeps):
        for k in columns:
            diagonal = precision[k, k]
            others = (
                scores @ precision[k] - mean @ precision[k] - (scores[:, k] - mean[k]) * diagonal
            )
            conditional = mean[k] - others / diagonal
            scores[:, k] = truncated_normal(
                conditional, 1.0 / np.sqrt(diagonal), low[..., k], high[..., k], rng
            )
    return scores
