"""What the kinds of one encoding family share; each kind module subclasses one of these.

A subclass overrides only what differs for its kind (its learning, its condition parsing);
the defaults here are the behaviour of the family's existing kinds, so two kinds of a family
cannot drift apart by accident.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from synthgen_core.errors import ConditionError
from synthgen_core.kinds.base import (
    BoolArray,
    DiscreteColumn,
    Evaluated,
    Family,
    FloatArray,
    IntArray,
    UploadNote,
)
from synthgen_core.kinds.bounds import check_order, check_overlap, inwards, range_numbers, shown
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.metadata import Metadata
from synthgen_core.metadata.missing import missing_mask
from synthgen_core.ranges import Range
from synthgen_core.transform.discrete import decode_codes, encode_codes


class KindBase:
    """Defaults every kind shares: detection leaves columns alone, conditions are kept."""

    kind: ColumnKind
    family: Family
    evaluated_as: Evaluated | None = None
    upload_note: UploadNote | None = None

    def refines(self, base: ColumnKind, name: str, present: pd.Series) -> bool:
        return False

    def fit_codes(self, spec: ColumnSpec, series: pd.Series, mask: BoolArray) -> DiscreteColumn:
        raise TypeError(f"kind {self.kind.value!r} has no codes (column {spec.name!r})")

    def max_codes(self, spec: ColumnSpec) -> int:
        return 0

    def normalise_range(self, spec: ColumnSpec, condition: Range) -> Range:
        raise ConditionError(
            f"cannot condition {self.kind.value} column {spec.name!r} on a range: ranges "
            "({'min': ..., 'max': ...}) apply to numerical and datetime columns; give one "
            "of its values instead (a column of numbers can be fitted as 'numerical' by "
            "setting its kind in the metadata)"
        )

    def condition_number(self, spec: ColumnSpec, value: Any) -> float:
        raise ConditionError(f"column {spec.name!r} is not a continuous column")

    def condition_code(self, spec: ColumnSpec, info: DiscreteColumn | None, value: Any) -> int:
        raise ConditionError(f"column {spec.name!r} is not a discrete column")

    def write_exact(self, spec: ColumnSpec, column: pd.Series, value: Any) -> pd.Series | None:
        return None

    def relate(
        self, spec: ColumnSpec, frame: pd.DataFrame, metadata: Metadata, rng: np.random.Generator
    ) -> pd.Series | None:
        return None


class ContinuousKind(KindBase, ABC):
    """Float64 on one axis; conditions accept rows within a tolerance, then are written exactly.

    A range condition accepts the rows within its bounds, and is never written.
    """

    family: Family = "continuous"

    @abstractmethod
    def condition_number(self, spec: ColumnSpec, value: Any) -> float:
        """A normalised condition on the encoded axis."""

    @abstractmethod
    def bound_number(self, spec: ColumnSpec, value: Any) -> float:
        """A range bound as given (text, number, datetime) on the axis, not yet rounded."""

    @abstractmethod
    def bound_value(self, spec: ColumnSpec, number: float) -> Any:
        """A bound on the axis as the column stores it (an int, a float, a Timestamp)."""

    @abstractmethod
    def axis_step(self, spec: ColumnSpec) -> float | None:
        """The spacing of the values the column can hold on the axis; None: any float."""

    def normalise_range(self, spec: ColumnSpec, condition: Range) -> Range:
        low, high = (
            None if bound is None else self.bound_number(spec, bound)
            for bound in (condition.min, condition.max)
        )
        check_order(spec, low, high, condition)
        step = self.axis_step(spec)
        low = None if low is None else inwards(low, step, upward=True)
        high = None if high is None else inwards(high, step, upward=False)
        if low is not None and high is not None and low > high:
            raise ConditionError(
                f"range {shown(condition)} on column {spec.name!r} holds no value the "
                f"column can take (its values are {step:g} apart on its axis); widen it"
            )
        check_overlap(spec, low, high, condition, lambda n: str(self.bound_value(spec, n)))
        return Range(
            min=None if low is None else self.bound_value(spec, low),
            max=None if high is None else self.bound_value(spec, high),
        )

    def write_exact(self, spec: ColumnSpec, column: pd.Series, value: Any) -> pd.Series | None:
        return filled(column, value)

    @abstractmethod
    def encode(
        self, spec: ColumnSpec, series: pd.Series, mask: BoolArray, info: DiscreteColumn | None
    ) -> FloatArray:
        """(N,) values on the axis, NaN where missing."""

    def matches(
        self,
        spec: ColumnSpec,
        info: DiscreteColumn | None,
        series: pd.Series,
        value: Any,
        tolerance: float,
    ) -> BoolArray:
        """Within ``tolerance`` times the learned range: a model draws an exact float never."""
        numbers = self.encode(spec, series, missing_mask(series), None)
        if isinstance(value, Range):
            low, high = range_numbers(value, lambda bound: self.condition_number(spec, bound))
            with np.errstate(invalid="ignore"):
                return np.asarray((numbers >= low) & (numbers <= high))
        span = (spec.max_value or 0.0) - (spec.min_value or 0.0)
        target = self.condition_number(spec, value)
        with np.errstate(invalid="ignore"):
            return np.asarray(np.abs(numbers - target) <= tolerance * span)


class DiscreteKind(KindBase):
    """Codes that are the levels themselves: code ``i`` is ``spec.categories[i]``."""

    family: Family = "discrete"
    evaluated_as: Evaluated | None = "categories"

    def fit_codes(self, spec: ColumnSpec, series: pd.Series, mask: BoolArray) -> DiscreteColumn:
        return discrete_column(spec, encode_codes(spec, series, mask))

    def max_codes(self, spec: ColumnSpec) -> int:
        return max(len(spec.categories or ()), 1)

    def encode(
        self, spec: ColumnSpec, series: pd.Series, mask: BoolArray, info: DiscreteColumn | None
    ) -> IntArray:
        return encode_codes(spec, series, mask)

    def decode(
        self,
        spec: ColumnSpec,
        values: np.ndarray | None,
        n_rows: int,
        rng: np.random.Generator,
        info: DiscreteColumn | None,
    ) -> pd.Series:
        return decode_codes(spec, learned_values(spec, values), rng)

    def condition_code(self, spec: ColumnSpec, info: DiscreteColumn | None, value: Any) -> int:
        for position, category in enumerate(spec.categories or []):
            if type(category) is type(value) and category == value:
                return position
        raise ConditionError(f"{value!r} is not a category of column {spec.name!r}")

    def matches(
        self,
        spec: ColumnSpec,
        info: DiscreteColumn | None,
        series: pd.Series,
        value: Any,
        tolerance: float,
    ) -> BoolArray:
        codes = encode_codes(spec, series, missing_mask(series))
        return np.asarray(codes == self.condition_code(spec, info, value))


class UnlearnedKind(KindBase):
    """Not encoded: decoding writes the column from its spec alone."""

    family: Family = "unlearned"

    def encode(
        self, spec: ColumnSpec, series: pd.Series, mask: BoolArray, info: DiscreteColumn | None
    ) -> FloatArray:
        raise TypeError(f"kind {self.kind.value!r} is not encoded (column {spec.name!r})")


class GeneratedKind(UnlearnedKind):
    """Written fresh for every output row, so no value can be asked of every row."""

    #: Why a condition cannot hold on such a column, and what to do instead.
    refusal: str = "drop this condition"

    def normalise(self, spec: ColumnSpec, value: Any) -> Any:
        self._refuse(spec)

    def normalise_range(self, spec: ColumnSpec, condition: Range) -> Range:
        self._refuse(spec)

    def matches(
        self,
        spec: ColumnSpec,
        info: DiscreteColumn | None,
        series: pd.Series,
        value: Any,
        tolerance: float,
    ) -> BoolArray:
        self._refuse(spec)

    def _refuse(self, spec: ColumnSpec) -> NoReturn:
        raise ConditionError(
            f"cannot condition on {self.kind.value} column {spec.name!r}: {self.refusal}"
        )


def filled(column: pd.Series, value: Any) -> pd.Series:
    """``column`` with ``value`` in every row, its dtype and index kept: an exact condition."""
    return pd.Series([value] * len(column), dtype=column.dtype, index=column.index)


def discrete_column(spec: ColumnSpec, codes: IntArray) -> DiscreteColumn:
    """The code table of a column whose codes are its categories, with training shares."""
    categories = spec.categories or []
    has_missing = bool((codes == len(categories)).any())
    counts = np.bincount(codes, minlength=len(categories) + int(has_missing))
    return DiscreteColumn(
        name=spec.name,
        categories=categories,
        has_missing=has_missing,
        frequencies=(counts / max(len(codes), 1)).tolist(),
    )


def learned_values(spec: ColumnSpec, values: np.ndarray | None) -> np.ndarray:
    if values is None:
        raise TypeError(f"column {spec.name!r} is learned: decoding needs its encoded values")
    return values


def check_range(
    spec: ColumnSpec, number: float, shown: str, bound_text: Callable[[float], str]
) -> None:
    """Refuse a continuous condition outside the learned range: models do not extrapolate."""
    low, high = spec.min_value, spec.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        low_text = "unbounded" if low is None else bound_text(low)
        high_text = "unbounded" if high is None else bound_text(high)
        raise ConditionError(
            f"condition {shown} on column {spec.name!r} lies outside the range the model "
            f"learned ({low_text} to {high_text}); models do not "
            "extrapolate, choose a value within it"
        )
