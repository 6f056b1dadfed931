"""High-cardinality categoricals: a bounded code space for the models, real levels back.

A categorical column with thousands of levels (zip codes, shop or product names) would
one-hot into thousands of matrix columns: CTGAN's and TVAE's width, the conditional vector
and the autoregressive vocabulary all grow with it (a 15,000-level column on 200,000 rows
asks for a 22 GiB one-hot matrix). Such a column is learned through *coarse codes*:

* the :data:`HEAD` most frequent levels each keep a code of their own;
* the other levels (the tail), ranked by training frequency, are cut into at most
  :data:`BUCKETS` contiguous buckets of about equal training mass, one code each;
* missing cells keep the codec's extra code, so a model sees at most
  ``HEAD + BUCKETS + 1`` codes (64), however many levels the column has.

Decoding draws, for each code, one of its levels with probability proportional to its
training count (one vectorised ``searchsorted``), so every value is a real level and each
level keeps its training share whenever the model keeps its code's: the Gaussian copula,
which reproduces code frequencies, keeps all of them. Frequent levels keep their own
relationships with the other columns; the levels of a bucket share theirs. A condition
on a level fixes its code and then writes the level into every row.

The budget of 64 codes keeps CTGAN's cost within a few times that of the table without
the column; ``python -m benchmarks.high_cardinality`` measures it, and compares this
grouping with hashing the tail into buckets and with other head sizes (results in
benchmarks/notes/2026-12-06-high-cardinality.md).

What is learned is plain data stored with the codec (:class:`LevelCodes`): each level's
code and its share of its code's training rows, in the order of ``spec.categories``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.kinds.base import BoolArray, DiscreteColumn, LevelCodes
from synthgen_core.kinds.categorical import CategoricalKind
from synthgen_core.kinds.families import filled
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.missing import missing_mask
from synthgen_core.transform.discrete import decode_codes, encode_codes

IntArray = npt.NDArray[np.int64]

#: Columns with more distinct levels than this are detected as high-cardinality. Up to it a
#: one-hot stays cheap (taxis' ~200 pick-up zones train at little extra cost) and each
#: level keeps its own relationships; past it the one-hot grows without bound.
MIN_LEVELS = 256
#: Most frequent levels that keep their own code.
HEAD = 32
#: Frequency-ranked buckets shared by the remaining levels.
BUCKETS = 31


class HighCardinalityKind(CategoricalKind):
    """A categorical column whose models see coarse codes (see the module docstring).

    Learning and condition checks are the categorical kind's: ``spec.categories`` holds
    every real level. A condition on a level fixes its code for the model, and the level
    itself is written into every row afterwards.
    """

    kind = ColumnKind.HIGH_CARDINALITY

    def refines(self, base: ColumnKind, name: str, present: pd.Series) -> bool:
        return base == ColumnKind.CATEGORICAL and present.nunique() > MIN_LEVELS

    def max_codes(self, spec: ColumnSpec) -> int:
        return max(min(len(spec.categories or ()), HEAD + BUCKETS), 1)

    def fit_codes(self, spec: ColumnSpec, series: pd.Series, mask: BoolArray) -> DiscreteColumn:
        positions = encode_codes(spec, series, mask)  # (N,) level positions, missing last
        n_levels = len(spec.categories or [])
        counts = np.bincount(positions, minlength=n_levels + 1)  # (L + 1,)
        codes = group_levels(counts[:n_levels], HEAD, BUCKETS)
        n_codes = int(codes.max()) + 1 if codes.size else 0
        has_missing = bool(counts[n_levels])
        per_code = np.bincount(codes, weights=counts[:n_levels], minlength=n_codes)
        shares = np.append(per_code, counts[n_levels]) if has_missing else per_code
        labels = code_labels(counts[:n_levels], codes)
        return DiscreteColumn(
            name=spec.name,
            categories=[(spec.categories or [])[i] for i in labels],
            frequencies=(shares / max(len(positions), 1)).tolist(),
            has_missing=has_missing,
            levels=level_codes(counts[:n_levels], codes),
        )

    def encode(
        self, spec: ColumnSpec, series: pd.Series, mask: BoolArray, info: DiscreteColumn | None
    ) -> IntArray:
        return to_codes(_levels(spec, info), encode_codes(spec, series, mask))

    def decode(
        self,
        spec: ColumnSpec,
        values: np.ndarray | None,
        n_rows: int,
        rng: np.random.Generator,
        info: DiscreteColumn | None,
    ) -> pd.Series:
        if values is None:
            raise TypeError(f"column {spec.name!r} is learned: decoding needs its codes")
        positions = draw_levels(_levels(spec, info), values, rng)
        return decode_codes(spec, positions, rng)

    def condition_code(self, spec: ColumnSpec, info: DiscreteColumn | None, value: Any) -> int:
        position = super().condition_code(spec, info, value)
        return position if info is None else _levels(spec, info).level_codes[position]

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
        """Rows whose level shares the condition's code: the level is then written in."""
        codes = encode_codes(spec, series, missing_mask(series))
        if info is not None:
            codes = to_codes(_levels(spec, info), codes)
        return np.asarray(codes == self.condition_code(spec, info, value))


def group_levels(counts: IntArray, head: int = HEAD, buckets: int = BUCKETS) -> IntArray:
    """Per level, its code: head levels one each, the tail in buckets of equal mass.

    Codes are dense (``0 .. max``), head levels first, most frequent first.
    """
    rank, codes = _ranked(counts, head, buckets)
    if len(rank) <= head + buckets:
        return codes
    tail = np.asarray(counts, dtype=np.float64)[rank[head:]]  # (T,) descending
    weights = tail if tail.sum() > 0 else np.ones_like(tail)
    before = (np.cumsum(weights) - weights) / weights.sum()  # (T,) mass ahead of each level
    slot = np.minimum((before * buckets).astype(np.int64), buckets - 1)
    # A level heavier than one bucket's share skips slots: renumber the used ones densely.
    codes[rank[head:]] = head + np.unique(slot, return_inverse=True)[1]
    return codes


def level_codes(counts: IntArray, codes: IntArray) -> LevelCodes:
    """The learned state: each level's code and its share of its code's training rows.

    A code whose levels were never seen (categories a user added) shares them equally.
    """
    counts = np.asarray(counts, dtype=np.float64)
    codes = np.asarray(codes, dtype=np.int64)
    totals = np.bincount(codes, weights=counts)  # (C,)
    sizes = np.bincount(codes)
    weights = np.where(totals[codes] > 0, counts / np.maximum(totals[codes], 1.0), 0.0)
    weights = np.where(totals[codes] > 0, weights, 1.0 / sizes[codes])
    return LevelCodes(level_codes=codes.tolist(), level_weights=weights.tolist())


def to_codes(levels: LevelCodes, positions: IntArray) -> IntArray:
    """Codes of level positions; position ``len(levels)`` (missing) -> the missing code."""
    n_codes = max(levels.level_codes, default=-1) + 1
    lookup = np.append(np.asarray(levels.level_codes, dtype=np.int64), n_codes)
    out: IntArray = lookup[np.asarray(positions, dtype=np.int64)]
    return out


def draw_levels(levels: LevelCodes, codes: IntArray, rng: np.random.Generator) -> IntArray:
    """Level positions for codes, each drawn within its code by training share.

    One uniform per row, always (so the same seed gives the same rows); the missing code
    maps to position ``len(levels.level_codes)``.
    """
    level_of = np.asarray(levels.level_codes, dtype=np.int64)
    n_codes = int(level_of.max()) + 1 if level_of.size else 0
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size and (codes.min() < 0 or codes.max() > n_codes):
        raise DataError(f"high-cardinality codes must lie in 0..{n_codes}")
    order = np.argsort(level_of, kind="stable")  # (L,) levels grouped by code
    cumulative = np.cumsum(np.asarray(levels.level_weights, dtype=np.float64)[order])  # (L,)
    padded = np.concatenate([[0.0], cumulative])  # (L + 1,) mass before each position
    ends = np.cumsum(np.bincount(level_of, minlength=n_codes))  # (C,) past each code's block
    firsts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
    uniforms = rng.random(len(codes))  # (N,)
    out = np.full(len(codes), len(level_of), dtype=np.int64)
    present = codes < n_codes
    chosen = codes[present]
    base, total = padded[firsts[chosen]], padded[ends[chosen]] - padded[firsts[chosen]]
    position = np.searchsorted(cumulative, base + uniforms[present] * total, side="right")
    # Float sums may put a draw one past its code's block: clip it back inside.
    out[present] = order[np.clip(position, firsts[chosen], ends[chosen] - 1)]
    return out


def code_labels(counts: IntArray, codes: IntArray) -> IntArray:
    """Per code, the position of its most frequent level: the code's label for models."""
    counts = np.asarray(counts, dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    order = np.lexsort((-counts, codes))  # (L,) by code, most frequent first within a code
    first = np.searchsorted(codes[order], np.arange(int(codes.max()) + 1 if codes.size else 0))
    out: IntArray = order[first]
    return out


def _ranked(counts: IntArray, head: int, buckets: int) -> tuple[IntArray, IntArray]:
    """Levels most frequent first (ties by position), and codes for the head already set."""
    _check_sizes(head, buckets)
    rank = np.argsort(-np.asarray(counts, dtype=np.int64), kind="stable")  # (L,)
    own = len(rank) if len(rank) <= head + buckets else head
    codes = np.empty(len(rank), dtype=np.int64)
    codes[rank[:own]] = np.arange(own)
    return rank, codes


def _check_sizes(head: int, buckets: int) -> None:
    if head < 0 or buckets < 1:
        raise DataError(
            f"a high-cardinality grouping needs head >= 0 and buckets >= 1, got {head}, {buckets}"
        )


def _levels(spec: ColumnSpec, info: DiscreteColumn | None) -> LevelCodes:
    if info is None or info.levels is None:
        raise DataError(
            f"column {spec.name!r} is high-cardinality: fit the codec first, its codes are learned"
        )
    return info.levels


HIGH_CARDINALITY = HighCardinalityKind()
