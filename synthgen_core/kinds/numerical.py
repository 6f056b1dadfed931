"""Numerical columns: float64 on their own axis, clipped and rounded as the source was.

Learned: whether every value is whole, the fewest decimals that reproduce the values, the
range, and whether the source wrote the numbers as text (a CSV column with ``"?"`` markers).
A condition may be given as a string (``"30"``) and is rounded to the learned decimals.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.errors import ConditionError
from synthgen_core.kinds.base import BoolArray, DiscreteColumn, Evaluated, FloatArray
from synthgen_core.kinds.families import ContinuousKind, check_range, learned_values
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.learn import as_float, fill_empty
from synthgen_core.transform.numbers import decode_numerical, encode_numerical

#: Whole numbers at or beyond this magnitude are floats: int64 cannot hold them.
INT64_LIMIT = 2.0**63
#: Up to this many decimals are tried before giving up on rounding a float column.
MAX_DECIMALS = 10


class NumericalKind(ContinuousKind):
    kind = ColumnKind.NUMERICAL
    evaluated_as: Evaluated | None = "numbers"

    def learn(self, spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
        values = as_float(spec.name, present)
        if values.size == 0:
            return spec
        # Past 2**63 every float is whole, yet no int64 holds it: such columns stay floats.
        integer = bool(np.all(values == np.round(values)) and np.abs(values).max() < INT64_LIMIT)
        as_text = ptypes.infer_dtype(present, skipna=True) == "string"
        decimals = _text_decimals(present) if as_text else 0 if integer else _decimals(values)
        return fill_empty(
            spec,
            integer=integer,
            decimals=decimals,
            min_value=float(values.min()),
            max_value=float(values.max()),
            numbers_as_text=as_text,
        )

    def encode(
        self, spec: ColumnSpec, series: pd.Series, mask: BoolArray, info: DiscreteColumn | None
    ) -> FloatArray:
        return encode_numerical(spec, series, mask)

    def decode(
        self,
        spec: ColumnSpec,
        values: np.ndarray | None,
        n_rows: int,
        rng: np.random.Generator,
        info: DiscreteColumn | None,
    ) -> pd.Series:
        return decode_numerical(spec, learned_values(spec, values), rng)

    def normalise(self, spec: ColumnSpec, value: Any) -> int | float:
        number = _as_float(spec, value)
        if spec.integer and not number.is_integer():
            raise ConditionError(
                f"column {spec.name!r} holds whole numbers; condition it on an integer, "
                f"not {value!r}"
            )
        if spec.decimals is not None:
            number = round(number, spec.decimals)
        check_range(spec, number, str(value), lambda bound: f"{bound:g}")
        return int(number) if spec.integer else number

    def condition_number(self, spec: ColumnSpec, value: Any) -> float:
        return float(value)

    def bound_number(self, spec: ColumnSpec, value: Any) -> float:
        return _as_float(spec, value)

    def bound_value(self, spec: ColumnSpec, number: float) -> int | float:
        if spec.integer:
            return round(number)
        return number if spec.decimals is None else round(number, spec.decimals)

    def axis_step(self, spec: ColumnSpec) -> float | None:
        if spec.integer:
            return 1.0
        return None if spec.decimals is None else 10.0**-spec.decimals


def _decimals(values: FloatArray) -> int | None:
    """Fewest decimals that reproduce every value (None: keep full float precision)."""
    sample = np.unique(values)[:100_000]
    # Relative: float noise (0.1 + 0.2 is 4e-17 off 0.3) passes, while 3e-12 does not round
    # to 0.0, and log(0.1) = -2.3025850929940455 keeps its digits: rounded to 10 decimals it
    # would become a value the data never holds, which a classifier spots in every row.
    tolerance = 1e-12 * np.abs(sample)
    for decimals in range(1, MAX_DECIMALS + 1):
        if np.all(np.abs(np.round(sample, decimals) - sample) <= tolerance):
            return decimals
    return None


def _text_decimals(strings: pd.Series) -> int:
    """Digits after the point in numbers written as text ("0.10" has 2: kept on output)."""
    fraction = strings.astype(str).str.partition(".")[2]
    return int(fraction.str.len().max())


def _as_float(spec: ColumnSpec, value: Any) -> float:
    if isinstance(value, bool | np.bool_):
        raise ConditionError(f"column {spec.name!r} is numerical; give a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # JSON integers may exceed any float
        raise ConditionError(
            f"column {spec.name!r} is numerical; give a number, not {value!r}"
        ) from None
    if not math.isfinite(number):
        raise ConditionError(f"column {spec.name!r}: condition {value!r} is not a finite number")
    return number


NUMERICAL = NumericalKind()
