"""A one-dimensional variational Gaussian mixture, vectorised in NumPy.

CTGAN's mode-specific normalisation (arXiv 1907.00503, section 4.2) fits a variational
Gaussian mixture per continuous column so that multi-modal columns are encoded relative to
the mode each value came from. Variational Bayes with a small Dirichlet concentration prior
(Bishop, PRML section 10.2) lets unneeded modes die instead of splitting real ones; modes
whose weight ends below a threshold are pruned.

Speed is the point of writing it here: the fit runs on a capped random sample, every step is
one pass of ``(N, K)`` array arithmetic, and a column with no more distinct values than modes
skips the mixture altogether (one exact mode per value). Point masses, single values that
hold a large share of the rows, get such exact modes too, next to the mixture of the rest;
so do values frequent among what those leave (a zero-inflated column's common amounts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma

from synthgen_core.numerics import safe_moments

FloatArray = npt.NDArray[np.float64]

#: Dirichlet concentration of the weights: small, so modes without data vanish.
WEIGHT_PRIOR = 1e-3
#: A value repeated in at least this share of the rows is a point mass (a zero-inflated
#: column's 0, a default of 40 hours a week): it gets an exact mode of its own. A Gaussian
#: bent around a spike and its sparse neighbours would put much of the spike's mass on
#: values near it that the data never hold.
ATOM_SHARE = 0.05
#: Once the point masses are set aside, a value holding ATOM_SHARE of the rows left, and at
#: least this many rows, is a point mass too. Adult's ``capital-gain`` is 0 in 92% of the
#: rows, and 15024, 7688, 7298 and 99999 hold 0.5-1.1% of all rows each but 6-13% of the
#: others: a mixture of the rest blurs them into their neighbours. The floor keeps a value
#: seen a few times in a small table in the mixture, where its neighbours share its mode.
MIN_ATOM_ROWS = 20
#: Variance floor (in standardised units) so a mode on one repeated value stays proper.
VARIANCE_FLOOR = 1e-6
MAX_ITERATIONS = 100
#: EM runs on at most this many weighted points: runs of neighbouring values with equal
#: shares of the data, each kept as (count, mean, within-variance).
MAX_POINTS = 2048
#: Standardised distance between neighbouring values that always starts a new group.
GROUP_GAP = 0.05
TOLERANCE = 1e-3


@dataclass(frozen=True)
class Modes:
    """Fitted modes of one column, heaviest first."""

    weights: FloatArray  # (K,)
    means: FloatArray  # (K,)
    stds: FloatArray  # (K,)
    #: (K,) modes that stand for one exact value: decoding puts that value back
    exact: npt.NDArray[np.bool_]


def fit_modes(values: FloatArray, max_modes: int, weight_threshold: float) -> Modes:
    """Modes of the finite ``values`` (the caller caps and samples them).

    Point masses (see :data:`ATOM_SHARE`) get exact modes of their own; the mixture is fitted
    to the other values with the modes that are left.
    """
    distinct, counts = np.unique(values, return_counts=True)
    if len(distinct) <= max_modes:
        return _exact_modes(distinct, counts)
    atoms = _atoms(counts, max_modes)
    if not atoms.any():
        return _mixture(distinct, counts, max_modes, weight_threshold)
    exact = _exact_modes(distinct[atoms], counts[atoms], spread=_snap_spread(distinct))
    rest_share = float(counts[~atoms].sum()) / float(counts.sum())
    rest = _mixture(
        distinct[~atoms],
        counts[~atoms],
        max_modes - int(atoms.sum()),
        weight_threshold / rest_share,  # the threshold is a share of the whole column
    )
    weights = np.concatenate([exact.weights * (1.0 - rest_share), rest.weights * rest_share])
    order = np.argsort(-weights, kind="stable")
    return Modes(
        weights=weights[order],
        means=np.concatenate([exact.means, rest.means])[order],
        stds=np.concatenate([exact.stds, rest.stds])[order],
        exact=np.concatenate([exact.exact, rest.exact])[order],
    )


def _atoms(counts: npt.NDArray[np.int64], max_modes: int) -> npt.NDArray[np.bool_]:
    """Which distinct values are point masses: at least ATOM_SHARE of the rows each.

    Then those at least ATOM_SHARE of the rows the first ones leave (one more pass only:
    repeated passes would peel the rest into single values until the cap below left one
    Gaussian for everything else). At most ``max_modes - 1`` of them, the heaviest, so one
    mode is left for the others.
    """
    heavy: npt.NDArray[np.bool_] = counts >= ATOM_SHARE * counts.sum()
    if heavy.any():
        left = counts[~heavy].sum()
        heavy |= (counts >= ATOM_SHARE * left) & (counts >= MIN_ATOM_ROWS)
    if heavy.sum() >= max_modes:
        order = np.argsort(-counts, kind="stable")
        heavy = np.zeros(len(counts), dtype=bool)
        heavy[order[: max_modes - 1]] = True
    return heavy


def _mixture(
    distinct: FloatArray, counts: npt.NDArray[np.int64], max_modes: int, weight_threshold: float
) -> Modes:
    """The variational mixture over sorted ``distinct`` values seen ``counts`` times."""
    if len(distinct) <= max_modes:
        return _exact_modes(distinct, counts)
    weight = counts.astype(np.float64)
    centre, scale = safe_moments(distinct, weight)
    z = (distinct - centre) / scale  # standardised: priors and floors are unit-free
    points = _compress(z, weight)
    weights, means, variances = _variational_em(points, max_modes)
    keep = weights >= weight_threshold
    keep[np.argmax(weights)] = True
    order = np.argsort(-weights[keep])
    return Modes(
        weights=(weights[keep] / weights[keep].sum())[order],
        means=(means[keep] * scale + centre)[order],
        stds=(np.sqrt(variances[keep]) * scale)[order],
        exact=np.zeros(int(keep.sum()), dtype=bool),
    )


def cover(modes: Modes, values: FloatArray, reach: float) -> Modes:
    """``modes`` plus up to two tail modes, so every value lies within ``reach`` sigmas of one.

    Then every value can be encoded without clipping.
    Outliers (fnlwgt's few huge weights) are too rare to earn a mode in the mixture, yet a
    transform that clipped them could not be inverted; values left uncovered below and above
    the median each get one wide mode spanning them.
    """
    distinct, counts = np.unique(values, return_counts=True)
    z = np.abs(distinct[:, None] - modes.means[None, :]) / modes.stds[None, :]  # (U, K)
    uncovered = z.min(axis=1) > reach
    if not uncovered.any():
        return modes
    median = np.median(values)
    extra = [
        _span_mode(distinct[side], counts[side], reach, len(values))
        for side in (uncovered & (distinct <= median), uncovered & (distinct > median))
        if side.any()
    ]
    weights = np.concatenate(
        [modes.weights * (1 - sum(w for w, _, _ in extra)), [w for w, _, _ in extra]]
    )
    return Modes(
        weights=weights,
        means=np.concatenate([modes.means, [m for _, m, _ in extra]]),
        stds=np.concatenate([modes.stds, [s for _, _, s in extra]]),
        exact=np.concatenate([modes.exact, np.zeros(len(extra), dtype=bool)]),
    )


def _span_mode(
    distinct: FloatArray, counts: npt.NDArray[np.int64], reach: float, n_values: int
) -> tuple[float, float, float]:
    """(weight, mean, std) of one mode whose reach spans ``distinct`` with a little margin."""
    low, high = float(distinct.min()), float(distinct.max())
    half = max((high - low) / 2, 1e-9 * max(1.0, abs(low)))
    return float(counts.sum()) / n_values, (low + high) / 2, half * 1.001 / reach


def _exact_modes(
    distinct: FloatArray, counts: npt.NDArray[np.int64], spread: float | None = None
) -> Modes:
    """One mode per distinct value, narrow enough that decoding snaps back to it."""
    order = np.argsort(-counts, kind="stable")
    return Modes(
        weights=(counts / counts.sum())[order].astype(np.float64),
        means=distinct[order].astype(np.float64),
        stds=np.full(len(distinct), _snap_spread(distinct) if spread is None else spread),
        exact=np.ones(len(distinct), dtype=bool),
    )


def _snap_spread(distinct: FloatArray) -> float:
    """A mode width far below the gap between any two of the sorted ``distinct`` values."""
    gaps = np.diff(distinct)
    return float(gaps.min()) / 10 if gaps.size else max(abs(float(distinct[0])), 1.0) * 1e-3


@dataclass(frozen=True)
class _Points:
    """Weighted points: ``counts`` values around ``z`` with spread ``within`` (variance)."""

    z: FloatArray  # (U,)
    counts: FloatArray  # (U,)
    within: FloatArray  # (U,)


def _compress(z: FloatArray, counts: FloatArray) -> _Points:
    """Sorted distinct values merged into at most MAX_POINTS quantile groups.

    Quantile groups follow the density, so a spike (one value repeated) keeps a group of
    its own while sparse tails share one; a gap wider than GROUP_GAP always splits. The
    within-group variance keeps the M-step exact for responsibilities constant in a group.
    """
    if len(z) <= MAX_POINTS:
        return _Points(z=z, counts=counts, within=np.zeros_like(z))
    before = np.cumsum(counts) - counts
    quantile = (before / counts.sum() * MAX_POINTS).astype(np.int64)
    starts = np.diff(quantile, prepend=-1) > 0
    starts[1:] |= np.diff(z) > GROUP_GAP  # never bridge an empty stretch between modes
    group = np.cumsum(starts) - 1
    n_g = np.bincount(group, weights=counts).astype(np.float64)
    used = n_g > 0
    mean_g = np.bincount(group, weights=counts * z)[used] / n_g[used]
    square_g = np.bincount(group, weights=counts * z * z)[used] / n_g[used]
    return _Points(z=mean_g, counts=n_g[used], within=np.maximum(square_g - mean_g**2, 0.0))


def _variational_em(points: _Points, n_modes: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weights, means and variances of a variational GMM on standardised weighted points."""
    z, counts = points.z, points.counts
    cumulative = np.cumsum(counts) / counts.sum()
    centres = z[np.searchsorted(cumulative, (np.arange(n_modes) + 0.5) / n_modes)]  # (K,)
    nearest = np.argmin(np.abs(z[:, None] - centres[None, :]), axis=1)
    resp = np.eye(n_modes)[nearest]  # (U, K)
    previous = -np.inf
    for _ in range(MAX_ITERATIONS):
        log_rho = _log_rho(z, _m_step(points, resp))  # (U, K)
        peak = log_rho.max(axis=1, keepdims=True)
        rho = np.exp(log_rho - peak)
        total = rho.sum(axis=1, keepdims=True)
        resp = rho / total
        bound = float(counts @ (np.log(total[:, 0]) + peak[:, 0]) / counts.sum())
        if abs(bound - previous) < TOLERANCE:
            break
        previous = bound
    alpha, _, mean, w_inv, nu = _m_step(points, resp)
    return alpha / alpha.sum(), mean, w_inv / nu


def _m_step(points: _Points, resp: FloatArray) -> tuple[FloatArray, ...]:
    """Posterior Dirichlet / Normal-Gamma parameters given responsibilities (PRML 10.58-63)."""
    z = points.z
    weighted = resp * points.counts[:, None]  # (U, K)
    n_k = weighted.sum(axis=0) + 1e-10  # (K,)
    mean_k = weighted.T @ z / n_k
    spread_k = (weighted * ((z[:, None] - mean_k[None, :]) ** 2 + points.within[:, None])).sum(
        axis=0
    ) / n_k + VARIANCE_FLOOR
    beta = 1.0 + n_k  # mean-precision prior 1, prior mean 0 (data are standardised)
    mean = n_k * mean_k / beta
    w_inv = 1.0 + n_k * spread_k + n_k / (1.0 + n_k) * mean_k**2  # prior scale: unit variance
    return WEIGHT_PRIOR + n_k, beta, mean, w_inv, 1.0 + n_k


def _log_rho(z: FloatArray, posterior: tuple[FloatArray, ...]) -> FloatArray:
    """Unnormalised log responsibilities (PRML 10.46), (N, K)."""
    alpha, beta, mean, w_inv, nu = posterior
    log_pi = digamma(alpha) - digamma(alpha.sum())
    log_precision = digamma(nu / 2) + np.log(2.0) - np.log(w_inv)
    quadratic = 1.0 / beta + (nu / w_inv) * (z[:, None] - mean[None, :]) ** 2
    log_rho: FloatArray = log_pi + 0.5 * log_precision - 0.5 * np.log(2 * np.pi) - 0.5 * quadratic
    return log_rho
