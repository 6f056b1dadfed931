"""Datetime columns: float64 counts of the column's precision unit since the epoch.

Learned: the strftime format that writes strings back verbatim, the UTC offset they are
written in, the precision every value is a multiple of, and the range in that unit. A
condition may be a string in the column's format or any ISO form, or a datetime object.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.errors import ConditionError, DataError
from synthgen_core.kinds.base import BoolArray, DiscreteColumn, Evaluated, FloatArray
from synthgen_core.kinds.families import ContinuousKind, check_range, filled, learned_values
from synthgen_core.metadata.datetimes import (
    as_naive_utc,
    infer_format,
    infer_precision,
    parse_with_format,
    split_offset,
    to_int_ns,
    unit_ns,
)
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.learn import fill_empty
from synthgen_core.transform.datetimes import decode_datetime, encode_datetime, format_datetimes


class DatetimeKind(ContinuousKind):
    kind = ColumnKind.DATETIME
    evaluated_as: Evaluated | None = "datetimes"

    def learn(self, spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
        fmt, parsed = _parsed(spec, present)
        nanoseconds = to_int_ns(pd.Series(parsed))
        offset = _most_common_offset(present) if fmt and fmt.endswith("%z") else None
        if nanoseconds.size == 0:
            return fill_empty(
                spec, datetime_format=fmt, utc_offset=offset, precision=spec.precision or "s"
            )
        precision = spec.precision or infer_precision(nanoseconds)
        units = nanoseconds // unit_ns(precision)
        return fill_empty(
            spec,
            datetime_format=fmt,
            utc_offset=offset,
            precision=precision,
            min_value=float(units.min()),
            max_value=float(units.max()),
        )

    def encode(
        self, spec: ColumnSpec, series: pd.Series, mask: BoolArray, info: DiscreteColumn | None
    ) -> FloatArray:
        return encode_datetime(spec, series, mask)

    def decode(
        self,
        spec: ColumnSpec,
        values: np.ndarray | None,
        n_rows: int,
        rng: np.random.Generator,
        info: DiscreteColumn | None,
    ) -> pd.Series:
        return decode_datetime(spec, learned_values(spec, values), rng)

    def normalise(self, spec: ColumnSpec, value: Any) -> pd.Timestamp:
        stamp = _parse_timestamp(spec, value)
        precision = spec.precision or "ns"
        if stamp.value % unit_ns(precision):
            raise ConditionError(
                f"column {spec.name!r} holds datetimes to the {precision!r} unit; give a "
                f"value at that precision, not {value!r}"
            )
        check_range(spec, self.condition_number(spec, stamp), str(value), lambda b: _bound(spec, b))
        return stamp

    def condition_number(self, spec: ColumnSpec, value: Any) -> float:
        return float(pd.Timestamp(value).value // unit_ns(spec.precision or "ns"))

    def bound_number(self, spec: ColumnSpec, value: Any) -> float:
        return _parse_timestamp(spec, value).value / unit_ns(spec.precision or "ns")

    def bound_value(self, spec: ColumnSpec, number: float) -> pd.Timestamp:
        return pd.Timestamp(round(number) * unit_ns(spec.precision or "ns"))

    def axis_step(self, spec: ColumnSpec) -> float | None:
        return 1.0  # the axis counts the column's precision unit

    def write_exact(self, spec: ColumnSpec, column: pd.Series, value: Any) -> pd.Series | None:
        """The timestamp as the column holds it: formatted text, or in the column's zone."""
        if spec.datetime_format is not None and not ptypes.is_datetime64_any_dtype(column.dtype):
            stamps = as_naive_utc(pd.Series([pd.Timestamp(value)]))
            value = format_datetimes(spec, stamps).iloc[0]
        elif ptypes.is_datetime64_any_dtype(column.dtype):
            tz = getattr(column.dtype, "tz", None)
            value = pd.Timestamp(value).tz_localize("UTC").tz_convert(tz) if tz else value
        return filled(column, value)


def _parsed(spec: ColumnSpec, present: pd.Series) -> tuple[str | None, pd.Series]:
    """The column's format (learned for strings) and its values as datetimes."""
    fmt = spec.datetime_format
    if ptypes.is_datetime64_any_dtype(present.dtype):
        parsed = present
    elif ptypes.infer_dtype(present, skipna=True) == "string":
        fmt = fmt or infer_format(present)
        if fmt is None:
            raise DataError(
                f"column {spec.name!r} is datetime but no single format parses all "
                "its strings; give one with update_column(datetime_format='%Y-%m-%d')"
            )
        parsed = parse_with_format(present, fmt)
    else:  # datetime objects, maybe with several time zones: as UTC instants
        parsed = pd.to_datetime(present.astype(object), errors="coerce", utc=True)
    if parsed.isna().any():
        raise DataError(
            f"column {spec.name!r} is datetime but some values do not parse; "
            "clean them or set its kind to 'categorical'"
        )
    return fmt, parsed


def _most_common_offset(strings: pd.Series) -> str | None:
    """The offset most strings end with: generated datetimes are written in it."""
    offsets = split_offset(strings)[1].dropna()
    return str(offsets.mode().iloc[0]) if len(offsets) else None


def _parse_timestamp(spec: ColumnSpec, value: Any) -> pd.Timestamp:
    problem = (
        f"column {spec.name!r} holds datetimes; give one like "
        + repr(spec.datetime_format or "2024-01-31 12:00:00")
        + f", not {value!r}"
    )
    stamp = _parsed_stamp(spec, value, problem)
    if pd.isna(stamp):
        raise ConditionError(problem)
    if stamp.tzinfo is not None:  # the axis counts UTC instants
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def _parsed_stamp(spec: ColumnSpec, value: Any, problem: str) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        return pd.Timestamp(value)
    if not isinstance(value, str):
        raise ConditionError(problem)
    if spec.datetime_format is not None:
        parsed = parse_with_format(pd.Series([value]), spec.datetime_format).iloc[0]
        if not pd.isna(parsed):
            return pd.Timestamp(parsed)
    try:
        return pd.Timestamp(value)
    except ValueError:
        raise ConditionError(problem) from None


def _bound(spec: ColumnSpec, bound: float) -> str:
    return str(pd.Timestamp(int(bound) * unit_ns(spec.precision or "ns")))


DATETIME = DatetimeKind()
