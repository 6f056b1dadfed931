"""Column shapes: does each synthetic column have the real column's marginal distribution?

Continuous columns are compared with the two-sample Kolmogorov-Smirnov statistic ``D`` (the
largest gap between the two empirical CDFs), discrete columns with the total variation
distance between category frequencies; both are reported as a similarity ``1 - distance``
in ``[0, 1]``. Missing values are dropped first, as SDMetrics' KSComplement and TVComplement
do: whether a column is missing as often as it should is a separate diagnostic.
"""

from __future__ import annotations

import math
import sys
from typing import Literal

import msgspec
import numpy as np

from synthgen_core.evaluation.columns import Column, finite
from synthgen_core.metadata.kinds import ColumnKind

#: Values are rounded to this many decimals before the KS test, as SDMetrics does, so that
#: ``0.1 + 0.2`` and ``0.3`` count as the same value.
KS_DECIMALS = sys.float_info.dig - 1

#: The real count SDMetrics' TVComplement gives a category only the synthetic table has.
UNSEEN_COUNT = 1e-6

ShapeMetric = Literal["KSComplement", "TVComplement"]


class ColumnShape(msgspec.Struct, frozen=True, kw_only=True):
    """The marginal similarity of one column; ``score`` is None when undefined."""

    column: str
    kind: ColumnKind
    metric: ShapeMetric
    score: float | None


def ks_complement(real: np.ndarray, synthetic: np.ndarray) -> float:
    """``1 - D`` of the two-sample KS test on non-missing values; NaN when one is empty."""
    real = np.sort(real[~np.isnan(real)])
    synthetic = np.sort(synthetic[~np.isnan(synthetic)])
    if real.size == 0 or synthetic.size == 0:
        return math.nan
    # D is reached at a value of either table; each table's distinct values (read off its
    # sorted values in one pass, with no second sort of both tables) are enough
    pooled = np.concatenate([_distinct(real), _distinct(synthetic)])
    cdf_real = np.searchsorted(real, pooled, side="right") / real.size
    cdf_synthetic = np.searchsorted(synthetic, pooled, side="right") / synthetic.size
    return float(1.0 - np.max(np.abs(cdf_real - cdf_synthetic)))


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted, non-empty array, in order."""
    first = np.empty(ordered.size, dtype=bool)  # (n,) True where a new value starts
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    distinct: np.ndarray = ordered[first]
    return distinct


def frequencies(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """Share of each category among non-missing values (code ``n_categories`` = missing)."""
    counts = np.bincount(codes, minlength=n_categories + 1)[:n_categories]
    total = counts.sum()
    return counts / total if total else np.full(n_categories, math.nan)


def tv_complement(real: np.ndarray, synthetic: np.ndarray, n_categories: int) -> float:
    """``1 - TVD`` of category frequencies, missing values dropped; NaN when one is empty.

    As in SDMetrics, a category that only the synthetic table has counts
    :data:`UNSEEN_COUNT` times in the real one, which moves the score by at most
    ``k * 1e-6 / n_real``: kept so that scores agree to the last digits.
    """
    real_counts = np.bincount(real, minlength=n_categories + 1)[:n_categories].astype(float)
    synthetic_counts = np.bincount(synthetic, minlength=n_categories + 1)[:n_categories]
    if real_counts.sum() == 0 or synthetic_counts.sum() == 0:
        return math.nan
    real_counts[(real_counts == 0) & (synthetic_counts > 0)] = UNSEEN_COUNT
    real_shares = real_counts / real_counts.sum()
    synthetic_shares = synthetic_counts / synthetic_counts.sum()
    return float(1.0 - 0.5 * np.abs(real_shares - synthetic_shares).sum())


def _rounded(values: np.ndarray) -> np.ndarray:
    """``values`` at KS_DECIMALS decimals, except from 1e15 on.

    Such floats have no decimals left to round, and scaling 1e300 by 10**KS_DECIMALS
    would overflow to inf, so they stay as they are.
    """
    out = np.array(values, dtype=np.float64)
    small = np.abs(out) < 1e15
    out[small] = np.round(out[small], KS_DECIMALS)
    return out


def column_shape(column: Column) -> ColumnShape:
    if column.is_continuous:
        real, synthetic = column.real, column.synthetic
        if column.evaluated_as == "numbers":
            real, synthetic = _rounded(real), _rounded(synthetic)
        score = ks_complement(real, synthetic)
        metric: ShapeMetric = "KSComplement"
    else:
        score = tv_complement(column.real, column.synthetic, column.n_categories)
        metric = "TVComplement"
    return ColumnShape(column=column.name, kind=column.kind, metric=metric, score=finite(score))


def column_shapes(columns: list[Column]) -> list[ColumnShape]:
    return [column_shape(column) for column in columns]
