"""Where numbers fall inside their bins: a Gaussian copula over the cells the tokens pick.

A binned number is one token (:mod:`.bins`), so the autoregressive model learns which bin
each column falls in given the others, and the value inside the bin is drawn afterwards. Drawn
independently per column, the values inside a row's bins forget how the columns move
together at a finer scale than the bins: on a table of 188 rows (9 bins per column),
re-decoding the real rows' own tokens that way turned a correlation of 0.91 between two
amounts into 0.73-0.81 (0.92-0.95 with the copula). Wide bins (small tables, the tails of
skewed amounts) lose the most.

So the rank correlation of the columns' normal scores is learned at fit, and at sampling
each row's normal scores are drawn from that Gaussian, truncated to the cells its tokens
chose (a few sweeps of Gibbs sampling, one column at a time given the others, every row at
once). The scores only *order* the rows inside each bin: every bin's values are drawn as
before, independently and uniformly on its quantile scale, and handed out to the bin's rows
in the order of their scores. A bin's values therefore keep exactly the distribution they
had without the copula (the marginals stay exact), and with no correlation between the
columns the result is the same as drawing independently.

Every continuous column takes part, and atoms (exact values) and missing values are cells
too: an atom is the interval of ranks it covers, a missing value the whole axis, so it
constrains nothing. A column of exact values only (a year, a count) places nothing itself
but tells where the others sit: a firm's capital inside its bin follows the year.
"""

from __future__ import annotations

import msgspec
import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from synthgen_core.numerics import gibbs_truncated_normal, nearest_correlation

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Rows the correlation is estimated from (a seeded sample of larger tables).
MAX_FIT_ROWS = 50_000
#: Gibbs sweeps over the columns when drawing; the chain starts at each cell's middle.
SWEEPS = 3
#: Eigenvalue floor of the correlation matrix: columns that move as one (``x`` and
#: ``log(x)``) stay solvable, their scores tied almost exactly.
MIN_EIGENVALUE = 1e-3
#: Keeps normal scores finite at the ends of the axis.
_EDGE = 1e-9


class BinCopula(msgspec.Struct, frozen=True, kw_only=True):
    """A fitted copula: the columns it spans, their token cells and their correlation."""

    columns: list[str]
    #: Per column: whether it has bins to place values in; the others only condition (a
    #: column of exact values stays at the middle of its cell).
    places: list[bool]
    #: Per column, per token: the share of training values below the token's cell
    #: (``lower``) and up to its end (``upper``); missing tokens span [0, 1].
    lower: list[list[float]]
    upper: list[list[float]]
    correlation: list[list[float]]


def fit_bin_copula(
    tokens: dict[str, IntArray],
    positions: dict[str, FloatArray],
    token_order: dict[str, FloatArray],
    rng: np.random.Generator,
) -> BinCopula | None:
    """The copula of the continuous columns, from the training rows; None with fewer than two.

    ``tokens[name]`` (N,) are each row's tokens, ``positions[name]`` (N,) where the value sits
    inside its bin in (0, 1) (NaN for atoms and missing values), ``token_order[name]`` (V,)
    each token's place on the column's axis (NaN for the missing token).
    """
    columns = list(tokens)
    if len(columns) < 2:
        return None
    n_rows = len(tokens[columns[0]])
    rows = np.arange(n_rows)
    if n_rows > MAX_FIT_ROWS:
        rows = np.sort(rng.choice(n_rows, MAX_FIT_ROWS, replace=False))
    lower, upper, scores = [], [], []
    for name in columns:
        low, high = _cells(tokens[name], token_order[name])
        lower.append(low)
        upper.append(high)
        token = tokens[name][rows]
        inside = np.nan_to_num(positions[name][rows], nan=0.5)
        rank = low[token] + inside * (high[token] - low[token])
        score = ndtri(np.clip(rank, _EDGE, 1 - _EDGE))
        score[np.isnan(token_order[name][token])] = np.nan  # missing: no rank
        scores.append(score)
    return BinCopula(
        columns=columns,
        places=[bool(np.isfinite(positions[name]).any()) for name in columns],
        lower=[low.tolist() for low in lower],
        upper=[high.tolist() for high in upper],
        correlation=_correlation(np.stack(scores, axis=1)).tolist(),
    )


def inside_bins(
    copula: BinCopula, tokens: dict[str, IntArray], rng: np.random.Generator
) -> dict[str, FloatArray]:
    """(N,) per column with bins: uniforms in [0, 1) placing each value inside its bin.

    Each token's rows get independent uniforms, sorted into the order of the rows' copula
    scores (see the module docstring). ``tokens`` holds every column of the copula.
    """
    low, high = _score_cells(copula, tokens)
    moving = [j for j, places in enumerate(copula.places) if places]
    scores = _gibbs(np.asarray(copula.correlation), low, high, moving, rng)
    return {
        copula.columns[j]: _ordered_uniforms(tokens[copula.columns[j]], scores[:, j], rng)
        for j in moving
    }


def _cells(tokens: IntArray, order: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(V,) lower and upper shares of each token's cell, tokens sorted by ``order``."""
    vocab = len(order)
    present = ~np.isnan(order)
    mass = np.bincount(tokens, minlength=vocab).astype(np.float64)
    mass[~present] = 0.0
    mass /= max(mass.sum(), 1.0)
    by_axis = np.argsort(np.where(present, order, np.inf), kind="stable")
    upper = np.empty(vocab)
    upper[by_axis] = np.cumsum(mass[by_axis])
    lower = upper - mass
    lower[~present], upper[~present] = 0.0, 1.0
    return np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)


def _correlation(scores: FloatArray) -> FloatArray:
    """(K, K) correlation of the normal scores, pair by pair over the rows holding both.

    Repaired to the nearest correlation matrix with eigenvalues of at least
    :data:`MIN_EIGENVALUE`, so it can be inverted.
    """
    present = ~np.isnan(scores)
    filled = np.where(present, scores, 0.0)
    both = present.T.astype(np.float64) @ present
    cross = filled.T @ filled
    squares = (filled**2).T @ present  # [a, b]: sum of a's squares where b is present
    scale = np.sqrt(squares * squares.T)
    correlation = np.divide(cross, scale, out=np.zeros_like(cross), where=(scale > 0) & (both > 2))
    np.fill_diagonal(correlation, 1.0)
    return nearest_correlation(correlation, floor=MIN_EIGENVALUE)


def _score_cells(copula: BinCopula, tokens: dict[str, IntArray]) -> tuple[FloatArray, FloatArray]:
    """(N, K) lower and upper normal scores of each row's cell in each column."""
    return _cell_scores(copula, copula.lower, tokens), _cell_scores(copula, copula.upper, tokens)


def _cell_scores(
    copula: BinCopula, shares: list[list[float]], tokens: dict[str, IntArray]
) -> FloatArray:
    """(N, K) normal scores of one end of each row's cells, kept finite at the axis' ends."""
    cells = [np.asarray(shares[j])[tokens[name]] for j, name in enumerate(copula.columns)]
    out: FloatArray = ndtri(np.clip(np.stack(cells, axis=1), _EDGE, 1 - _EDGE))
    return out


def _gibbs(
    correlation: FloatArray,
    low: FloatArray,
    high: FloatArray,
    moving: list[int],
    rng: np.random.Generator,
) -> FloatArray:
    """(N, K) draws of the Gaussian truncated to each row's cells, every row at once.

    Only the ``moving`` columns are drawn; the others stay at the middle of their cells,
    which costs a column of exact values its spread inside an atom and saves two thirds of
    the work on tables of many counts.
    """
    return gibbs_truncated_normal(
        (low + high) / 2,
        np.zeros(len(correlation)),
        np.linalg.inv(correlation),
        (low, high),
        columns=moving,
        sweeps=SWEEPS,
        rng=rng,
    )


def _ordered_uniforms(tokens: IntArray, scores: FloatArray, rng: np.random.Generator) -> FloatArray:
    """(N,) independent uniforms, sorted within each token into the order of ``scores``."""
    by_score = np.lexsort((scores, tokens))  # by token, then by score
    grouped = tokens[by_score]
    uniforms = rng.random(len(tokens))
    out = np.empty(len(tokens))
    out[by_score] = uniforms[np.lexsort((uniforms, grouped))]
    return out
