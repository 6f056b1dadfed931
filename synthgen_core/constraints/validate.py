"""Checking constraints against a table's metadata: the columns exist and fit the kind.

Runs at fit (the model sees the table only then) and in the service when a model is
created for a dataset, so a typo fails before any training. Every message names the
constraint by position and kind, the field at fault, and the fix.
"""

from __future__ import annotations

from typing import Any

import msgspec

from synthgen_core.constraints.formula import parse_formula
from synthgen_core.constraints.specs import (
    Constraint,
    FixedCombinations,
    FixedIncrements,
    Formula,
    Inequality,
    Negative,
    Positive,
    Range,
    Unique,
    describe,
)
from synthgen_core.errors import ConfigOptionError
from synthgen_core.metadata import ColumnKind, Metadata

_NUMBERS = frozenset({ColumnKind.NUMERICAL})
_ORDERED = frozenset({ColumnKind.NUMERICAL, ColumnKind.DATETIME})
_COMBINABLE = frozenset(ColumnKind) - {ColumnKind.ID, ColumnKind.DATETIME, ColumnKind.CONSTANT}
_ANY = frozenset(ColumnKind) - {ColumnKind.ID}


def check_constraints(constraints: list[Constraint], metadata: Metadata) -> None:
    """Raise ConfigOptionError for the first constraint that does not fit the table."""
    for index, constraint in enumerate(constraints):
        for field, names, kinds in _fields(constraint):
            for name in names:
                _check_column(
                    index,
                    constraint=constraint,
                    field=field,
                    name=name,
                    kinds=kinds,
                    metadata=metadata,
                )
        if isinstance(constraint, Inequality):
            _check_same_family(index, constraint, metadata)


def check_raw_constraints(raw: list[Any], metadata: Metadata) -> None:
    """:func:`check_constraints` for constraints as JSON (a validated config's)."""
    check_constraints(msgspec.convert(raw, list[Constraint]), metadata)


def _fields(constraint: Constraint) -> list[tuple[str, list[str], frozenset[ColumnKind]]]:
    """(field, the columns it names, the kinds they may have) for each column field."""
    if isinstance(constraint, Inequality):
        return [("low", [constraint.low], _ORDERED), ("high", [constraint.high], _ORDERED)]
    if isinstance(constraint, Range | Positive | Negative | FixedIncrements):
        return [("column", [constraint.column], _NUMBERS)]
    if isinstance(constraint, FixedCombinations):
        return [("columns", list(constraint.columns), _COMBINABLE)]
    if isinstance(constraint, Unique):
        return [("columns", list(constraint.columns), _ANY)]
    if isinstance(constraint, Formula):
        operands = parse_formula(constraint.expression).columns
        return [("column", [constraint.column], _NUMBERS), ("expression", operands, _NUMBERS)]
    raise TypeError(f"not a constraint: {constraint!r}")  # msgspec admits no other type


def _check_column(
    index: int,
    *,
    constraint: Constraint,
    field: str,
    name: str,
    kinds: frozenset[ColumnKind],
    metadata: Metadata,
) -> None:
    where = f"constraints[{index}].{field}"
    if name not in metadata.names:
        shown = ", ".join(repr(n) for n in metadata.names[:12])
        raise ConfigOptionError(
            f"{where} ({describe(constraint)}): unknown column {name!r}; the table has "
            f"{shown}{' ...' if len(metadata.names) > 12 else ''}",
            option=where,
        )
    kind = metadata.column(name).kind
    if kind not in kinds:
        allowed = " or ".join(sorted(k.value for k in kinds))
        raise ConfigOptionError(
            f"{where} ({describe(constraint)}): column {name!r} is {kind.value}, and this "
            f"constraint needs {allowed} columns; change the column's kind in the metadata "
            "or drop the constraint",
            option=where,
        )


def _check_same_family(index: int, constraint: Inequality, metadata: Metadata) -> None:
    low, high = metadata.column(constraint.low).kind, metadata.column(constraint.high).kind
    if low != high:
        where = f"constraints[{index}].high"
        raise ConfigOptionError(
            f"{where} ({describe(constraint)}): column {constraint.low!r} is {low.value} but "
            f"{constraint.high!r} is {high.value}; compare two numbers or two datetimes",
            option=where,
        )
