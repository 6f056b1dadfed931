"""Univariate marginals: every learned column <-> standard normal scores.

A Gaussian copula needs, per column, a monotone map ``x -> z`` whose image is N(0, 1)
(``z = Phi^-1(F(x))``) and its inverse. Three kinds of marginal do this:

* :class:`Parametric` - a scipy family (normal, truncated normal, beta, gamma, uniform)
  fitted in closed form (:mod:`.families`: moments, or fixed-point steps for truncnorm) on
  a capped sample of standardised values. Its inverse is tabulated once on a fine grid of
  scores, because scipy's beta/gamma inverses cost microseconds per value and sampling
  must run at hundreds of thousands of rows per second.
* :class:`Empirical` - a smoothed empirical CDF: quantile knots joined linearly in score
  space. It fits anything, at the price of never extrapolating beyond the knots.
* :class:`Atoms` - a distribution on a few values (categories as codes, or a number such
  as ``education-num`` with a handful of distinct values). Value ``k`` occupies the
  interval ``[cum_k, cum_{k+1})`` of ``[0, 1]``, i.e. the score interval
  ``(alpha_k, beta_k)``, and is represented by the interval's conditional mean
  ``E[z | alpha_k < z < beta_k]``: deterministic (no noise added to the correlation
  estimate) and exactly the score for which the copula's correlation correction
  (:mod:`.copula`) is derived. Sampling maps a score back through the thresholds, which
  reproduces the frequencies exactly.

``numerical_distribution="auto"`` picks, per column, atoms when the column has few distinct
values, otherwise the family with the smallest Kolmogorov-Smirnov distance on a held-out
half of the sample; a parametric family wins only when it fits as well as the empirical CDF
up to the KS test's sampling noise (a smooth model that generalises is preferred to one
that memorises quantiles).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import msgspec
import numpy as np
from scipy import special, stats

from synthgen_core.models.gaussian_copula.families import FITTERS, Family
from synthgen_core.numerics import safe_moments

FAMILIES: tuple[Family, ...] = ("norm", "truncnorm", "beta", "gamma", "uniform")

#: Rows used to fit and choose a marginal: plenty for a 2-parameter family or 1,001 knots.
MAX_FIT_ROWS = 10_000
#: A column with at most this many distinct values (each seen ``MIN_ROWS_PER_ATOM`` times
#: on average) is modelled on its atoms when the distribution is ``auto`` or ``empirical``.
MAX_ATOMS = 256
MIN_ROWS_PER_ATOM = 10
KNOTS = 1001
#: Scores are kept within +-Z_LIMIT: Phi(8.3) is the last float64 distinguishable from 1.
Z_LIMIT = 8.3
_GRID = np.linspace(-Z_LIMIT, Z_LIMIT, 4097)  # (G,) scores where inverses are tabulated
_U_EPS = 1e-16


class Parametric(msgspec.Struct, frozen=True, tag="parametric"):
    """``x = center + spread * t`` with ``t ~ family(*shape, loc, scale)``."""

    family: Family
    shape: tuple[float, ...]
    loc: float
    scale: float
    center: float
    spread: float

    def to_normal(self, x: np.ndarray) -> np.ndarray:
        dist = _frozen(self)
        t = (np.asarray(x, dtype=np.float64) - self.center) / self.spread
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # far tails underflow: clipped
            cdf, sf = dist.cdf(t), dist.sf(t)
        # The upper tail goes through the survival function, where cdf rounds to 1.
        lower = special.ndtri(np.clip(cdf, _U_EPS, 1.0))
        upper = -special.ndtri(np.clip(sf, _U_EPS, 1.0))
        return _f64(np.clip(np.where(lower < 0, lower, upper), -Z_LIMIT, Z_LIMIT))

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        return _f64(np.interp(z, _GRID, _inverse_table(self)))

    def cdf_bounds(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(F(x-), F(x))``: equal, a continuous family has no point mass."""
        u = special.ndtr(self.to_normal(x))
        return u, u


class Empirical(msgspec.Struct, frozen=True, tag="empirical"):
    """Strictly increasing knots and the normal score of each.

    A knot that ties several quantile levels is a point mass (the 0 of a zero-inflated
    amount): ``to_normal`` sends it to the score of its mean level, and ``from_normal``
    sends back every score between ``lower`` and ``upper``, the scores of its lowest and
    highest levels, so the value comes back exactly, in its real share of the rows.
    Without them (files written before they existed) each knot is a single score.
    """

    knots: tuple[float, ...]
    scores: tuple[float, ...]
    lower: tuple[float, ...] | None = None
    upper: tuple[float, ...] | None = None

    def to_normal(self, x: np.ndarray) -> np.ndarray:
        return _f64(np.interp(x, self.knots, self.scores))

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        if self.lower is None or self.upper is None:
            return _f64(np.interp(z, self.scores, self.knots))
        # (2K,) each knot flat from its lower to its upper score: a point mass's interval
        scores = np.column_stack([self.lower, self.upper]).ravel()
        knots = np.repeat(np.asarray(self.knots, dtype=np.float64), 2)
        return _f64(np.interp(z, scores, knots))

    def cdf_bounds(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(F(x-), F(x))``: apart at a point mass, by its whole share."""
        x = np.asarray(x, dtype=np.float64)
        u = special.ndtr(self.to_normal(x))
        tied, low, high = self._point_masses(x)
        return np.where(tied, low, u), np.where(tied, high, u)

    def _point_masses(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which values sit on a point mass, and its interval's bounds in probability."""
        if self.lower is None or self.upper is None:
            none = np.zeros(x.shape, dtype=bool)
            return none, np.zeros(x.shape), np.zeros(x.shape)
        knots = np.asarray(self.knots, dtype=np.float64)
        index = np.minimum(np.searchsorted(knots, x), len(knots) - 1)
        low = special.ndtr(np.asarray(self.lower)[index])
        high = special.ndtr(np.asarray(self.upper)[index])
        return (knots[index] == x) & (high > low), low, high


class Atoms(msgspec.Struct, frozen=True, tag="atoms"):
    """Sorted distinct values and their probabilities."""

    values: tuple[float, ...]
    probs: tuple[float, ...]

    def thresholds(self) -> np.ndarray:
        """(K+1,) score bounds: atom k occupies ``(thresholds[k], thresholds[k+1])``."""
        return _thresholds(self)

    def atom_scores(self) -> np.ndarray:
        """(K,) the conditional mean score of each atom's interval."""
        bounds = self.thresholds()
        density = special.ndtr(bounds)  # reuse: differences give the exact interval mass
        mass = np.maximum(np.diff(density), 1e-300)
        pdf = np.exp(-0.5 * np.square(np.clip(bounds, -40, 40))) / np.sqrt(2 * np.pi)
        means = (pdf[:-1] - pdf[1:]) / mass
        return _f64(np.clip(means, bounds[:-1], bounds[1:]))

    def index_of(self, x: np.ndarray) -> np.ndarray:
        """The nearest atom of each value (unseen values snap to a neighbour)."""
        values = _values(self)
        if len(values) == 1:  # one atom (a category seen alone, beside missing cells)
            return np.zeros(np.shape(x), dtype=np.int64)
        right = np.clip(np.searchsorted(values, x), 1, len(values) - 1)
        left = right - 1
        nearer_left = np.abs(x - values[left]) <= np.abs(values[right] - x)
        return np.where(nearer_left, left, right)

    def to_normal(self, x: np.ndarray) -> np.ndarray:
        return _f64(self.atom_scores()[self.index_of(np.asarray(x, dtype=np.float64))])

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        inner = self.thresholds()[1:-1]
        return _values(self)[np.searchsorted(inner, z)]

    def cdf_bounds(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(F(x-), F(x))`` of each value's atom: the probability interval it occupies."""
        index = self.index_of(np.asarray(x, dtype=np.float64))
        cumulative = special.ndtr(self.thresholds())  # (K+1,) from 0 to 1
        return cumulative[index], cumulative[index + 1]

    def interval(self, x: float) -> tuple[float, float]:
        """Score bounds of the atom nearest to ``x``: where a condition on ``x`` lives."""
        k = int(self.index_of(np.array([x], dtype=np.float64))[0])
        bounds = self.thresholds()
        return float(bounds[k]), float(bounds[k + 1])

    def hermite(self, order: int) -> np.ndarray:
        """(order,) ``E[s(z) He_n(z)]`` for n = 1..order, s the step score function.

        Uses ``d/dz[-phi(z) He_{n-1}(z)] = phi(z) He_n(z)``, so each interval contributes
        ``phi(a) He_{n-1}(a) - phi(b) He_{n-1}(b)`` times its score.
        """
        bounds = np.clip(self.thresholds(), -40.0, 40.0)
        pdf = np.exp(-0.5 * bounds**2) / np.sqrt(2 * np.pi)
        herm = _hermite_polynomials(bounds, order)  # (order, K+1): He_0 .. He_{order-1}
        edge = pdf * herm  # (order, K+1)
        return _f64((edge[:, :-1] - edge[:, 1:]) @ self.atom_scores())


Marginal = Parametric | Empirical | Atoms


def fit_discrete(codes: np.ndarray, num_codes: int) -> Atoms:
    """Frequency intervals of category codes ``0..num_codes-1``."""
    counts = np.bincount(codes, minlength=num_codes).astype(np.float64)
    counts = np.maximum(counts, 0.5)  # a code never seen in training keeps a sliver
    codes_as_values = tuple(float(v) for v in range(num_codes))
    return Atoms(values=codes_as_values, probs=_tuple(counts / counts.sum()))


def fit_marginal(values: np.ndarray, distribution: str, rng: np.random.Generator) -> Marginal:
    """The marginal of the observed (non-missing) ``values`` of one continuous column."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return Atoms(values=(0.0,), probs=(1.0,))
    capped = values.size > MAX_FIT_ROWS
    sample = rng.choice(values, MAX_FIT_ROWS, replace=False) if capped else values
    if distribution in ("auto", "empirical") or np.ptp(sample) == 0:
        atoms = _atoms(values, sample)
        if atoms is not None:
            return atoms
    if distribution == "empirical" or sample.size < 20:
        return _empirical(sample)
    if distribution != "auto":
        return _parametric(distribution, sample)  # type: ignore[arg-type]
    return _choose(sample, rng)


def _atoms(values: np.ndarray, sample: np.ndarray) -> Atoms | None:
    if np.unique(sample).size > MAX_ATOMS:
        return None
    distinct, counts = np.unique(values, return_counts=True)
    enough_rows = distinct.size * MIN_ROWS_PER_ATOM <= values.size
    if distinct.size > 1 and (distinct.size > MAX_ATOMS or not enough_rows):
        return None
    return Atoms(values=_tuple(distinct), probs=_tuple(counts / counts.sum()))


def _empirical(sample: np.ndarray) -> Empirical:
    levels = np.linspace(0.0, 1.0, min(KNOTS, max(sample.size, 2)))
    knots = np.quantile(sample, levels)
    # Quantiles never decrease, so tied knots (a point mass) are a run of levels: its
    # lowest and highest bound the scores that sample it (see Empirical), and their
    # midpoint, the mean of the evenly spaced run, is its score, keeping scores increasing.
    unique, first, count = np.unique(knots, return_index=True, return_counts=True)
    lowest, highest = levels[first], levels[first + count - 1]
    level = (lowest + highest) / 2.0
    floor = 0.5 / sample.size

    def score(of_levels: np.ndarray) -> np.ndarray:
        return _f64(special.ndtri(np.clip(of_levels, floor, 1.0 - floor)))

    if unique.size == 1:
        return Empirical(knots=(float(unique[0]),) * 2, scores=(-1.0, 1.0))
    return Empirical(
        knots=_tuple(unique),
        scores=_tuple(score(level)),
        lower=_tuple(score(lowest)),
        upper=_tuple(score(highest)),
    )


def _parametric(family: Family, sample: np.ndarray) -> Parametric:
    center, spread = safe_moments(sample)
    spread = spread if spread > 0 else 1.0
    t = (sample - center) / spread
    shape, loc, scale = FITTERS[family](t)
    return Parametric(
        family=family, shape=shape, loc=loc, scale=scale, center=center, spread=spread
    )


def _choose(sample: np.ndarray, rng: np.random.Generator) -> Marginal:
    """The best family by KS distance on a held-out half (fit on the other half)."""
    order = rng.permutation(sample.size)
    train, test = sample[order[::2]], np.sort(sample[order[1::2]])
    empirical_ks = ks_distance(_empirical(train), test)
    noise = 1.0 / np.sqrt(test.size)
    best_family, best_ks = None, np.inf
    for family in FAMILIES:
        candidate = _parametric(family, train)
        distance = ks_distance(candidate, test)
        if distance < best_ks:
            best_family, best_ks = family, distance
    if best_family is not None and best_ks <= empirical_ks + noise:
        return _parametric(best_family, sample)
    return _empirical(sample)


def ks_distance(marginal: Marginal, sorted_values: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between ``marginal`` and a sorted sample.

    Compared on both sides of every distinct value, so ties count right: a 0 in 35% of
    the rows is a jump of 0.35 in the sample's CDF, which a marginal with that point mass
    matches and a continuous family misses by the whole jump. (Comparing the model's CDF
    with each tied row's rank instead charged both the same half-jump, and a gamma fit
    could win against the empirical CDF and lose the zeros.)
    """
    values, first, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    n = sorted_values.size
    below, at = first / n, (first + counts) / n  # the sample's CDF just below / at each
    low, high = marginal.cdf_bounds(values)
    return float(max(np.max(np.abs(high - at)), np.max(np.abs(low - below))))


# -- helpers -------------------------------------------------------------------------------


def _frozen(marginal: Parametric) -> stats.rv_continuous:
    family = getattr(stats, marginal.family)
    return family(*marginal.shape, loc=marginal.loc, scale=marginal.scale)


@lru_cache(maxsize=4096)
def _inverse_table(marginal: Parametric) -> np.ndarray:
    """(G,) x at each grid score; the upper half through isf, where ppf rounds to the bound."""
    dist = _frozen(marginal)
    with warnings.catch_warnings():
        # Far-tail quantiles under/overflow in scipy; they saturate at the support's edge.
        warnings.simplefilter("ignore", RuntimeWarning)
        t = np.where(_GRID < 0, dist.ppf(special.ndtr(_GRID)), dist.isf(special.ndtr(-_GRID)))
    t = np.maximum.accumulate(np.nan_to_num(t, nan=0.0, posinf=50.0, neginf=-50.0))
    return _frozen_array(marginal.center + marginal.spread * t)


@lru_cache(maxsize=4096)
def _thresholds(atoms: Atoms) -> np.ndarray:
    cumulative = np.concatenate([[0.0], np.cumsum(atoms.probs)])
    cumulative /= cumulative[-1]
    return _frozen_array(special.ndtri(cumulative))  # ends are -inf and +inf


@lru_cache(maxsize=4096)
def _values(atoms: Atoms) -> np.ndarray:
    return _frozen_array(atoms.values)


def _frozen_array(values: object) -> np.ndarray:
    """A cached array is shared by every caller: make writing to it an error."""
    array = _f64(values)
    array.setflags(write=False)
    return array


def _hermite_polynomials(x: np.ndarray, order: int) -> np.ndarray:
    """(order, len(x)) probabilists' Hermite polynomials He_0 .. He_{order-1} at x."""
    out = np.empty((order, x.size))
    out[0] = 1.0
    if order > 1:
        out[1] = x
    for n in range(2, order):
        out[n] = x * out[n - 1] - (n - 1) * out[n - 2]
    return out


def _f64(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _tuple(array: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in array)
