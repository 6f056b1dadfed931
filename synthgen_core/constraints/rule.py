"""What every constraint kind implements: a check, and maybe a reversible rewrite.

A *rewrite* changes the columns it ``writes`` in the table the model learns, so that every
table the model can generate maps back to rows that keep the constraint (an inequality's
``high`` becomes a gap that is never negative). ``forward`` runs once, on the training
table; ``inverse`` runs on every generated frame. A kind with no rewrite (range, unique),
or a constraint whose column another constraint already rewrites, is only ``enforce``d on
the generated rows and ``holds`` checked, with the bounded rejection of :mod:`.sampler`
as the last resort.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.kinds import complete
from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata
from synthgen_core.metadata.detect import detect_column
from synthgen_core.metadata.missing import missing_mask

BoolArray = npt.NDArray[np.bool_]
Conditions = dict[str, Any]


class Rule:
    """One constraint bound to the specs of its columns (learned from the training table)."""

    #: whether this kind can rewrite columns (the plan may still use it as a check only)
    rewrites: ClassVar[bool] = False

    def __init__(self, specs: dict[str, ColumnSpec]) -> None:
        self.specs = specs

    @property
    def reads(self) -> frozenset[str]:
        """Columns whose user values ``forward`` and ``inverse`` need, besides ``writes``."""
        return frozenset()

    @property
    def writes(self) -> tuple[str, ...]:
        return ()

    def fit(self, frame: pd.DataFrame) -> None:
        """Learn what the rule needs from the training table (as the user gave it)."""

    def holds(self, frame: pd.DataFrame) -> BoolArray:
        """(N,) rows of a user-shaped ``frame`` that keep the constraint."""
        raise NotImplementedError

    def enforce(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """``frame`` moved onto the constraint where a cheap exact repair exists."""
        return frame

    def forward(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[ColumnSpec]]:
        """The rewritten training table and the specs of the columns it added or changed."""
        return frame, []

    def inverse(self, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        return frame

    def map_conditions(self, conditions: Conditions) -> tuple[Conditions, Conditions]:
        """(conditions on the rewritten table, user conditions left to rejection)."""
        return conditions, {}

    def state(self) -> dict[str, Any]:
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        """Take back what :meth:`state` returned (from a model file)."""


def derived_spec(name: str, series: pd.Series, kind: ColumnKind) -> ColumnSpec:
    """A complete spec of ``kind`` for a column the plan made.

    Complete, so conditions mapped onto it are checked whatever the model learns.
    """
    spec = detect_column(name, series)
    if spec.kind != kind:
        spec = Metadata(columns=[spec]).update_column(name, kind=kind).column(name)
    return complete(spec, series, missing_mask(series))


def place(frame: pd.DataFrame, name: str, values: Any, position: int) -> pd.DataFrame:
    """``frame`` with column ``name`` set to ``values`` at ``position`` (or where it is)."""
    column = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
    column = column.set_axis(frame.index)
    if name in frame.columns:
        frame[name] = column
        return frame
    frame.insert(min(position, frame.shape[1]), name, column)
    return frame
