"""Fixed increments: the model learns ``value / increment`` as a whole number.

Generated counts are rounded to whole numbers and multiplied back, so every value is a
multiple of the increment; a condition maps to its count, and a value that is not a
multiple is refused at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthgen_core.constraints.axis import from_axis, to_axis
from synthgen_core.constraints.rule import BoolArray, Conditions, Rule, derived_spec
from synthgen_core.constraints.specs import FixedIncrements
from synthgen_core.errors import ConditionError
from synthgen_core.metadata import ColumnKind, ColumnSpec

#: relative slack for float error in ``value / increment`` (0.3 / 0.1 is 2.9999999999999996)
_SLACK = 1e-6


class IncrementsRule(Rule):
    rewrites = True

    def __init__(self, constraint: FixedIncrements, specs: dict[str, ColumnSpec]) -> None:
        super().__init__(specs)
        self.spec = specs[constraint.column]
        self.increment = constraint.increment

    @property
    def writes(self) -> tuple[str, ...]:
        return (self.spec.name,)

    def holds(self, frame: pd.DataFrame) -> BoolArray:
        counts = to_axis(self.spec, frame[self.spec.name]) / self.increment
        with np.errstate(invalid="ignore"):
            whole = np.abs(counts - np.rint(counts)) <= _SLACK * np.maximum(1.0, np.abs(counts))
        return np.asarray(np.isnan(counts) | whole)

    def forward(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[ColumnSpec]]:
        counts = np.rint(to_axis(self.spec, frame[self.spec.name]) / self.increment)
        frame[self.spec.name] = pd.Series(counts, index=frame.index)
        return frame, [derived_spec(self.spec.name, frame[self.spec.name], ColumnKind.NUMERICAL)]

    def inverse(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        counts = np.rint(frame[self.spec.name].to_numpy(dtype=np.float64))
        values = from_axis(self.spec, counts * self.increment, rng)
        frame[self.spec.name] = values.set_axis(frame.index)
        return frame

    def map_conditions(self, conditions: Conditions) -> tuple[Conditions, Conditions]:
        name = self.spec.name
        if name not in conditions:
            return conditions, {}
        count = float(conditions[name]) / self.increment
        if abs(count - round(count)) > _SLACK * max(1.0, abs(count)):
            raise ConditionError(
                f"condition {conditions[name]!r} on column {name!r} is not a multiple of its "
                f"increment {self.increment:g}; choose a multiple",
                column=name,
            )
        return {**conditions, name: round(count)}, {}
