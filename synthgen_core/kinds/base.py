"""The contract every column kind keeps, and the code table models see of a discrete one.

A kind is one module under :mod:`synthgen_core.kinds` holding everything that differs
between kinds: what is learned about a column, how it is encoded for the models and decoded
back, how a condition on it is checked and applied, and which quality metric compares it.
The codec, detection, conditions, evaluation and the models look the kind up in
:data:`synthgen_core.kinds.table.KINDS` instead of branching on :class:`ColumnKind`.

A column's encoding belongs to one of three families:

* ``continuous``: a float64 vector (N,), NaN where missing;
* ``discrete``: int64 codes (N,) into the kind's :class:`DiscreteColumn`, missing being the
  last code. A code may stand for one level (categories) or for several (a coarse code of a
  many-level column, decoded by drawing one of its real levels);
* ``unlearned``: nothing is encoded; decoding writes the column from its spec alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec, Scalar
from synthgen_core.metadata.metadata import Metadata
from synthgen_core.ranges import Range

Family = Literal["continuous", "discrete", "unlearned"]
#: How the quality report reads a column: its metric follows (numbers and datetimes by
#: KSComplement, categories by TVComplement); None leaves the column out of the scores.
Evaluated = Literal["numbers", "datetimes", "categories"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class UploadNote:
    """What the service's data-quality summary says of every column of a kind."""

    #: The issue's ``kind`` in the summary (``"constant"``).
    issue: str
    #: Follows ``column 'name': `` in the message.
    message: str
    #: The column counts as unusable (nothing to learn); it then stands in for "mostly missing".
    unusable: bool


class LevelCodes(msgspec.Struct, frozen=True, kw_only=True):
    """Codes that each stand for several levels of ``spec.categories``.

    Decoding a code draws one of its levels with probability ``level_weights``, so only
    real levels come out, in their training shares.
    """

    #: Per level of ``spec.categories`` (same order), the code that stands for it.
    level_codes: list[int]
    #: Per level, its share among the training rows of its code (each code's shares sum to 1).
    level_weights: list[float]


class DiscreteColumn(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What a model needs about one discrete column, codes in order."""

    name: str
    #: One label per code: code ``i`` is ``categories[i]``; the missing code (if any) follows.
    #: For kinds whose codes are levels these are the levels themselves.
    categories: list[Scalar]
    #: Share of training rows per code, missing code included when ``has_missing``.
    frequencies: list[float]
    has_missing: bool
    #: Set when codes stand for several levels each (see :class:`LevelCodes`).
    levels: LevelCodes | None = None

    @property
    def n_codes(self) -> int:
        return len(self.categories) + int(self.has_missing)


class Kind(Protocol):
    """What one column kind knows; one instance per kind lives in the kinds table."""

    kind: ColumnKind
    family: Family
    #: How evaluation reads the column (its shape and trend metric); None: not scored.
    evaluated_as: Evaluated | None
    #: What the upload's data-quality summary says of the column; None: nothing.
    upload_note: UploadNote | None

    def refines(self, base: ColumnKind, name: str, present: pd.Series) -> bool:
        """Whether detection should give this kind a column its ordered rules made ``base``."""
        ...

    def learn(self, spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
        """``spec`` with the fields it leaves empty learned from the non-missing values."""
        ...

    def fit_codes(self, spec: ColumnSpec, series: pd.Series, mask: BoolArray) -> DiscreteColumn:
        """Discrete family: the code table models see, from the training column."""
        ...

    def max_codes(self, spec: ColumnSpec) -> int:
        """Discrete family: at most how many codes (missing aside) the column will get.

        Read before fitting, to bound a model's size; a spec without categories counts 1.
        """
        ...

    def encode(
        self, spec: ColumnSpec, series: pd.Series, mask: BoolArray, info: DiscreteColumn | None
    ) -> FloatArray | IntArray:
        """Learned families: the (N,) vector of ``series``; ``info`` for discrete kinds."""
        ...

    def decode(
        self,
        spec: ColumnSpec,
        values: np.ndarray | None,
        n_rows: int,
        rng: np.random.Generator,
        info: DiscreteColumn | None,
    ) -> pd.Series:
        """The column as the source stored it, from ``values`` (None when unlearned)."""
        ...

    def relate(
        self, spec: ColumnSpec, frame: pd.DataFrame, metadata: Metadata, rng: np.random.Generator
    ) -> pd.Series | None:
        """The decoded column rewritten to agree with the rest of its row; None leaves it.

        Called once all columns of ``frame`` are decoded (an email written from the row's
        generated name).
        """
        ...

    def normalise(self, spec: ColumnSpec, value: Any) -> Any:
        """A condition's value as the column stores it, or ConditionError naming the fix."""
        ...

    def normalise_range(self, spec: ColumnSpec, condition: Range) -> Range:
        """A range condition with its bounds as the column stores them, or ConditionError.

        Continuous family only: bounds are rounded inwards to the column's precision.
        """
        ...

    def condition_number(self, spec: ColumnSpec, value: Any) -> float:
        """Continuous family: a normalised condition (a value, not a range) on the encoded axis."""
        ...

    def condition_code(self, spec: ColumnSpec, info: DiscreteColumn | None, value: Any) -> int:
        """Discrete family: the code a model fixes for a normalised condition."""
        ...

    def write_exact(self, spec: ColumnSpec, column: pd.Series, value: Any) -> pd.Series | None:
        """``column`` with a normalised condition written in every row; None leaves it."""
        ...

    def matches(
        self,
        spec: ColumnSpec,
        info: DiscreteColumn | None,
        series: pd.Series,
        value: Any,
        tolerance: float,
    ) -> BoolArray:
        """(N,) bool: rows of generated ``series`` that satisfy a normalised condition.

        A value accepts rows within ``tolerance`` of it (continuous) or equal to it; a
        :class:`Range` accepts rows within its bounds.
        """
        ...
