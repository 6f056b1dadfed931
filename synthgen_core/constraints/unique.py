"""Unique columns: no two rows of one sample share their values in these columns.

No reparametrisation makes a model draw distinct values, so this is the one kind that
always relies on the bounded rejection of :mod:`.sampler`: repeated rows are dropped and
drawn again, and the sample fails with a ``ConstraintError`` when the budget runs out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthgen_core.constraints.rule import BoolArray, Rule
from synthgen_core.constraints.specs import Unique
from synthgen_core.metadata import ColumnSpec


class UniqueRule(Rule):
    def __init__(self, constraint: Unique, specs: dict[str, ColumnSpec]) -> None:
        super().__init__(specs)
        self.columns = list(constraint.columns)

    def holds(self, frame: pd.DataFrame) -> BoolArray:
        """Rows whose values no earlier row has (the first of equal rows is kept)."""
        return np.asarray(~frame.duplicated(subset=self.columns, keep="first").to_numpy())
