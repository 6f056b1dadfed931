"""Exact nearest neighbours in the row space of the privacy checks, without building it.

The privacy checks (:mod:`.privacy`) measure the distance between rows as

    d(q, r)^2 = sum over continuous columns of (q - r)^2 of their min-max-scaled values
                (a missing value counts as 0 there, plus 1 when exactly one is missing)
              + the number of discrete columns where the two rows differ,

which is the Euclidean distance after one-hot encoding each category scaled by
``1 / sqrt(2)``. The search never builds that wide space. For a block of queries against a
block of reference rows, one float32 matrix product of ``[q_c, q_hot, 1]`` with
``[-2 r_c, -r_hot, |r_c|^2]`` scores every pair: ``|q_c - r_c|^2 - |q_c|^2 - matches``,
where ``c`` is the continuous part and ``hot`` 0/1 indicators of the levels the queries
hold, so ``matches`` counts the discrete attributes (categories and missing flags) on
which the two rows agree. Wide attributes (zones, zip codes) are counted by comparing codes
instead, which costs ``Q * R`` rather than ``Q * R * levels``.

float32 makes the product fast but inexact (float64 takes over for values that would
overflow it, far outside the training range), so it only shortlists: every row within a
proven rounding bound of the best score is measured again, exactly, in float64. The
distances are therefore those of the definition above to float64 rounding (a copied row
is at distance exactly 0), at close to the cost of a float32 search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from synthgen_core.evaluation.columns import Column

#: Discrete attributes with more levels than this are counted by comparing codes.
WIDE_LEVELS = 64
QUERY_BLOCK = 1_024
REFERENCE_BLOCK = 4_096
#: Candidate pairs measured exactly at once.
PAIR_CHUNK = 65_536
#: The search runs in float32 while no scaled value is larger than this (products stay
#: far below float32's 3e38), else in float64.
FLOAT32_VALUES = 1e12


@dataclass(frozen=True)
class Rows:
    """Rows of one table in the privacy space, kept compact."""

    values: np.ndarray  # (n, C) float64 scaled continuous values, 0 where missing
    codes: np.ndarray  # (n, A) int64 discrete codes, then a 0/1 missing flag per continuous


class Space:
    """The row space, fixed by the training table's ranges and categories."""

    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns
        self.ranges = [
            (float(np.nanmin(c.real)), float(np.nanmax(c.real))) if c.is_continuous else (0, 0)
            for c in columns
        ]

    def embed(self, arrays: list[np.ndarray]) -> Rows:
        """Rows from one array per column, encoded like ``Column.real``."""
        n = arrays[0].size
        values, codes, flags = [], [], []
        for column, (low, high), column_values in zip(
            self.columns, self.ranges, arrays, strict=True
        ):
            if column.is_continuous:
                scaled = (column_values - low) / (high - low if high > low else 1.0)
                missing = np.isnan(scaled)
                values.append(np.where(missing, 0.0, scaled))
                flags.append(missing.astype(np.int64))
            else:
                codes.append(column_values.astype(np.int64))
        return Rows(
            values=_matrix(values, n, np.float64), codes=_matrix(codes + flags, n, np.int64)
        )

    def random_rows(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        """Uniform draws over the real domain (column ranges, categories seen in real)."""
        return [
            rng.uniform(low, high, n)
            if column.is_continuous
            else rng.choice(np.flatnonzero(np.bincount(column.real)), n)
            for column, (low, high) in zip(self.columns, self.ranges, strict=True)
        ]


def select(rows: Rows, index: np.ndarray) -> Rows:
    return Rows(values=rows.values[index], codes=rows.codes[index])


def stack(first: Rows, second: Rows) -> Rows:
    return Rows(
        values=np.vstack([first.values, second.values]),
        codes=np.vstack([first.codes, second.codes]),
    )


def nearest_distances(queries: Rows, reference: Rows) -> np.ndarray:
    """(Q,) distance from each query row to its nearest reference row, exact.

    A float32 product finds, block by block, every reference row whose score is within
    ``slack`` of the best so far (the true nearest always is, see :func:`_slack`); those
    few candidates are then measured exactly in float64.
    """
    reference = _distinct(reference)
    lifted, augmented, wide = _lift(queries, reference)
    slack = _slack(queries, reference, lifted.shape[1] + len(wide), lifted.dtype)  # (Q,)
    floor = np.full(len(lifted), np.inf, lifted.dtype)  # lowest searched score so far
    best = np.full(len(lifted), np.inf)  # lowest exact squared distance so far
    for start in range(0, len(lifted), QUERY_BLOCK):
        rows = slice(start, start + QUERY_BLOCK)  # floor[rows] is a view, updated in place
        for ref_start in range(0, len(augmented), REFERENCE_BLOCK):
            refs = slice(ref_start, ref_start + REFERENCE_BLOCK)
            score = lifted[rows] @ augmented[refs].T  # (Qb, Rb)
            for attribute in wide:
                score -= queries.codes[rows, attribute, None] == reference.codes[refs, attribute]
            near_query, near_row = _candidates(score, floor[rows], slack[rows])
            exact = _squared(queries, reference, near_query + start, near_row + ref_start)
            np.minimum.at(best, near_query + start, exact)
    distances: np.ndarray = np.sqrt(best)
    return distances


def _distinct(rows: Rows) -> Rows:
    """The rows without repeats, which cannot be nearer than their first copy.

    Tables of logs repeat rows by the thousand (intrusion), and every copy of a query's
    nearest row would otherwise be measured again. Rows are sorted by a hash and dropped
    only when equal to their predecessor, so a hash collision costs time, never a row.
    """
    keys = np.hstack([rows.values.view(np.uint64), rows.codes.view(np.uint64)])  # (R, K)
    multipliers = np.random.default_rng(0).integers(1, 2**63, keys.shape[1], np.uint64) | 1
    order = np.argsort((keys * multipliers).sum(axis=1), kind="stable")  # wraps mod 2^64
    ordered = keys[order]
    repeat = np.zeros(len(order), bool)
    repeat[1:] = (ordered[1:] == ordered[:-1]).all(axis=1)
    return select(rows, np.sort(order[~repeat]))


def _candidates(
    score: np.ndarray, floor: np.ndarray, slack: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(query, row) pairs of a block within ``slack`` of the lowest score yet; lowers ``floor``.

    Usually that is one row per query, the block's best: only queries whose second best is
    close too are scanned in full. ``score`` is spent.
    """
    query = np.arange(len(score))
    found = score.argmin(axis=1)  # (Qb,)
    np.minimum(floor, score[query, found], out=floor)
    threshold = floor + slack  # (Qb,) float64
    first = score[query, found] <= threshold
    score[query, found] = np.inf
    crowded = np.flatnonzero(score.min(axis=1) <= threshold)
    more_query, more_row = np.nonzero(score[crowded] <= threshold[crowded, None])
    return (
        np.concatenate([query[first], crowded[more_query]]),
        np.concatenate([found[first], more_row]),
    )


def _lift(queries: Rows, reference: Rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """[q_c, q_hot, 1] and [-2 r_c, -r_hot, |r_c|^2], and the wide attributes.

    Their product is ``|q_c - r_c|^2 - |q_c|^2 - matches``: the squared distance less what
    is the same for every reference row. float32 unless a value is so far outside the
    training range (beyond :data:`FLOAT32_VALUES`) that its products would overflow it.
    """
    wide = wide_attributes(queries.codes)
    narrow = np.setdiff1d(np.arange(queries.codes.shape[1]), wide)
    query_levels, reference_levels, n_levels = _levels(
        queries.codes[:, narrow], reference.codes[:, narrow]
    )
    n_continuous = queries.values.shape[1]
    largest = max(np.abs(rows.values).max(initial=0.0) for rows in (queries, reference))
    dtype = np.float32 if largest <= FLOAT32_VALUES else np.float64
    lifted = np.zeros((len(queries.values), n_continuous + n_levels + 1), dtype)
    lifted[:, :n_continuous], lifted[:, -1] = queries.values, 1.0
    augmented = np.zeros((len(reference.values), lifted.shape[1]), dtype)
    augmented[:, :n_continuous] = -2.0 * reference.values
    augmented[:, -1] = np.einsum("ij,ij->i", reference.values, reference.values)
    for matrix, levels, value in ((lifted, query_levels, 1.0), (augmented, reference_levels, -1.0)):
        rows, attributes = np.nonzero(levels >= 0)
        matrix[rows, n_continuous + levels[rows, attributes]] = value
    return lifted, augmented, wide


def _slack(queries: Rows, reference: Rows, n_terms: int, dtype: np.dtype[Any]) -> np.ndarray:
    """(Q,) twice a bound on any searched score's error, with a factor 2 to spare.

    Rounding the inputs and summing ``n`` products errs by at most about
    ``(n + 2) u sum_i |a_i b_i|`` (u = 2^-24 in float32), and
    ``sum_i |a_i b_i| <= 2 |q_c| max|r_c| + A + max|r_c|^2`` for A discrete attributes. A row
    whose searched score exceeds the best one by more than twice that bound cannot be the
    nearest.
    """
    reference_norm = float(
        np.sqrt(np.einsum("ij,ij->i", reference.values, reference.values).max(initial=0.0))
    )
    query_norm = np.sqrt(np.einsum("ij,ij->i", queries.values, queries.values))  # (Q,)
    magnitude = 2.0 * query_norm * reference_norm + queries.codes.shape[1] + reference_norm**2
    unit = float(np.finfo(dtype).eps) / 2.0
    slack: np.ndarray = 4.0 * (n_terms + 2) * unit * magnitude
    return slack


def _squared(queries: Rows, reference: Rows, query: np.ndarray, row: np.ndarray) -> np.ndarray:
    """(P,) exact squared distances of the (query, row) pairs, in chunks of bounded memory."""
    squared = np.empty(len(query))
    for start in range(0, len(query), PAIR_CHUNK):
        pair_query, pair_row = query[start : start + PAIR_CHUNK], row[start : start + PAIR_CHUNK]
        difference = queries.values[pair_query] - reference.values[pair_row]  # (P', C)
        mismatches = (queries.codes[pair_query] != reference.codes[pair_row]).sum(axis=1)
        squared[start : start + PAIR_CHUNK] = (
            np.einsum("ij,ij->i", difference, difference) + mismatches
        )
    return squared


def wide_attributes(query_codes: np.ndarray) -> np.ndarray:
    """Attributes whose queries hold more than :data:`WIDE_LEVELS` distinct levels."""
    ordered = np.sort(query_codes, axis=0)  # (Q, A)
    levels = 1 + (np.diff(ordered, axis=0) != 0).sum(axis=0)  # (A,)
    return np.flatnonzero(levels > WIDE_LEVELS)


def _levels(
    query_codes: np.ndarray, reference_codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Indicator column of each (row, attribute)'s level, -1 for none, and their number.

    A level no query holds adds nothing to any match count, and one every row holds (a
    missing flag of a column without gaps) adds the same to all: neither gets a column.
    """
    size = int(max(query_codes.max(initial=0), reference_codes.max(initial=0))) + 1
    shift = np.arange(query_codes.shape[1]) * size  # (A,) one key range per attribute
    query_keys, reference_keys = query_codes + shift, reference_codes + shift
    held = np.bincount(query_keys.ravel(), minlength=len(shift) * size)  # (K,)
    everywhere = (held == len(query_codes)) & (
        np.bincount(reference_keys.ravel(), minlength=len(held)) == len(reference_codes)
    )
    kept = (held > 0) & ~everywhere
    lookup = np.where(kept, np.cumsum(kept) - 1, -1)
    return lookup[query_keys], lookup[reference_keys], int(kept.sum())


def _matrix(parts: list[np.ndarray], n: int, dtype: type) -> np.ndarray:
    """(n, len(parts)) with one part per column, contiguous by row."""
    if not parts:
        return np.zeros((n, 0), dtype)
    return np.ascontiguousarray(np.column_stack(parts), dtype=dtype)
