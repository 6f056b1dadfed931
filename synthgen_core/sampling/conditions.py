"""Conditional sampling: checking conditions, and writing their exact values.

A condition fixes one column to one value in every generated row (``{"sex": " Female"}``).
:func:`validate_conditions` turns user input (often strings from a command line or JSON)
into the column's own values and refuses what no model could honour: unknown columns, id
columns (regenerated unique), values of the wrong type, unknown categories, numbers or
datetimes outside the learned range (models interpolate, they do not extrapolate).

The Gaussian copula applies conditions exactly. The neural models apply discrete ones
through their conditional vector and fall back on the bounded rejection sampler of
:mod:`synthgen_core.sampling.rejection` for the rest.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from synthgen_core.errors import ConditionError
from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata
from synthgen_core.metadata.datetimes import as_naive_utc, parse_with_format, unit_ns
from synthgen_core.transform.datetimes import format_datetimes

_SHOWN = 8


def validate_conditions(metadata: Metadata, conditions: Mapping[str, Any]) -> dict[str, Any]:
    """Conditions with each value normalised to what the column stores.

    Categories match exactly, else by their text ignoring surrounding spaces and case
    (``"female"`` finds adult's ``" Female"``); numbers may be given as strings and are
    rounded to the column's learned decimals; datetimes become :class:`pandas.Timestamp`.
    """
    if not isinstance(conditions, Mapping):
        raise ConditionError(
            f"conditions must map column names to values, got {type(conditions).__name__}"
        )
    names = metadata.names
    checked: dict[str, Any] = {}
    for name, value in conditions.items():
        if name not in names:
            raise ConditionError(
                f"cannot condition on unknown column {name!r}; columns: {_few(names)}"
            )
        checked[name] = _normalise(metadata.column(name), value)
    return checked


def condition_number(spec: ColumnSpec, value: Any) -> float:
    """A validated numerical or datetime condition on the column's continuous axis."""
    if spec.kind == ColumnKind.DATETIME:
        return float(pd.Timestamp(value).value // unit_ns(spec.precision or "ns"))
    return float(value)


def category_code(spec: ColumnSpec, value: Any) -> int:
    """Position of a validated categorical or boolean condition among the categories."""
    for position, category in enumerate(spec.categories or []):
        if type(category) is type(value) and category == value:
            return position
    raise ConditionError(f"{value!r} is not a category of column {spec.name!r}")


def _normalise(spec: ColumnSpec, value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        raise ConditionError(
            f"cannot condition column {spec.name!r} on a missing value; give a value, or "
            "filter the generated rows instead"
        )
    if spec.kind == ColumnKind.ID:
        raise ConditionError(
            f"cannot condition on id column {spec.name!r}: ids are regenerated unique for "
            "every row; drop this condition"
        )
    if spec.kind == ColumnKind.NUMERICAL:
        return _number(spec, value)
    if spec.kind == ColumnKind.DATETIME:
        return _timestamp(spec, value)
    if spec.kind == ColumnKind.CONSTANT:
        return _match_category(spec, [spec.constant_value], value)
    return _match_category(spec, spec.categories or [], value)


def _match_category(spec: ColumnSpec, categories: list[Any], value: Any) -> Any:
    for category in categories:
        if type(category) is type(value) and category == value:
            return category
    if _is_number(value):  # 2.0 (JSON has no int/float distinction) names category 2
        equal = [c for c in categories if _is_number(c) and c == value]
        if len(equal) == 1:
            return equal[0]
    text = str(value).strip()
    for fold in (lambda s: s, str.lower):
        found = [c for c in categories if c is not None and fold(str(c).strip()) == fold(text)]
        if len(found) == 1:
            return found[0]
    raise ConditionError(
        f"{value!r} is not a value of column {spec.name!r}; valid values: "
        f"{_few([repr(c) for c in categories])}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def _number(spec: ColumnSpec, value: Any) -> int | float:
    number = _as_float(spec, value)
    if spec.integer and not number.is_integer():
        raise ConditionError(
            f"column {spec.name!r} holds whole numbers; condition it on an integer, not {value!r}"
        )
    if spec.decimals is not None:
        number = round(number, spec.decimals)
    _check_range(spec, number, str(value))
    return int(number) if spec.integer else number


def _as_float(spec: ColumnSpec, value: Any) -> float:
    if isinstance(value, bool | np.bool_):
        raise ConditionError(f"column {spec.name!r} is numerical; give a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConditionError(
            f"column {spec.name!r} is numerical; give a number, not {value!r}"
        ) from None
    if not math.isfinite(number):
        raise ConditionError(f"column {spec.name!r}: condition {value!r} is not a finite number")
    return number


def _timestamp(spec: ColumnSpec, value: Any) -> pd.Timestamp:
    stamp = _parse_timestamp(spec, value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    precision = spec.precision or "ns"
    if stamp.value % unit_ns(precision):
        raise ConditionError(
            f"column {spec.name!r} holds datetimes to the {precision!r} unit; give a value "
            f"at that precision, not {value!r}"
        )
    _check_range(spec, condition_number(spec, stamp), str(value))
    return stamp


def _parse_timestamp(spec: ColumnSpec, value: Any) -> pd.Timestamp:
    problem = (
        f"column {spec.name!r} holds datetimes; give one like "
        + repr(spec.datetime_format or "2024-01-31 12:00:00")
        + f", not {value!r}"
    )
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


def _check_range(spec: ColumnSpec, number: float, shown: str) -> None:
    low, high = spec.min_value, spec.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        raise ConditionError(
            f"condition {shown} on column {spec.name!r} lies outside the range the model "
            f"learned ({_shown_bound(spec, low)} to {_shown_bound(spec, high)}); models do not "
            "extrapolate, choose a value within it"
        )


def _shown_bound(spec: ColumnSpec, bound: float | None) -> str:
    if bound is None:
        return "unbounded"
    if spec.kind == ColumnKind.DATETIME:
        return str(pd.Timestamp(int(bound) * unit_ns(spec.precision or "ns")))
    return f"{bound:g}"


def set_exact_values(
    frame: pd.DataFrame, metadata: Metadata, conditions: Mapping[str, Any]
) -> pd.DataFrame:
    """``frame`` with every validated numerical, datetime or constant condition written in.

    For models that draw a conditioned number inside an interval (a bin, a tolerance) and
    for constants, whose rows the codec may write back as missing.
    """
    specs = [metadata.column(name) for name in conditions]
    frame = _fix_values(frame, specs, conditions)
    for spec in specs:
        if spec.kind == ColumnKind.CONSTANT:
            column = frame[spec.name]
            frame[spec.name] = pd.Series([conditions[spec.name]] * len(frame), dtype=column.dtype)
    return frame


def _fix_values(
    frame: pd.DataFrame, specs: list[ColumnSpec], conditions: Mapping[str, Any]
) -> pd.DataFrame:
    """Accepted rows with continuous conditions set exactly, dtypes kept."""
    frame = frame.reset_index(drop=True)
    for spec in specs:
        if spec.kind not in (ColumnKind.NUMERICAL, ColumnKind.DATETIME):
            continue
        value = conditions[spec.name]
        column = frame[spec.name]
        if (
            spec.kind == ColumnKind.DATETIME
            and spec.datetime_format is not None
            and not (pd.api.types.is_datetime64_any_dtype(column.dtype))
        ):
            stamps = as_naive_utc(pd.Series([pd.Timestamp(value)]))
            value = format_datetimes(spec, stamps).iloc[0]
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            tz = getattr(column.dtype, "tz", None)
            value = pd.Timestamp(value).tz_localize("UTC").tz_convert(tz) if tz else value
        frame[spec.name] = pd.Series([value] * len(frame), dtype=column.dtype)
    return frame


def _few(items: list[str]) -> str:
    shown = ", ".join(str(item) for item in items[:_SHOWN])
    return shown + (f" ... ({len(items)} in all)" if len(items) > _SHOWN else "")
