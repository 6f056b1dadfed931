"""Column pair trends: does the synthetic table keep how columns move together?

Two continuous columns are compared through their Pearson correlations,
``1 - |r_real - r_synthetic| / 2``; any other pair through its contingency table,
``1 - TVD(P_real(a, b), P_synthetic(a, b))``, where a continuous column is cut into
:data:`N_BINS` equal-width bins of its own table's range (missing values fall in the top
bin, as ``np.digitize`` places NaN there) and a missing category counts as a category.
This is the definition of SDMetrics' QualityReport (``CorrelationSimilarity``,
``ContingencySimilarity``), which published numbers use, re-derived here on integer codes.

Current SDMetrics versions average only the pairs that carry a trend in the real data:
``|r_real|`` above :data:`CORRELATION_THRESHOLD`, Cramér's V above
:data:`ASSOCIATION_THRESHOLD` (:attr:`PairTrend.meets_threshold`); the report's
``pair_trends`` does the same, and ``pair_trends_all_pairs`` averages every pair, as older
versions did, so scores compare with old and new published numbers alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import msgspec
import numpy as np

from synthgen_core.evaluation.columns import Column, finite

N_BINS = 10
CORRELATION_THRESHOLD = 0.5
ASSOCIATION_THRESHOLD = 0.3
#: Contingency tables with more cells than this are counted sparsely (np.unique), so two
#: high-cardinality columns never allocate a dense (k_a * k_b) table.
DENSE_CELLS_LIMIT = 1 << 20

PairMetric = Literal["CorrelationSimilarity", "ContingencySimilarity"]


class PairTrend(msgspec.Struct, frozen=True, kw_only=True):
    """The trend similarity of one column pair; floats are None when undefined."""

    column_1: str
    column_2: str
    metric: PairMetric
    score: float | None
    real_correlation: float | None = None
    synthetic_correlation: float | None = None
    real_association: float | None = None
    #: whether the pair counts in the report's ``pair_trends`` (a real trend is present)
    meets_threshold: bool = False


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r on the rows where both are present; NaN if either is constant there."""
    both = ~(np.isnan(x) | np.isnan(y))
    if both.sum() < 2:
        return math.nan
    return _correlation(_centre(x[both]), _centre(y[both]))


@dataclass(frozen=True)
class _Centred:
    """Values less their mean, and the sum of their squares."""

    values: np.ndarray
    squares: float


def _centre(values: np.ndarray) -> _Centred:
    # einsum, not BLAS: one-dimensional dots gain nothing from threads that a busy host stalls
    centred = values - values.mean()
    return _Centred(centred, float(np.einsum("i,i->", centred, centred)))


def _correlation(x: _Centred, y: _Centred) -> float:
    denominator = math.sqrt(x.squares * y.squares)
    if denominator == 0.0:
        return math.nan
    return max(-1.0, min(1.0, float(np.einsum("i,i->", x.values, y.values)) / denominator))


def _complete(values: np.ndarray) -> _Centred | None:
    """A column without missing values, centred once for all its pairs (else None)."""
    if values.size < 2 or np.isnan(values).any():
        return None
    return _centre(values)


def bin_codes(values: np.ndarray) -> np.ndarray | None:
    """Codes 0..N_BINS+1 of equal-width bins over this table's own non-missing range.

    None when the range cannot hold N_BINS bins: a single huge value (one datetime in ns)
    gets the range ``v +- 0.5``, which float64 cannot represent; SDMetrics then leaves the
    column's mixed pairs unscored, and so do we.
    """
    try:
        edges = np.histogram_bin_edges(values[~np.isnan(values)], bins=N_BINS)
    except ValueError:
        return None
    # np.digitize's code is the number of edges at or below the value (NaN: all of them);
    # counting them with one comparison per edge gives the same codes several times faster
    # than its binary search
    codes = np.zeros(values.shape, np.uint8)
    for edge in edges:
        codes += values >= edge
    codes[np.isnan(values)] = edges.size
    return codes.astype(np.int64)


@dataclass(frozen=True)
class _Codes:
    """One column as contingency codes in both tables, ``0..size-1``."""

    real: np.ndarray
    synthetic: np.ndarray
    size: int
    real_counts: np.ndarray  # (size,) rows per code in the real table, for Cramér's V


def _codes(real: np.ndarray, synthetic: np.ndarray, size: int) -> _Codes:
    return _Codes(real, synthetic, size, np.bincount(real, minlength=size))


def _as_codes(column: Column) -> _Codes | None:
    if not column.is_continuous:
        return _codes(column.real, column.synthetic, column.n_categories + 1)
    real, synthetic = bin_codes(column.real), bin_codes(column.synthetic)
    if real is None or synthetic is None:
        return None
    return _codes(real, synthetic, N_BINS + 2)


def _cell_counts(a: _Codes, b: _Codes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts per observed cell in each table, and each cell's flat index ``i * b.size + j``."""
    joint_real = a.real * b.size + b.real
    joint_synthetic = a.synthetic * b.size + b.synthetic
    if a.size * b.size <= DENSE_CELLS_LIMIT:
        cells = np.arange(a.size * b.size)
        real = np.bincount(joint_real, minlength=cells.size)
        return real, np.bincount(joint_synthetic, minlength=cells.size), cells
    cells, inverse = np.unique(np.concatenate([joint_real, joint_synthetic]), return_inverse=True)
    real = np.bincount(inverse[: joint_real.size], minlength=cells.size)
    synthetic = np.bincount(inverse[joint_real.size :], minlength=cells.size)
    return real, synthetic, cells


def cramers_v(a: _Codes, b: _Codes, counts: np.ndarray, cells: np.ndarray) -> float:
    """Cramér's V of the real contingency table (chi-squared without continuity correction).

    Uses ``chi2 = n * sum(o^2 / (row * col)) - n`` over the observed cells, which needs no
    dense table; NaN when a side has a single category.
    """
    rows, cols = a.real_counts, b.real_counts
    n_rows, n_cols = int((rows > 0).sum()), int((cols > 0).sum())
    if min(n_rows, n_cols) < 2:
        return math.nan
    seen = counts > 0
    expected = rows[cells[seen] // b.size] * cols[cells[seen] % b.size]  # (cells,) row * col
    n = a.real.size
    chi2 = n * float(np.sum(counts[seen].astype(np.float64) ** 2 / expected)) - n
    return math.sqrt(max(chi2, 0.0) / n / min(n_rows - 1, n_cols - 1))


def contingency_trend(
    first: Column, second: Column, a: _Codes | None, b: _Codes | None
) -> PairTrend:
    if a is None or b is None:  # a column could not be binned: no score, as in SDMetrics
        return PairTrend(
            column_1=first.name, column_2=second.name, metric="ContingencySimilarity", score=None
        )
    real, synthetic, cells = _cell_counts(a, b)
    distance = 0.5 * np.abs(real / a.real.size - synthetic / a.synthetic.size).sum()
    association = cramers_v(a, b, real, cells)
    return PairTrend(
        column_1=first.name,
        column_2=second.name,
        metric="ContingencySimilarity",
        score=float(1.0 - distance),
        real_association=finite(association),
        meets_threshold=association > ASSOCIATION_THRESHOLD,
    )


#: A continuous column centred once per table (real, synthetic), None where values miss.
_Complete = tuple[_Centred | None, _Centred | None]
_NONE: _Complete = (None, None)


def _pearson(x: np.ndarray, y: np.ndarray, cx: _Centred | None, cy: _Centred | None) -> float:
    """Pearson's r, from the centred columns when both are complete (the same number)."""
    return pearson(x, y) if cx is None or cy is None else _correlation(cx, cy)


def correlation_trend(
    first: Column, second: Column, complete: tuple[_Complete, _Complete] = (_NONE, _NONE)
) -> PairTrend:
    (real_1, synthetic_1), (real_2, synthetic_2) = complete
    real = _pearson(first.real, second.real, real_1, real_2)
    synthetic = _pearson(first.synthetic, second.synthetic, synthetic_1, synthetic_2)
    score = 1.0 - abs(real - synthetic) / 2.0
    return PairTrend(
        column_1=first.name,
        column_2=second.name,
        metric="CorrelationSimilarity",
        score=finite(score),
        real_correlation=finite(real),
        synthetic_correlation=finite(synthetic),
        meets_threshold=not math.isnan(score) and abs(real) > CORRELATION_THRESHOLD,
    )


def pair_trends(columns: list[Column]) -> list[PairTrend]:
    """Every pair of scored columns, in table order (SDMetrics' order)."""
    codes = [_as_codes(column) for column in columns]  # binned once, used by every pair
    complete = [  # centred once, used by every pair of complete continuous columns
        (_complete(c.real), _complete(c.synthetic)) if c.is_continuous else _NONE for c in columns
    ]
    return [
        correlation_trend(columns[i], columns[j], (complete[i], complete[j]))
        if columns[i].is_continuous and columns[j].is_continuous
        else contingency_trend(columns[i], columns[j], codes[i], codes[j])
        for i, j in combinations(range(len(columns)), 2)
    ]
