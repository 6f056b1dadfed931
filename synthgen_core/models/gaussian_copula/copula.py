"""The Gaussian copula itself: a latent correlation matrix and (conditional) sampling.

Every column is a monotone function of one latent standard normal coordinate; the
coordinates are jointly normal with correlation ``R``. Continuous columns observe their
coordinate (``z = Phi^-1(F(x))``), discrete ones only the interval it fell into, so the
Pearson correlation of the observed scores underestimates ``R`` (two median splits of a
correlation-0.5 pair correlate at 0.33). We undo this with Mehler's formula: for score
functions ``s_i`` with Hermite coefficients ``c_in = E[s_i(z) He_n(z)]``,

    E[s_i(z_i) s_j(z_j)] = sum_n c_in c_jn rho_ij^n / n!

which is increasing in ``rho_ij`` for monotone scores, so each latent correlation is found
by a bisection run on all pairs at once. Continuous columns have ``c = (1, 0, ...)`` and
keep their plain correlation. Second moments use pairwise-complete rows, so a column's
missing cells do not bias its correlations. The matrix is then repaired to the nearest
positive definite correlation (eigenvalue floor, unit diagonal).

Conditions are exact: a fixed numerical value fixes its coordinate (a conditional
multivariate normal for the rest); a category restricts its coordinate to the category's
interval, drawn from the truncated conditional normal (Gibbs sweeps when several
coordinates are truncated), after which the free coordinates follow the conditional
normal given all of them. No rejection loop is involved.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import special

from synthgen_core.numerics import gibbs_truncated_normal, nearest_correlation, truncated_normal

HERMITE_ORDER = 12
MIN_PAIR_ROWS = 3
GIBBS_SWEEPS = 12


def latent_correlation(scores: np.ndarray, hermite: np.ndarray) -> np.ndarray:
    """(d, d) latent correlation from (N, d) scores (NaN = missing) and (d, K) coefficients."""
    observed = ~np.isnan(scores)
    filled = np.where(observed, scores, 0.0)
    both = observed.T.astype(np.float64) @ observed  # (d, d) rows where both are observed
    moment = (filled.T @ filled) / np.maximum(both, 1.0)  # (d, d) E[s_i s_j]
    factorial = special.factorial(np.arange(1, hermite.shape[1] + 1))
    terms = np.einsum("ik,jk->ijk", hermite, hermite) / factorial  # (d, d, K)
    powers = np.arange(1, hermite.shape[1] + 1)

    def mehler(rho: np.ndarray) -> np.ndarray:
        return np.asarray(np.sum(terms * rho[..., None] ** powers, axis=-1))

    low, high = -np.ones_like(moment), np.ones_like(moment)
    for _ in range(50):
        middle = (low + high) / 2
        above = mehler(middle) > moment
        high, low = np.where(above, middle, high), np.where(above, low, middle)
    rho = (low + high) / 2
    rho = np.where(both >= MIN_PAIR_ROWS, rho, 0.0)
    rho = (rho + rho.T) / 2
    np.fill_diagonal(rho, 1.0)
    return nearest_correlation(rho)


def sample_latent(
    correlation: np.ndarray,
    num_rows: int,
    rng: np.random.Generator,
    fixed: Mapping[int, float] | None = None,
    intervals: Mapping[int, tuple[float, float]] | None = None,
) -> np.ndarray:
    """(num_rows, d) latent scores: ``fixed`` coordinates set, ``intervals`` respected."""
    fixed, intervals = dict(fixed or {}), dict(intervals or {})
    d = correlation.shape[0]
    if not fixed and not intervals:
        return np.asarray(rng.standard_normal((num_rows, d)) @ _root(correlation).T)  # (N, d)
    out = np.empty((num_rows, d))
    fixed_idx = np.array(sorted(fixed), dtype=np.intp)
    rest = np.array([i for i in range(d) if i not in fixed], dtype=np.intp)
    out[:, fixed_idx] = np.array([fixed[i] for i in fixed_idx])
    if rest.size == 0:
        return out
    mean, cov = _condition_on(correlation, fixed_idx, rest, out[0, fixed_idx])
    boxed = np.array([k for k, i in enumerate(rest) if i in intervals], dtype=np.intp)
    free = np.array([k for k, i in enumerate(rest) if i not in intervals], dtype=np.intp)
    values = np.empty((num_rows, rest.size))
    if boxed.size:
        bounds = np.array([intervals[int(rest[k])] for k in boxed])  # (T, 2)
        values[:, boxed] = _truncated_mvn(
            mean[boxed], cov[np.ix_(boxed, boxed)], bounds, num_rows, rng
        )
    if free.size:
        sub_mean, sub_cov = _condition_rows(mean, cov, boxed, free, values[:, boxed])
        noise = rng.standard_normal((num_rows, free.size)) @ _root(sub_cov).T
        values[:, free] = sub_mean + noise
    out[:, rest] = values
    return out


def _condition_on(
    correlation: np.ndarray, given: np.ndarray, rest: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean (R,) and covariance (R, R) of ``rest`` given ``given`` == ``values``."""
    if given.size == 0:
        return np.zeros(rest.size), correlation[np.ix_(rest, rest)]
    cross = correlation[np.ix_(rest, given)]  # (R, F)
    solved = np.linalg.solve(correlation[np.ix_(given, given)], np.c_[values, cross.T])
    mean = cross @ solved[:, 0]
    cov = correlation[np.ix_(rest, rest)] - cross @ solved[:, 1:]
    return mean, (cov + cov.T) / 2


def _condition_rows(
    mean: np.ndarray, cov: np.ndarray, given: np.ndarray, free: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row mean (N, U) and shared covariance (U, U) of ``free`` given rows of ``given``."""
    if given.size == 0:
        return np.broadcast_to(mean[free], (values.shape[0], free.size)), cov[np.ix_(free, free)]
    cross = cov[np.ix_(free, given)]  # (U, T)
    gain = np.linalg.solve(cov[np.ix_(given, given)], cross.T).T  # (U, T)
    row_mean = mean[free] + (values - mean[given]) @ gain.T  # (N, U)
    sub_cov = cov[np.ix_(free, free)] - gain @ cross.T
    return row_mean, (sub_cov + sub_cov.T) / 2


def _root(cov: np.ndarray) -> np.ndarray:
    """A matrix square root that tolerates the near-singular covariances of conditioning."""
    values, vectors = np.linalg.eigh(cov)
    return np.asarray(vectors * np.sqrt(np.maximum(values, 0.0)))


def _truncated_mvn(
    mean: np.ndarray, cov: np.ndarray, bounds: np.ndarray, num_rows: int, rng: np.random.Generator
) -> np.ndarray:
    """(N, T) draws of N(mean, cov) restricted to the box ``bounds`` (T, 2), by Gibbs sweeps.

    One coordinate is exact; several start from independent truncated draws and are
    refreshed coordinate by coordinate from their full conditionals (precision form).
    """
    t = mean.size
    scale = np.sqrt(np.diag(cov))
    z = np.column_stack(
        [
            truncated_normal(np.full(num_rows, mean[k]), scale[k], bounds[k, 0], bounds[k, 1], rng)
            for k in range(t)
        ]
    )
    if t == 1:
        return z
    box = (bounds[:, 0], bounds[:, 1])
    return gibbs_truncated_normal(
        z, mean, np.linalg.inv(cov), box, columns=list(range(t)), sweeps=GIBBS_SWEEPS, rng=rng
    )
