"""Formula columns: dropped from what the model learns, computed from their operands.

The value is written at the column's decimals, so it matches the formula up to half of
the column's last decimal; it is missing where an operand is missing or a division is by
zero. A condition on the column itself is left to rejection (its operands must add up).
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from synthgen_core.constraints.axis import FloatArray, from_axis, step, to_axis, unclipped
from synthgen_core.constraints.formula import parse_formula
from synthgen_core.constraints.rule import BoolArray, Conditions, Rule, place
from synthgen_core.constraints.specs import Formula
from synthgen_core.metadata import ColumnSpec


class FormulaRule(Rule):
    rewrites = True

    def __init__(self, constraint: Formula, specs: dict[str, ColumnSpec]) -> None:
        super().__init__(specs)
        self.spec = specs[constraint.column]
        self.parsed = parse_formula(constraint.expression)
        self.position = 0

    @property
    def reads(self) -> frozenset[str]:
        return frozenset(self.parsed.columns)

    @property
    def writes(self) -> tuple[str, ...]:
        return (self.spec.name,)

    def holds(self, frame: pd.DataFrame) -> BoolArray:
        actual, computed = to_axis(self.spec, frame[self.spec.name]), self._compute(frame)
        tolerance = 0.5 * step(self.spec) + 1e-9 * np.maximum(1.0, np.abs(computed))
        with np.errstate(invalid="ignore"):
            close = np.abs(actual - computed) <= tolerance
        return np.asarray(np.isnan(actual) | np.isnan(computed) | close)

    def forward(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[ColumnSpec]]:
        self.position = list(frame.columns).index(self.spec.name)
        return frame.drop(columns=[self.spec.name]), []

    def inverse(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        values = from_axis(unclipped(self.spec), self._compute(frame), rng)
        return place(frame, self.spec.name, values.to_numpy(), self.position)

    def map_conditions(self, conditions: Conditions) -> tuple[Conditions, Conditions]:
        name = self.spec.name
        if name not in conditions:
            return conditions, {}
        return {k: v for k, v in conditions.items() if k != name}, {name: conditions[name]}

    def state(self) -> dict[str, int]:
        return {"position": self.position}

    def load_state(self, state: dict[str, object]) -> None:
        self.position = int(cast(int, state["position"]))

    def _compute(self, frame: pd.DataFrame) -> FloatArray:
        operands = {name: to_axis(self.specs[name], frame[name]) for name in self.parsed.columns}
        return self.parsed.evaluate(operands)
