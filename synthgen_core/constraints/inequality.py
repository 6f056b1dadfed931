"""``low <= high``: the model learns ``high`` as the gap ``high - low``, which is never negative.

Every model clips a generated number to the range it learned, and the training gaps are
all ``>= 0`` (``> 0`` when strict), so ``low + gap`` keeps the order by construction. The
sum is written at ``high``'s resolution (its decimals, or its datetime unit) and moved up
one step where that rounding would cross ``low``. A missing ``low`` counts as its median,
so ``high`` keeps its own values in those rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthgen_core.constraints.axis import FloatArray, axis_unit, from_axis, round_like, step
from synthgen_core.constraints.axis import to_axis as column_axis
from synthgen_core.constraints.rule import BoolArray, Conditions, Rule, derived_spec
from synthgen_core.constraints.specs import Inequality
from synthgen_core.errors import ConditionError
from synthgen_core.metadata import ColumnKind, ColumnSpec
from synthgen_core.metadata.datetimes import unit_ns
from synthgen_core.sampling.conditions import condition_number


class InequalityRule(Rule):
    rewrites = True

    def __init__(self, constraint: Inequality, specs: dict[str, ColumnSpec]) -> None:
        super().__init__(specs)
        self.constraint = constraint
        self.low, self.high = specs[constraint.low], specs[constraint.high]
        self.unit = axis_unit(self.low, self.high)
        self.fill = 0.0

    @property
    def reads(self) -> frozenset[str]:
        return frozenset({self.low.name})

    @property
    def writes(self) -> tuple[str, ...]:
        return (self.high.name,)

    def fit(self, frame: pd.DataFrame) -> None:
        low = self._axis(self.low, frame)
        present = low[~np.isnan(low)]
        self.fill = float(np.median(present)) if present.size else 0.0

    def holds(self, frame: pd.DataFrame) -> BoolArray:
        low, high = self._axis(self.low, frame), self._axis(self.high, frame)
        with np.errstate(invalid="ignore"):
            ordered = low < high if self.constraint.strict else low <= high
        return np.asarray(np.isnan(low) | np.isnan(high) | ordered)

    def forward(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[ColumnSpec]]:
        gap = self._axis(self.high, frame) - self._base(frame)
        frame[self.high.name] = pd.Series(gap, index=frame.index)
        return frame, [derived_spec(self.high.name, frame[self.high.name], ColumnKind.NUMERICAL)]

    def inverse(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        base = self._base(frame)
        gap = np.maximum(frame[self.high.name].to_numpy(dtype=np.float64), 0.0)
        low_bound, high_bound = self._learned_range()
        high = round_like(self.high, np.clip(base + gap, low_bound, high_bound), self.unit)
        least = self._least_above(base)
        high = np.where(high < least, least, high)  # never clipped back: least <= the max
        frame[self.high.name] = from_axis(self.high, high, rng, self.unit).set_axis(frame.index)
        return frame

    def map_conditions(self, conditions: Conditions) -> tuple[Conditions, Conditions]:
        name = self.high.name
        if name not in conditions:
            return conditions, {}
        mapped = dict(conditions)
        value = mapped.pop(name)
        if self.low.name not in conditions:
            return mapped, {name: value}
        gap = self._number(self.high, value) - self._number(self.low, conditions[self.low.name])
        if gap < 0 or (gap == 0 and self.constraint.strict):
            raise ConditionError(
                f"conditions on {self.low.name!r} and {name!r} break the model's constraint "
                f"{self.low.name} {'<' if self.constraint.strict else '<='} {name}; "
                "choose values that keep it",
                column=name,
            )
        mapped[name] = gap
        return mapped, {}

    def state(self) -> dict[str, Any]:
        return {"fill": self.fill}

    def load_state(self, state: dict[str, Any]) -> None:
        self.fill = float(state["fill"])

    def _axis(self, spec: ColumnSpec, frame: pd.DataFrame) -> FloatArray:
        return column_axis(spec, frame[spec.name], self.unit)

    def _base(self, frame: pd.DataFrame) -> FloatArray:
        low = self._axis(self.low, frame)
        return np.where(np.isnan(low), self.fill, low)

    def _learned_range(self) -> tuple[float, float]:
        """``high``'s learned range on the axis: what writing it back clips to."""
        scale = unit_ns(self.high.precision or "ns") / self.unit
        if self.high.kind != ColumnKind.DATETIME:
            scale = 1.0
        low = -np.inf if self.high.min_value is None else self.high.min_value * scale
        high = np.inf if self.high.max_value is None else self.high.max_value * scale
        return low, high

    def _least_above(self, base: FloatArray) -> FloatArray:
        """The smallest value ``high`` can show that keeps the order with ``base``."""
        size = step(self.high, self.unit)
        least = np.ceil(base / size - 1e-9) * size
        if self.constraint.strict:
            least = np.where(least <= base, least + size, least)
        return np.asarray(least)

    def _number(self, spec: ColumnSpec, value: Any) -> float:
        own = condition_number(spec, value)
        if spec.kind != ColumnKind.DATETIME:
            return own
        return own * (unit_ns(spec.precision or "ns") / self.unit)
