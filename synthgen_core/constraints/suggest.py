"""Constraints that hold in every row of a table, found for the user to review.

Each finder is a few whole-column numpy operations, so a table like adult (32,561 rows)
is read in well under two seconds. Only rules that the columns' ranges alone do not imply
are listed: ``age <= fnlwgt`` holds in adult only because every age is below every
weight, and keeping it would teach a model nothing.

* ``positive``/``negative``: a column whose values never cross zero (and are not all zero).
* ``inequality``: two numerical (or two datetime) columns ordered in every row where both
  are present, with overlapping ranges.
* ``fixed_combinations``: two low-cardinality columns where one determines the other (not
  both numerical).
* ``fixed_increments``: a numerical column whose values share a step larger than its
  resolution (prices in steps of 5).
* ``formula``: ``a = b + c`` up to ``a``'s last decimal.

Pairs are first tried on a fixed sample of rows: a row that breaks a rule in the sample
breaks it in the table, so the sample only prunes, and every suggestion holds in every row.
Wide tables bound the pairs tried (:data:`MAX_PAIRED_COLUMNS`, :data:`MAX_FORMULA_COLUMNS`),
so an upload of many columns is described in seconds.
"""

from __future__ import annotations

import itertools
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.constraints.axis import to_axis
from synthgen_core.constraints.specs import (
    Constraint,
    FixedCombinations,
    FixedIncrements,
    Formula,
    Inequality,
    Negative,
    Positive,
)
from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata

FloatArray = npt.NDArray[np.float64]
#: most distinct values of a column considered for fixed combinations
MAX_CARDINALITY = 500
#: fewest rows with values for a rule to be suggested
MIN_ROWS = 10
#: rows a formula candidate is tried on before the whole column
_PROBE_ROWS = 256
#: low-cardinality columns (in table order) whose pairs are tried for fixed combinations
MAX_PAIRED_COLUMNS = 200
#: most numerical columns tried as sums of two others
MAX_FORMULA_COLUMNS = 60
#: rows a pair of columns is tried on before every row (a rule a sample breaks is broken)
_SAMPLE_ROWS = 1024


class Suggestion(msgspec.Struct, kw_only=True):
    """A constraint that holds in every row checked, and the evidence for it."""

    constraint: Constraint
    #: rows where every column of the constraint had a value (the rows it was checked on)
    rows_checked: int
    #: the closest any row came to breaking it (smallest gap, tolerance used), when numeric
    margin: float | None = None
    evidence: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out


def suggest_constraints(df: pd.DataFrame, metadata: Metadata | None = None) -> list[Suggestion]:
    """Constraints that every row of ``df`` satisfies, each with its evidence."""
    metadata = Metadata.detect(df) if metadata is None else metadata
    df = df.reset_index(drop=True)
    numbers = _axes(df, metadata, ColumnKind.NUMERICAL)
    datetimes = _axes(df, metadata, ColumnKind.DATETIME)
    return [
        *_signs(numbers),
        *_inequalities(numbers),
        *_inequalities(datetimes),
        *_combinations(df, metadata),
        *_increments(numbers, metadata),
        *_formulas(numbers, metadata),
    ]


def _axes(df: pd.DataFrame, metadata: Metadata, kind: ColumnKind) -> dict[str, FloatArray]:
    """Column -> floats for the non-constant columns of ``kind`` (datetimes in ns)."""
    out = {}
    for spec in metadata.columns:
        if spec.kind != kind:
            continue
        values = to_axis(spec, df[spec.name], 1)  # datetimes in nanoseconds
        present = values[~np.isnan(values)]
        if present.size >= MIN_ROWS and present.min() < present.max():
            out[spec.name] = values
    return out


def _signs(numbers: dict[str, FloatArray]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for name, values in numbers.items():
        present = values[~np.isnan(values)]
        low, high = float(present.min()), float(present.max())
        sign: Constraint | None = None
        if low >= 0:
            sign = Positive(column=name, strict=low > 0)
        elif high <= 0:
            sign = Negative(column=name, strict=high < 0)
        if sign is not None:
            margin = low if low >= 0 else -high
            found.append(
                Suggestion(
                    constraint=sign,
                    rows_checked=int(present.size),
                    margin=margin,
                    evidence=f"values from {low:g} to {high:g}",
                )
            )
    return found


def _inequalities(axes: dict[str, FloatArray]) -> list[Suggestion]:
    """Ordered pairs, each checked on every row only if the row sample keeps it."""
    names = list(axes)
    if len(names) < 2:
        return []
    table = np.column_stack([axes[name] for name in names])  # (N, K)
    probe = table[_probe_rows(len(table))]  # (P, K)
    found: list[Suggestion] = []
    for i in range(len(names) - 1):
        gaps = probe[:, i + 1 :] - probe[:, [i]]  # (P, K - i - 1); NaN compares False
        kept = ~(gaps < 0).any(axis=0) | ~(gaps > 0).any(axis=0)
        for j in (np.flatnonzero(kept) + i + 1).tolist():
            found.extend(_pair_order(names[i], names[j], axes[names[i]], axes[names[j]]))
    return found


def _pair_order(first: str, second: str, a: FloatArray, b: FloatArray) -> list[Suggestion]:
    both = ~np.isnan(a) & ~np.isnan(b)
    if both.sum() < MIN_ROWS:
        return []
    gaps = b[both] - a[both]
    if gaps.min() >= 0:
        return _ordered(first, second, a[both], b[both], gaps)
    if gaps.max() <= 0:
        return _ordered(second, first, b[both], a[both], -gaps)
    return []


def _probe_rows(n_rows: int) -> npt.NDArray[np.int64]:
    """A fixed sample of row positions (all of them in a small table), in order."""
    if n_rows <= _SAMPLE_ROWS:
        return np.arange(n_rows, dtype=np.int64)
    rng = np.random.default_rng(0)
    return np.sort(rng.choice(n_rows, _SAMPLE_ROWS, replace=False)).astype(np.int64)


def _ordered(
    low: str, high: str, low_values: FloatArray, high_values: FloatArray, gaps: FloatArray
) -> list[Suggestion]:
    """The inequality ``low <= high``, unless the two ranges alone imply it."""
    if low_values.max() <= high_values.min() or np.all(gaps == 0):
        return []
    strict = bool(gaps.min() > 0)
    equal = int((gaps == 0).sum())
    return [
        Suggestion(
            constraint=Inequality(low=low, high=high, strict=strict),
            rows_checked=int(gaps.size),
            margin=float(gaps.min()),
            evidence=f"smallest gap {gaps.min():g}; equal in {equal:,} rows",
        )
    ]


def _combinations(df: pd.DataFrame, metadata: Metadata) -> list[Suggestion]:
    codes = _low_cardinality_codes(df, metadata)
    numbers = {spec.name for spec in metadata.columns if spec.kind == ColumnKind.NUMERICAL}
    rows = _probe_rows(len(df))
    found: list[Suggestion] = []
    for first, second in itertools.combinations(list(codes)[:MAX_PAIRED_COLUMNS], 2):
        if first in numbers and second in numbers:
            continue  # two numbers that go together: an inequality or a formula says more
        (a, size_a), (b, size_b) = codes[first], codes[second]
        if not _determined(a[rows], b[rows], size_b):
            continue  # a sample where neither column fixes the other: nor does the table
        seen = np.unique(a * size_b + b).size
        determined = seen in (size_a, size_b)
        if determined and seen < size_a * size_b and min(size_a, size_b) >= 2:
            found.append(
                Suggestion(
                    constraint=FixedCombinations(columns=[first, second]),
                    rows_checked=len(df),
                    evidence=f"{seen:,} of {size_a * size_b:,} possible combinations occur",
                )
            )
    return found


def _determined(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], size_b: int) -> bool:
    """Whether, in these rows, one column's value fixes the other's."""
    seen = np.unique(a * size_b + b).size
    return seen in (np.unique(a).size, np.unique(b).size)


def _low_cardinality_codes(
    df: pd.DataFrame, metadata: Metadata
) -> dict[str, tuple[npt.NDArray[np.int64], int]]:
    """Column -> (codes with missing as a value, number of values), for small columns."""
    kinds = set(ColumnKind) - {ColumnKind.ID, ColumnKind.DATETIME, ColumnKind.CONSTANT}
    out = {}
    for spec in metadata.columns:
        if spec.kind not in kinds:
            continue
        codes, uniques = pd.factorize(df[spec.name], use_na_sentinel=False)
        if 2 <= len(uniques) <= MAX_CARDINALITY:
            out[spec.name] = (codes.astype(np.int64), len(uniques))
    return out


def _increments(numbers: dict[str, FloatArray], metadata: Metadata) -> list[Suggestion]:
    found: list[Suggestion] = []
    for name, values in numbers.items():
        spec = metadata.column(name)
        scale = 10.0 ** (spec.decimals or 0) if spec.decimals is not None else None
        if scale is None or scale > 1e6:
            continue
        present = np.rint(values[~np.isnan(values)] * scale)
        if np.abs(present).max() >= 2**53 or np.unique(present).size < 3:
            continue
        step = int(np.gcd.reduce(np.abs(present).astype(np.int64)))
        if step > 1:
            increment = step / scale
            found.append(
                Suggestion(
                    constraint=FixedIncrements(column=name, increment=increment),
                    rows_checked=int(present.size),
                    evidence=f"every value is a multiple of {increment:g}",
                )
            )
    return found


def _formulas(numbers: dict[str, FloatArray], metadata: Metadata) -> list[Suggestion]:
    """``a = b + c`` for every pair ``b, c`` and every other column ``a``."""
    names = list(numbers)[:MAX_FORMULA_COLUMNS]
    if len(names) < 3:
        return []
    table = np.column_stack([numbers[n] for n in names])  # (N, K)
    tolerance = np.array([_tolerance(metadata.column(n)) for n in names])  # (K,)
    probe = table[: min(len(table), _PROBE_ROWS)]
    found: list[Suggestion] = []
    for i, j in itertools.combinations(range(len(names)), 2):
        close = np.abs(probe - (probe[:, i] + probe[:, j])[:, None]) <= tolerance  # (P, K)
        candidates = np.flatnonzero((close | np.isnan(probe)).all(axis=0))
        for k in candidates.tolist():
            if k not in (i, j):
                found.extend(_check_sum(table, names, tolerance, k, (i, j)))
    return found


def _check_sum(
    table: FloatArray, names: list[str], tolerance: FloatArray, k: int, pair: tuple[int, int]
) -> list[Suggestion]:
    columns = table[:, [k, *pair]]
    present = ~np.isnan(columns).any(axis=1)
    if present.sum() < MIN_ROWS:
        return []
    values = columns[present]
    errors = np.abs(values[:, 0] - values[:, 1] - values[:, 2])
    if errors.max() > tolerance[k]:
        return []
    first, second = (names[p] for p in pair)
    return [
        Suggestion(
            constraint=Formula(column=names[k], expression=f"{_quoted(first)} + {_quoted(second)}"),
            rows_checked=int(present.sum()),
            margin=float(errors.max()),
            evidence=f"largest difference {errors.max():.3g} (tolerance {tolerance[k]:.3g})",
        )
    ]


def _tolerance(spec: ColumnSpec) -> float:
    return 0.5 * 10.0 ** -(spec.decimals if spec.decimals is not None else 9) + 1e-9


def _quoted(name: str) -> str:
    return name if name.isidentifier() and not name.startswith("__") else f"`{name}`"
