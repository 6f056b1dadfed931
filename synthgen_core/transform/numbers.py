"""Numerical columns <-> float64 vectors (NaN where missing).

On the way out values are clipped to the learned range and rounded to the learned decimals,
so an integer column comes back as whole numbers and a price keeps its two decimals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.metadata.kinds import ColumnSpec
from synthgen_core.metadata.learn import as_float
from synthgen_core.transform.missing import BoolArray, fill_missing, nullable, restore_dtype

FloatArray = npt.NDArray[np.float64]


def encode_numerical(spec: ColumnSpec, series: pd.Series, mask: np.ndarray) -> FloatArray:
    out = np.full(len(series), np.nan)
    out[~mask] = as_float(spec.name, series[~mask])
    return out


def decode_numerical(spec: ColumnSpec, values: FloatArray, rng: np.random.Generator) -> pd.Series:
    values = np.asarray(values, dtype=np.float64)
    mask = np.isnan(values)
    shaped = clip_and_round(spec, values)
    target = _numeric_target(spec)
    if target is not None and not (spec.missing_markers and mask.any()):
        return _numeric_series(spec, shaped, mask, target)
    cells = shaped.astype(object)
    if spec.numbers_as_text:
        cells[~mask] = _as_text(shaped[~mask], spec.decimals)
    elif spec.integer or spec.decimals == 0:
        # Python ints, so an object column of ints (or an int column) gets ints back.
        cells[~mask] = np.rint(shaped[~mask]).astype(np.int64).astype(object)
    return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)


def _numeric_target(spec: ColumnSpec) -> Any:
    """The numeric dtype the column goes back to, or ``None`` where cells may be text."""
    if spec.numbers_as_text or spec.dtype == "object":
        return None
    target = pd.api.types.pandas_dtype(spec.dtype)
    if not ptypes.is_numeric_dtype(target) or ptypes.is_bool_dtype(target):
        return None
    return target


def _numeric_series(
    spec: ColumnSpec, shaped: FloatArray, mask: BoolArray, target: Any
) -> pd.Series:
    """What the object-cell path below gives a numeric dtype, without boxing every cell.

    Cells become int64 (whole-number columns) or stay float64, missing ones NaN, and a dtype
    that cannot hold NaN becomes its nullable twin, exactly as :func:`restore_dtype` does.
    """
    data: npt.NDArray[Any] = shaped
    whole = spec.integer or spec.decimals == 0
    if whole and mask.any():
        data = np.full(len(shaped), np.nan)
        data[~mask] = np.rint(shaped[~mask]).astype(np.int64)
    elif whole:
        data = np.rint(shaped).astype(np.int64)
    out: pd.Series = pd.Series(data).astype(nullable(target) if mask.any() else target)
    return out


def _as_text(values: FloatArray, decimals: int | None) -> npt.NDArray[np.str_]:
    """Numbers written as the source wrote them: whole, or with fixed decimals."""
    if decimals == 0:
        return np.rint(values).astype(np.int64).astype(str)
    if decimals is None:
        return values.astype(str)
    text: npt.NDArray[np.str_] = np.char.mod(f"%.{decimals}f", values + 0.0)  # no "-0.00"
    return text


def clip_and_round(spec: ColumnSpec, values: FloatArray) -> FloatArray:
    """Values inside the learned range, at the learned number of decimals."""
    low = -np.inf if spec.min_value is None else spec.min_value
    high = np.inf if spec.max_value is None else spec.max_value
    out = np.clip(values, low, high)
    if spec.decimals is not None:
        out = np.round(out, spec.decimals)
    return out
