"""Conditional sampling: checking conditions, and writing their exact values.

A condition fixes one column to one value in every generated row (``{"sex": " Female"}``),
or holds a numerical or datetime column within inclusive bounds (``{"age": {"min": 30,
"max": 40}}``, a :class:`~synthgen_core.ranges.Range`). :func:`validate_conditions` turns
user input (often strings from a command line or JSON) into the column's own values and
refuses what no model could honour: unknown columns, id columns (regenerated unique),
values of the wrong type, unknown categories, numbers or datetimes outside the learned range
(models interpolate, they do not extrapolate), ranges on columns without an order, empty
ranges and ranges with no overlap with the learned range.

The Gaussian copula and the autoregressive model apply conditions exactly. The other neural
models apply discrete ones through their conditional vector and fall back on the bounded
rejection sampler of :mod:`synthgen_core.sampling.rejection` for the rest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from synthgen_core.errors import ConditionError
from synthgen_core.kinds import DiscreteColumn, bounds, kind_of
from synthgen_core.metadata import ColumnSpec, Metadata
from synthgen_core.metadata.kinds import CONTINUOUS_KINDS
from synthgen_core.ranges import RANGE_KEYS, Range, range_from_text

_SHOWN = 8


def validate_conditions(metadata: Metadata, conditions: Mapping[str, Any]) -> dict[str, Any]:
    """Conditions with each value normalised to what the column stores.

    Categories match exactly, else by their text ignoring surrounding spaces and case
    (``"female"`` finds adult's ``" Female"``); numbers may be given as strings and are
    rounded to the column's learned decimals; datetimes become :class:`pandas.Timestamp`.
    A range, given as a :class:`Range` or a mapping with ``min`` and/or ``max``, becomes a
    :class:`Range` of such values, its bounds rounded inwards to the column's precision.
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
                f"cannot condition on unknown column {name!r}; columns: {_few(names)}",
                column=str(name),
            )
        try:
            checked[name] = _normalise(metadata.column(name), value)
        except ConditionError as error:  # the checks per kind know the value, not the key
            error.column = str(name)
            raise
    return checked


def condition_from_text(metadata: Metadata, column: str, text: str) -> str | Range:
    """A condition typed as text (a command line, a form field) as the value to validate.

    On a numerical or datetime column ``LOW..HIGH`` is a range (see
    :func:`~synthgen_core.ranges.range_from_text`); elsewhere, a category holding ``..``
    included, the text is the value. Unknown columns are left for validation to refuse.
    """
    ordered = column in metadata.names and metadata.column(column).kind in CONTINUOUS_KINDS
    return range_from_text(text) if ordered else text


def condition_number(spec: ColumnSpec, value: Any) -> float:
    """A validated numerical or datetime condition on the column's continuous axis."""
    return kind_of(spec).condition_number(spec, value)


def range_numbers(spec: ColumnSpec, condition: Range) -> tuple[float, float]:
    """A validated range's inclusive bounds on the column's continuous axis (open: inf)."""
    return bounds.range_numbers(condition, lambda value: condition_number(spec, value))


def category_code(spec: ColumnSpec, value: Any, info: DiscreteColumn | None = None) -> int:
    """The code a model fixes for a validated condition on a discrete column.

    ``info`` is the column's fitted code table; kinds whose codes are their categories
    need only ``spec`` (see :meth:`TableCodec.condition_code`, which passes it).
    """
    return kind_of(spec).condition_code(spec, info, value)


def _normalise(spec: ColumnSpec, value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        raise ConditionError(
            f"cannot condition column {spec.name!r} on a missing value; give a value, or "
            "filter the generated rows instead"
        )
    if isinstance(value, Mapping):
        value = _as_range(spec, value)
    if isinstance(value, Range):
        return kind_of(spec).normalise_range(spec, value)
    return kind_of(spec).normalise(spec, value)


def _as_range(spec: ColumnSpec, value: Mapping[Any, Any]) -> Range:
    """A range given as ``{"min": ..., "max": ...}`` (JSON, a command line)."""
    unknown = [key for key in value if key not in RANGE_KEYS]
    if unknown:
        raise ConditionError(
            f"range condition on column {spec.name!r} has unknown keys {unknown!r}; a range "
            "is {'min': ..., 'max': ...}, either bound optional"
        )
    return Range(min=value.get("min"), max=value.get("max"))


def set_exact_values(
    frame: pd.DataFrame, metadata: Metadata, conditions: Mapping[str, Any]
) -> pd.DataFrame:
    """``frame`` (index reset) with every validated condition its kind writes exactly.

    For models that draw a conditioned number inside an interval (a bin, a tolerance), for
    constants, whose rows the codec may write back as missing, and for kinds whose codes
    stand for several values. Categories a model fixes by their code are left as drawn, and
    so are ranges: a model draws its values inside them.
    """
    frame = frame.reset_index(drop=True)
    for name, value in conditions.items():
        if isinstance(value, Range):
            continue
        spec = metadata.column(name)
        written = kind_of(spec).write_exact(spec, frame[name], value)
        if written is not None:
            frame[name] = written
    return frame


def _few(items: list[str]) -> str:
    shown = ", ".join(str(item) for item in items[:_SHOWN])
    return shown + (f" ... ({len(items)} in all)" if len(items) > _SHOWN else "")
