"""Diagnostics: basic validity checks a synthetic table should pass before its quality matters.

* validity: the share of synthetic values a real column could hold, i.e. inside the real
  ``[min, max]`` (BoundaryAdherence) or among the real categories (CategoryAdherence);
  a missing value is valid only when the real column has missing values too;
* coverage: how much of the real range (RangeCoverage) or of the real categories
  (CategoryCoverage) the synthetic column reaches;
* missing values: ``1 - |rate_real - rate_synthetic|`` (MissingValueSimilarity).

Definitions follow SDMetrics' single-column metrics of the same names, so the numbers agree.
"""

from __future__ import annotations

import math
from typing import Literal

import msgspec
import numpy as np

from synthgen_core.evaluation.columns import Column, finite
from synthgen_core.metadata.kinds import ColumnKind


class ColumnDiagnostic(msgspec.Struct, frozen=True, kw_only=True):
    """Validity, coverage and missing-value checks of one column; None when undefined."""

    column: str
    kind: ColumnKind
    validity_metric: Literal["BoundaryAdherence", "CategoryAdherence"]
    validity: float | None
    coverage_metric: Literal["RangeCoverage", "CategoryCoverage"]
    coverage: float | None
    missing_real: float
    missing_synthetic: float
    missing_similarity: float


def boundary_adherence(real: np.ndarray, synthetic: np.ndarray) -> float:
    """Share of synthetic values within the real range; NaN is valid iff real has NaN."""
    present = real[~np.isnan(real)]
    if np.isnan(real).any():
        synthetic = synthetic[~np.isnan(synthetic)]
    if synthetic.size == 0:
        return math.nan
    inside = (synthetic >= present.min()) & (synthetic <= present.max())  # NaN -> False
    return float(inside.mean())


def range_coverage(real: np.ndarray, synthetic: np.ndarray) -> float:
    """How much of the real range the synthetic range spans; NaN for a constant column."""
    low, high = np.nanmin(real), np.nanmax(real)
    if low == high:
        return math.nan
    width = high - low
    below = max((np.nanmin(synthetic) - low) / width, 0.0)
    above = max((high - np.nanmax(synthetic)) / width, 0.0)
    return float(max(1.0 - (below + above), 0.0))


def category_adherence(real: np.ndarray, synthetic: np.ndarray, n_categories: int) -> float:
    """Share of synthetic values among the real categories (missing: see module doc)."""
    allowed = np.bincount(real, minlength=n_categories + 1) > 0  # (k + 1,) last = missing
    return float(allowed[synthetic].mean())


def category_coverage(real: np.ndarray, synthetic: np.ndarray, n_categories: int) -> float:
    """Share of the real (non-missing) categories that the synthetic column produces."""
    in_real = np.bincount(real, minlength=n_categories + 1)[:n_categories] > 0
    in_synthetic = np.bincount(synthetic, minlength=n_categories + 1)[:n_categories] > 0
    return float((in_real & in_synthetic).sum() / in_real.sum())


def column_diagnostic(column: Column) -> ColumnDiagnostic:
    real_rate = float(column.real_missing.mean())
    synthetic_rate = float(column.synthetic_missing.mean())
    if column.is_continuous:
        validity = boundary_adherence(column.real, column.synthetic)
        coverage = range_coverage(column.real, column.synthetic)
    else:
        validity = category_adherence(column.real, column.synthetic, column.n_categories)
        coverage = category_coverage(column.real, column.synthetic, column.n_categories)
    return ColumnDiagnostic(
        column=column.name,
        kind=column.kind,
        validity_metric="BoundaryAdherence" if column.is_continuous else "CategoryAdherence",
        validity=finite(validity),
        coverage_metric="RangeCoverage" if column.is_continuous else "CategoryCoverage",
        coverage=finite(coverage),
        missing_real=real_rate,
        missing_synthetic=synthetic_rate,
        missing_similarity=1.0 - abs(real_rate - synthetic_rate),
    )


def diagnostics(columns: list[Column]) -> list[ColumnDiagnostic]:
    return [column_diagnostic(column) for column in columns]
