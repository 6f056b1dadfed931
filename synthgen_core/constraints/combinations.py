"""Fixed combinations: the columns become one categorical column, one category per combination.

A model can then only generate a combination it saw, and splitting the code back gives
each column its own values (missing markers included) exactly as the training table held
them. A condition on some of the columns maps to the one combination it selects, or is
left to rejection when several combinations hold the value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthgen_core.constraints.rule import BoolArray, Conditions, Rule, derived_spec, place
from synthgen_core.constraints.specs import FixedCombinations
from synthgen_core.errors import ConditionError
from synthgen_core.metadata import ColumnKind, ColumnSpec
from synthgen_core.transform.missing import restore_dtype

_SEPARATOR = "\x1f"


class CombinationsRule(Rule):
    rewrites = True

    def __init__(self, constraint: FixedCombinations, specs: dict[str, ColumnSpec]) -> None:
        super().__init__(specs)
        self.columns = list(constraint.columns)
        self.joint = joint_name(self.columns, list(specs))
        #: column -> its value in each combination, by combination code
        self.values: dict[str, list[Any]] = {}

    @property
    def writes(self) -> tuple[str, ...]:
        return tuple(self.columns)

    def fit(self, frame: pd.DataFrame) -> None:
        _, first = np.unique(_keys(frame, self.columns), return_index=True)
        first = np.sort(first)  # codes in order of first appearance
        self.values = {
            name: [None if pd.isna(v) else v for v in frame[name].iloc[first].tolist()]
            for name in self.columns
        }

    def holds(self, frame: pd.DataFrame) -> BoolArray:
        return np.asarray(np.isin(_keys(frame, self.columns), self._seen()))

    def forward(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[ColumnSpec]]:
        seen = self._seen()
        lookup = pd.Series(np.arange(len(seen)), index=pd.Index(seen))
        codes = lookup.reindex(_keys(frame, self.columns)).to_numpy(dtype=np.int64)
        position = list(frame.columns).index(self.columns[0])
        frame = place(frame.drop(columns=self.columns), self.joint, codes, position)
        return frame, [derived_spec(self.joint, frame[self.joint], ColumnKind.CATEGORICAL)]

    def inverse(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        codes = frame[self.joint].to_numpy(dtype=np.int64)
        position = list(frame.columns).index(self.joint)
        frame = frame.drop(columns=[self.joint])
        for offset, name in enumerate(self.columns):
            stored = [np.nan if value is None else value for value in self.values[name]]
            cells = np.asarray(stored, dtype=object)[codes]  # missing as the codecs write it
            column = restore_dtype(cells, self.specs[name].dtype)
            frame = place(frame, name, column, position + offset)
        return frame

    def map_conditions(self, conditions: Conditions) -> tuple[Conditions, Conditions]:
        given = [name for name in self.columns if name in conditions]
        if not given:
            return conditions, {}
        matches = np.ones(len(self.values[self.columns[0]]), dtype=bool)
        for name in given:
            matches &= np.array([_same(v, conditions[name]) for v in self.values[name]])
        if not matches.any():
            shown = {name: conditions[name] for name in given}
            raise ConditionError(
                f"conditions {shown!r} form no combination of {self.columns} seen in the "
                "training table, and the model keeps only those; choose a seen combination",
                column=given[0],
            )
        mapped = {k: v for k, v in conditions.items() if k not in given}
        if matches.sum() == 1:
            mapped[self.joint] = int(np.flatnonzero(matches)[0])
            return mapped, {}
        return mapped, {name: conditions[name] for name in given}

    def _seen(self) -> np.ndarray:
        """(K,) the key of each seen combination, by code."""
        table = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in self.values.items()})
        return _keys(table, self.columns)

    def state(self) -> dict[str, Any]:
        return {"joint": self.joint, "values": self.values}

    def load_state(self, state: dict[str, Any]) -> None:
        self.joint = str(state["joint"])
        self.values = {str(k): list(v) for k, v in state["values"].items()}


def joint_name(columns: list[str], taken: list[str]) -> str:
    """``"city+state"``, primed until no column of the table has that name."""
    name = "+".join(columns)
    while name in taken:
        name += "'"
    return name


def _keys(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """(N,) one string per row joining its values in ``columns`` (missing -> ``<NA>``)."""
    parts = [
        frame[name].astype(object).where(frame[name].notna(), "<NA>").astype(str)
        for name in columns
    ]
    key = parts[0].reset_index(drop=True)
    for part in parts[1:]:
        key = key + _SEPARATOR + part.reset_index(drop=True)
    return key.to_numpy(dtype=object)


def _same(stored: Any, value: Any) -> bool:
    if stored is None:
        return False
    return bool(type(stored) is type(value) and stored == value) or (
        isinstance(value, int | float) and not isinstance(value, bool) and stored == value
    )
