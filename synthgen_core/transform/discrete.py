"""Categorical and boolean columns <-> int64 codes.

Code ``i`` is ``categories[i]``; a column with missing cells gets one more code,
``len(categories)``, so models learn "missing" like any other category (and how it goes
with the other columns) instead of having it imputed away.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.metadata.kinds import ColumnSpec, Scalar
from synthgen_core.transform.missing import fill_missing, restore_dtype

IntArray = npt.NDArray[np.int64]


def category_list(spec: ColumnSpec) -> list[Scalar]:
    if spec.categories is None:
        raise DataError(
            f"column {spec.name!r} has no categories; fit the codec on a table "
            "first or set them with metadata.update_column(categories=[...])"
        )
    return spec.categories


def encode_codes(spec: ColumnSpec, series: pd.Series, mask: np.ndarray) -> IntArray:
    categories = category_list(spec)
    present = series[~mask].astype(object)
    index = pd.Index(pd.array(categories, dtype=object))
    codes = np.asarray(index.get_indexer(cast(Any, present.to_numpy(dtype=object))), dtype=np.int64)
    unknown = int((codes < 0).sum())
    if unknown:
        raise DataError(
            f"column {spec.name!r} has {unknown} value(s) outside its "
            f"{len(categories)} known categories; detect the metadata from this "
            "table or add them with metadata.update_column(categories=[...])"
        )
    out = np.full(len(series), len(categories), dtype=np.int64)
    out[~mask] = codes
    return out


def decode_codes(spec: ColumnSpec, codes: IntArray, rng: np.random.Generator) -> pd.Series:
    categories = category_list(spec)
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size and (codes.min() < 0 or codes.max() > len(categories)):
        raise DataError(f"column {spec.name!r}: codes must lie in 0..{len(categories)}")
    lookup = np.empty(len(categories) + 1, dtype=object)
    lookup[: len(categories)] = categories
    mask = codes == len(categories)
    cells = fill_missing(lookup[codes], mask, spec, rng)
    if spec.dtype == "category":
        markers = [m for m in spec.missing_markers if m not in categories]
        column = pd.Categorical(cells, categories=[*categories, *markers], ordered=spec.ordered)
        return pd.Series(column)
    return restore_dtype(cells, spec.dtype)
