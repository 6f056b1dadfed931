"""Constant columns: one value (or none at all), written back at the source's missing rate.

Nothing is learned but the value. A condition must name that value; it is then written in
every row, since the source's missing cells would otherwise come back in some of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthgen_core.kinds.base import BoolArray, DiscreteColumn, UploadNote
from synthgen_core.kinds.categorical import match_category
from synthgen_core.kinds.families import UnlearnedKind, filled
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.learn import fill_empty, to_scalar
from synthgen_core.metadata.missing import missing_mask
from synthgen_core.transform.missing import draw_missing, fill_missing, restore_dtype


class ConstantKind(UnlearnedKind):
    kind = ColumnKind.CONSTANT
    upload_note: UploadNote | None = UploadNote(
        issue="constant", message="has a single value; nothing to learn", unusable=True
    )

    def learn(self, spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
        if present.empty:
            return spec
        return fill_empty(spec, constant_value=to_scalar(present.iloc[0], spec.name))

    def decode(
        self,
        spec: ColumnSpec,
        values: np.ndarray | None,
        n_rows: int,
        rng: np.random.Generator,
        info: DiscreteColumn | None,
    ) -> pd.Series:
        cells = np.full(n_rows, spec.constant_value, dtype=object)
        rate = 1.0 if spec.constant_value is None else spec.missing_rate
        mask = draw_missing(n_rows, rate, rng)
        return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)

    def normalise(self, spec: ColumnSpec, value: Any) -> Any:
        return match_category(spec, [spec.constant_value], value)

    def write_exact(self, spec: ColumnSpec, column: pd.Series, value: Any) -> pd.Series | None:
        return filled(column, value)

    def matches(
        self,
        spec: ColumnSpec,
        info: DiscreteColumn | None,
        series: pd.Series,
        value: Any,
        tolerance: float,
    ) -> BoolArray:
        return ~missing_mask(series)


CONSTANT = ConstantKind()
