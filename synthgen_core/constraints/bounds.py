"""Ranges (and ``positive``/``negative``): generated values are clipped into the bounds.

The training values all lie within the bounds, and every model clips a generated number to
the range it learned, so clipping here changes a value only where rounding or another
constraint pushed it out; a strict bound clips one step (the column's last decimal) inside.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthgen_core.constraints.axis import from_axis, step, to_axis
from synthgen_core.constraints.rule import BoolArray, Conditions, Rule
from synthgen_core.constraints.specs import Range
from synthgen_core.errors import ConditionError
from synthgen_core.metadata import ColumnSpec


class RangeRule(Rule):
    def __init__(self, constraint: Range, specs: dict[str, ColumnSpec]) -> None:
        super().__init__(specs)
        self.constraint = constraint
        self.spec = specs[constraint.column]

    def holds(self, frame: pd.DataFrame) -> BoolArray:
        values = to_axis(self.spec, frame[self.spec.name])
        return np.asarray(np.isnan(values) | self._inside(values))

    def enforce(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        values = to_axis(self.spec, frame[self.spec.name])
        outside = ~np.isnan(values) & ~self._inside(values)
        if not outside.any():
            return frame
        size = 0.0 if not self.constraint.strict else step(self.spec)
        low = -np.inf if self.constraint.low is None else self.constraint.low + size
        high = np.inf if self.constraint.high is None else self.constraint.high - size
        fixed = from_axis(self.spec, np.clip(values[outside], low, high), rng)
        frame.loc[frame.index[outside], self.spec.name] = fixed.to_numpy()
        return frame

    def map_conditions(self, conditions: Conditions) -> tuple[Conditions, Conditions]:
        name = self.spec.name
        if name in conditions and not self._inside(np.array([float(conditions[name])]))[0]:
            raise ConditionError(
                f"condition {conditions[name]!r} on column {name!r} is outside the model's "
                "range constraint on it; choose a value within the range",
                column=name,
            )
        return conditions, {}

    def _inside(self, values: np.ndarray) -> BoolArray:
        low, high, strict = self.constraint.low, self.constraint.high, self.constraint.strict
        inside = np.ones(len(values), dtype=bool)
        with np.errstate(invalid="ignore"):
            if low is not None:
                inside &= values > low if strict else values >= low
            if high is not None:
                inside &= values < high if strict else values <= high
        return inside
