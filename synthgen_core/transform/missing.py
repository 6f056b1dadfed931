"""Writing missing cells back the way the source wrote them.

The codec learns missing cells as NaN (continuous) or an extra code (discrete); on the way
out each missing cell becomes one of the source's marker strings (``" ?"``) or a null, drawn
with the shares seen in the source, so a column that used only ``" ?"`` gets only ``" ?"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.metadata.kinds import ColumnSpec

ObjectArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]


def draw_missing(n_rows: int, rate: float, rng: np.random.Generator) -> BoolArray:
    """Which of ``n_rows`` unlearned cells are missing, at the source's rate."""
    if rate <= 0.0:
        return np.zeros(n_rows, dtype=bool)
    return rng.random(n_rows) < rate


def fill_missing(
    values: ObjectArray, mask: BoolArray, spec: ColumnSpec, rng: np.random.Generator
) -> ObjectArray:
    """``values`` (object array) with every masked cell set to a marker or a null."""
    out = values.copy()
    n_missing = int(mask.sum())
    if n_missing == 0:
        return out
    markers = list(spec.missing_markers)
    shares = np.array([spec.missing_markers[m] for m in markers], dtype=np.float64)
    choices = np.asarray([*markers, np.nan], dtype=object)
    if len(markers) == 0:
        picks = np.full(n_missing, len(markers))
    elif abs(shares.sum() - 1.0) < 1e-9 and len(markers) == 1:
        picks = np.zeros(n_missing, dtype=np.int64)
    else:
        cumulative = np.cumsum(shares)
        picks = np.searchsorted(cumulative, rng.random(n_missing), side="right")
    out[mask] = choices[picks]
    return out


def restore_dtype(values: ObjectArray, dtype: str) -> pd.Series:
    """An object array cast to the source dtype.

    A dtype that cannot hold nulls (int, bool) becomes its nullable twin when there are any.
    """
    series = pd.Series(values, dtype=object)
    if dtype == "object":
        return series
    target: Any = pd.api.types.pandas_dtype(dtype)
    if series.isna().any():
        target = nullable(target)
    if ptypes.is_numeric_dtype(target) and not ptypes.is_bool_dtype(target):
        series = pd.to_numeric(series, errors="coerce")
    out: pd.Series = series.astype(target)
    return out


def nullable(target: Any) -> Any:
    """The dtype's twin that holds missing values (int -> Int, bool -> boolean)."""
    if isinstance(target, np.dtype) and target.kind in "iu":
        return pd.api.types.pandas_dtype(target.name.capitalize().replace("Uint", "UInt"))
    if isinstance(target, np.dtype) and target.kind == "b":
        return pd.BooleanDtype()
    return target
