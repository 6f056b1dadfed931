"""Datetime columns <-> float64 vectors counting ``precision`` units since the epoch.

Counting in the column's own precision keeps numbers small enough for float64 to hold them
exactly up to microseconds (a nanosecond count of today exceeds 2**53, so ``ns`` columns are
exact only to about a quarter of a microsecond). Strings come back in their source format,
datetime64 columns as datetime64 with their time zone.
"""

from __future__ import annotations

from typing import Any, cast

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.errors import DataError
from synthgen_core.metadata.datetimes import (
    as_naive_utc,
    offset_minutes,
    parse_with_format,
    unit_ns,
)
from synthgen_core.metadata.kinds import ColumnSpec
from synthgen_core.transform.missing import fill_missing, restore_dtype
from synthgen_core.transform.numbers import clip_and_round

FloatArray = npt.NDArray[np.float64]


def encode_datetime(spec: ColumnSpec, series: pd.Series, mask: np.ndarray) -> FloatArray:
    present = series[~mask]
    if spec.datetime_format is not None and not ptypes.is_datetime64_any_dtype(present.dtype):
        parsed = parse_with_format(present.astype(str), spec.datetime_format)
    elif ptypes.is_datetime64_any_dtype(present.dtype):
        parsed = present
    else:  # datetime objects, maybe with several time zones: as UTC instants
        parsed = pd.to_datetime(present.astype(object), errors="coerce", utc=True)
    if parsed.isna().any():
        raise DataError(
            f"column {spec.name!r}: {int(parsed.isna().sum())} value(s) do not "
            f"parse as datetimes in format {spec.datetime_format!r}; clean them or "
            "set the right datetime_format with metadata.update_column"
        )
    nanoseconds = as_naive_utc(pd.Series(parsed)).to_numpy(dtype="datetime64[ns]").view(np.int64)
    out = np.full(len(series), np.nan)
    precision = spec.precision or "ns"
    out[~mask] = (nanoseconds // unit_ns(precision)).astype(np.float64)
    return out


def decode_datetime(spec: ColumnSpec, values: FloatArray, rng: np.random.Generator) -> pd.Series:
    values = np.asarray(values, dtype=np.float64)
    mask = np.isnan(values)
    units = np.rint(clip_and_round(_no_rounding(spec), values))
    units[mask] = 0
    stamps = pd.Series(units.astype(np.int64) * unit_ns(spec.precision or "ns")).astype(
        "datetime64[ns]"
    )
    if spec.datetime_format is not None and not _is_datetime_dtype(spec.dtype):
        cells = format_datetimes(spec, stamps).to_numpy(dtype=object)
        return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)
    target = pd.api.types.pandas_dtype(spec.dtype) if _is_datetime_dtype(spec.dtype) else None
    tz = getattr(target, "tz", None)
    if tz is not None:
        stamps = stamps.dt.tz_localize("UTC").dt.tz_convert(tz)
    out: pd.Series = stamps.where(~mask).astype(cast(Any, target or spec.dtype))
    return out


def format_datetimes(spec: ColumnSpec, stamps: pd.Series) -> pd.Series:
    """Naive UTC ``stamps`` as the column's strings.

    A format ending in ``%z`` writes every value in the column's most common offset: the
    instant is kept, though not a daylight-saving zone's summer or winter offset.
    """
    fmt = spec.datetime_format or "%Y-%m-%d %H:%M:%S"
    if not fmt.endswith("%z"):
        plain: pd.Series = stamps.dt.strftime(fmt)
        return plain
    offset = spec.utc_offset or "+00:00"
    local = stamps + pd.Timedelta(minutes=offset_minutes(offset))
    written: pd.Series = local.dt.strftime(fmt.removesuffix("%z")) + offset
    return written


def _is_datetime_dtype(dtype: str) -> bool:
    return dtype.startswith("datetime64")


def _no_rounding(spec: ColumnSpec) -> ColumnSpec:
    """Datetimes are rounded to whole units, never to decimals."""
    return msgspec.structs.replace(spec, decimals=None)
