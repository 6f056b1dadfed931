"""A constrained column <-> floats on one axis, so constraints are arithmetic on arrays.

Numbers stay numbers; datetimes become counts of a shared unit (nanoseconds per unit
given), so an inequality between a date and a timestamp compares instants. The way back
writes the column as the user gave it (dtype, text, datetime format, missing markers),
through the same decoders the models use.
"""

from __future__ import annotations

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.metadata import ColumnKind, ColumnSpec
from synthgen_core.metadata.datetimes import unit_ns
from synthgen_core.transform.datetimes import decode_datetime, encode_datetime
from synthgen_core.transform.numbers import decode_numerical, encode_numerical

FloatArray = npt.NDArray[np.float64]


def axis_unit(*specs: ColumnSpec) -> int:
    """Nanoseconds per axis unit: the finest precision among datetime ``specs`` (1 else)."""
    units = [unit_ns(s.precision or "ns") for s in specs if s.kind == ColumnKind.DATETIME]
    return min(units) if units else 1


def to_axis(spec: ColumnSpec, series: pd.Series, unit: int = 1) -> FloatArray:
    """(N,) floats, NaN where the cell is missing."""
    series = series.reset_index(drop=True)
    mask = _missing(spec, series)
    if spec.kind != ColumnKind.DATETIME:
        return encode_numerical(spec, series, mask)
    own = unit_ns(spec.precision or "ns")
    return encode_datetime(spec, series, mask) * (own / unit)


def _missing(spec: ColumnSpec, series: pd.Series) -> npt.NDArray[np.bool_]:
    """Missing cells: nulls and the column's own markers (cheaper than looking for any)."""
    if not spec.missing_markers:
        return np.asarray(series.isna().to_numpy(), dtype=bool)
    markers = list(spec.missing_markers)
    return np.asarray((series.isna() | series.isin(markers)).to_numpy(), dtype=bool)


def from_axis(
    spec: ColumnSpec, values: FloatArray, rng: np.random.Generator, unit: int = 1
) -> pd.Series:
    """The column as the user wrote it; rounded and clipped like any generated value."""
    if spec.kind != ColumnKind.DATETIME:
        return decode_numerical(spec, values, rng)
    own = unit_ns(spec.precision or "ns")
    return decode_datetime(spec, values * (unit / own), rng)


def step(spec: ColumnSpec, unit: int = 1) -> float:
    """The smallest difference the column can show, on the axis."""
    if spec.kind == ColumnKind.DATETIME:
        return unit_ns(spec.precision or "ns") / unit
    if spec.integer or spec.decimals == 0:
        return 1.0
    return 10.0 ** -(spec.decimals if spec.decimals is not None else 9)


def round_like(spec: ColumnSpec, values: FloatArray, unit: int = 1) -> FloatArray:
    """``values`` at the column's resolution (what writing them back would do)."""
    if spec.kind == ColumnKind.DATETIME:
        size = step(spec, unit)
        return np.asarray(np.rint(values / size) * size)
    if spec.integer or spec.decimals == 0:
        return np.rint(values)
    return values if spec.decimals is None else np.round(values, spec.decimals)


def unclipped(spec: ColumnSpec) -> ColumnSpec:
    """``spec`` without its learned range: for values computed by a rule, not drawn."""
    return msgspec.structs.replace(spec, min_value=None, max_value=None)
