"""Checking ``conditions`` of a generate request against the dataset version's metadata.

The worker would refuse impossible conditions too, but only minutes later; checking column
names, value types and known categories here answers at once, naming ``conditions.<column>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata
from synthgen_service.errors import InvalidField


def check_conditions(conditions: dict[str, Any], metadata: dict[str, Any]) -> None:
    """Raise :class:`InvalidField` for the first condition that cannot be honoured."""
    specs = {spec.name: spec for spec in Metadata.from_dict(metadata).columns}
    for column, value in conditions.items():
        key = f"conditions.{column}"
        spec = specs.get(column)
        if spec is None:
            names = ", ".join(repr(name) for name in list(specs)[:20])
            raise InvalidField(f"unknown column {column!r}; the columns are: {names}", key=key)
        problem = _problem(spec, value)
        if problem is not None:
            raise InvalidField(f"condition on column {column!r}: {problem}", key=key)


def _problem(spec: ColumnSpec, value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return "give one scalar value (a string, number or boolean)"
    check = _CHECKS.get(spec.kind, _category_problem)
    return check(spec, value)


def _id_problem(_spec: ColumnSpec, _value: Any) -> str:
    return "id columns are regenerated, not learned, so they cannot be conditioned on"


def _constant_problem(spec: ColumnSpec, value: Any) -> str | None:
    return None if value == spec.constant_value else "the column has a single value"


def _category_problem(spec: ColumnSpec, value: Any) -> str | None:
    if spec.categories is not None and value not in spec.categories:
        shown = ", ".join(repr(category) for category in spec.categories[:20])
        return f"value is not one of the column's categories ({shown})"
    return None


def _numeric_problem(spec: ColumnSpec, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "the column is numerical; give a number"
    if not math.isfinite(value):
        return "give a finite number"
    low, high = spec.min_value, spec.max_value
    if low is not None and high is not None and not low <= value <= high:
        return f"value is outside the range seen in training [{low}, {high}]"
    return None


def _datetime_problem(_spec: ColumnSpec, value: Any) -> str | None:
    if not isinstance(value, str):
        return "the column holds dates; give an ISO 8601 string such as '2024-01-31'"
    try:
        pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return "cannot parse the value as a date; use ISO 8601 such as '2024-01-31'"
    return None


_CHECKS: dict[ColumnKind, Callable[[ColumnSpec, Any], str | None]] = {
    ColumnKind.ID: _id_problem,
    ColumnKind.NUMERICAL: _numeric_problem,
    ColumnKind.DATETIME: _datetime_problem,
    ColumnKind.CONSTANT: _constant_problem,
}

__all__ = ["check_conditions"]
