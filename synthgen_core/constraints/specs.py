"""Constraints as plain data: one msgspec Struct per kind, told apart by ``"kind"``.

They travel inside a model's config (``sg.create(type, constraints=[...])``, the CLI's
``--config`` file and the service's ``config.constraints``), so they are JSON-able dicts
validated by msgspec; a check that needs no table (a range whose bounds cross, a formula
that is not arithmetic) fails here, when the model is created. Checks against the table
(the column exists and has the right kind) run at fit, in :mod:`.validate`.
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec

from synthgen_core.constraints.formula import parse_formula

ColumnName = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
ColumnNames = Annotated[list[ColumnName], msgspec.Meta(min_length=1, max_length=64)]
Bound = Annotated[float, msgspec.Meta(ge=-1e300, le=1e300)] | None


class Inequality(
    msgspec.Struct, tag_field="kind", tag="inequality", kw_only=True, forbid_unknown_fields=True
):
    """``low <= high`` (``low < high`` when strict) in every row; numbers or datetimes."""

    low: ColumnName
    high: ColumnName
    strict: bool = False

    def __post_init__(self) -> None:
        if self.low == self.high:
            raise ValueError(f"low and high name the same column {self.low!r}; name two columns")


class Range(
    msgspec.Struct, tag_field="kind", tag="range", kw_only=True, forbid_unknown_fields=True
):
    """A numerical column within ``[low, high]``; either bound may be null (absent)."""

    column: ColumnName
    low: Bound = None
    high: Bound = None
    strict: bool = False

    def __post_init__(self) -> None:
        if self.low is None and self.high is None:
            raise ValueError("a range needs low, high or both; give at least one bound")
        if self.low is not None and self.high is not None:
            crossed = self.low >= self.high if self.strict else self.low > self.high
            if crossed:
                raise ValueError(
                    f"contradictory bounds: low {self.low:g} is above high {self.high:g}; swap them"
                )


class Positive(
    msgspec.Struct, tag_field="kind", tag="positive", kw_only=True, forbid_unknown_fields=True
):
    """Sugar for a range with ``low`` 0: ``>= 0``, or ``> 0`` when strict."""

    column: ColumnName
    strict: bool = False


class Negative(
    msgspec.Struct, tag_field="kind", tag="negative", kw_only=True, forbid_unknown_fields=True
):
    """Sugar for a range with ``high`` 0: ``<= 0``, or ``< 0`` when strict."""

    column: ColumnName
    strict: bool = False


class FixedCombinations(
    msgspec.Struct,
    tag_field="kind",
    tag="fixed_combinations",
    kw_only=True,
    forbid_unknown_fields=True,
):
    """Only the combinations of these columns' values that the training table holds."""

    columns: ColumnNames

    def __post_init__(self) -> None:
        _check_distinct(self.columns, 2)


class FixedIncrements(
    msgspec.Struct,
    tag_field="kind",
    tag="fixed_increments",
    kw_only=True,
    forbid_unknown_fields=True,
):
    """Every value of a numerical column is a whole multiple of ``increment``."""

    column: ColumnName
    increment: Annotated[float, msgspec.Meta(gt=0, le=1e300)]


class Unique(
    msgspec.Struct, tag_field="kind", tag="unique", kw_only=True, forbid_unknown_fields=True
):
    """No two generated rows share their values in these columns (within one sample call)."""

    columns: ColumnNames

    def __post_init__(self) -> None:
        _check_distinct(self.columns, 1)


class Formula(
    msgspec.Struct, tag_field="kind", tag="formula", kw_only=True, forbid_unknown_fields=True
):
    """A numerical column computed from others: ``+ - * /``, parentheses, names, numbers."""

    column: ColumnName
    expression: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]

    def __post_init__(self) -> None:
        names = parse_formula(self.expression).columns  # raises ValueError on anything else
        if self.column in names:
            raise ValueError(f"the formula for {self.column!r} uses {self.column!r} itself")
        if not names:
            raise ValueError("the formula uses no column; a constant column needs no formula")


Constraint = (
    Inequality
    | Range
    | Positive
    | Negative
    | FixedCombinations
    | FixedIncrements
    | Unique
    | Formula
)
CONSTRAINT_TYPES: tuple[type[Constraint], ...] = (
    Inequality,
    Range,
    Positive,
    Negative,
    FixedCombinations,
    FixedIncrements,
    Unique,
    Formula,
)
KINDS = tuple(str(t.__struct_config__.tag) for t in CONSTRAINT_TYPES)


def kind_of(constraint: Constraint) -> str:
    return str(type(constraint).__struct_config__.tag)


def columns_of(constraint: Constraint) -> list[str]:
    """Every column the constraint names, in the order it names them."""
    if isinstance(constraint, Inequality):
        return [constraint.low, constraint.high]
    if isinstance(constraint, FixedCombinations | Unique):
        return list(constraint.columns)
    if isinstance(constraint, Formula):
        return [constraint.column, *parse_formula(constraint.expression).columns]
    return [constraint.column]


def as_range(constraint: Range | Positive | Negative) -> Range:
    """``positive`` and ``negative`` as the ranges they stand for."""
    if isinstance(constraint, Positive):
        return Range(column=constraint.column, low=0.0, strict=constraint.strict)
    if isinstance(constraint, Negative):
        return Range(column=constraint.column, high=0.0, strict=constraint.strict)
    return constraint


def describe(constraint: Constraint) -> str:
    """A short human reading, for messages: ``inequality start <= end``."""
    kind = kind_of(constraint)
    if isinstance(constraint, Inequality):
        sign = "<" if constraint.strict else "<="
        return f"{kind} {constraint.low} {sign} {constraint.high}"
    if isinstance(constraint, Formula):
        return f"{kind} {constraint.column} = {constraint.expression}"
    if isinstance(constraint, FixedIncrements):
        return f"{kind} {constraint.column} by {constraint.increment:g}"
    return f"{kind} {', '.join(columns_of(constraint))}"


def explain_error(message: str) -> tuple[str, str] | None:
    """The field path and the message of a msgspec error inside ``constraints``, else None."""
    located = re.match(r"(.*) - at `\$\.(constraints\[\d+\])(\.?[A-Za-z_]*)(.*)`$", message)
    if located is None:
        return None
    problem, item, field, rest = located.groups()
    if field == ".kind" and problem.startswith("Invalid value"):
        problem = f"{problem}; known kinds: {', '.join(KINDS)}"
    elif problem.startswith("Object missing required field `kind`"):
        problem = f"every constraint needs a kind, one of: {', '.join(KINDS)}"
    return f"{item}{field}{rest}", f"invalid constraint {item}{field}{rest}: {problem}"


def _check_distinct(columns: list[str], least: int) -> None:
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise ValueError(f"columns {repeated} are named more than once; name each once")
    if len(columns) < least:
        raise ValueError(f"name at least {least} columns")
