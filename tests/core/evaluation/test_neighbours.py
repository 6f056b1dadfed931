"""Nearest-record distances equal a brute-force search of the documented space, to 1e-9.

The reference builds the space the privacy docstring describes (min-max-scaled numbers with
a missing flag, categories one-hot scaled by 1/sqrt(2)) and takes every pairwise distance
in float64 with scipy; the search under test never builds that space.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from synthgen_core.evaluation.columns import Column
from synthgen_core.evaluation.neighbours import (
    QUERY_BLOCK,
    REFERENCE_BLOCK,
    WIDE_LEVELS,
    Space,
    nearest_distances,
)
from synthgen_core.metadata.kinds import ColumnKind

TOLERANCE = 1e-9


def one_hot_space(columns: list[Column], arrays: list[np.ndarray]) -> np.ndarray:
    """(n, D) float64 rows of the documented space, built the plain way."""
    parts = []
    for column, values in zip(columns, arrays, strict=True):
        if column.is_continuous:
            low, high = np.nanmin(column.real), np.nanmax(column.real)
            scaled = (values - low) / (high - low if high > low else 1.0)
            parts += [np.nan_to_num(scaled)[:, None], np.isnan(scaled)[:, None].astype(float)]
        else:
            parts.append(np.eye(column.n_categories + 1)[values] * math.sqrt(0.5))
    return np.hstack(parts)


def brute_force(columns: list[Column]) -> np.ndarray:
    real = one_hot_space(columns, [c.real for c in columns])
    synthetic = one_hot_space(columns, [c.synthetic for c in columns])
    distances: np.ndarray = cdist(synthetic, real).min(axis=1)
    return distances


def searched(columns: list[Column]) -> np.ndarray:
    space = Space(columns)
    return nearest_distances(
        space.embed([c.synthetic for c in columns]), space.embed([c.real for c in columns])
    )


def numbers(rng: np.random.Generator, n: int, levels: int, missing: float) -> np.ndarray:
    """Values on a coarse grid (so distances tie) or spread wide, some missing."""
    values = rng.integers(0, levels, n) * 0.5 if levels else rng.normal(0, 1e3, n)
    return np.where(rng.random(n) < missing, np.nan, values)


def table(
    seed: int, n_real: int, n_synthetic: int, kinds: list[int], copies: float
) -> list[Column]:
    """Columns of both tables: each kind is 0 (number) or a count of categories."""
    rng = np.random.default_rng(seed)
    columns = []
    for index, levels in enumerate(kinds):
        if levels == 0:
            grid = int(rng.integers(0, 6))  # 0: spread values, else a grid with ties
            real, synthetic = (numbers(rng, n, grid, 0.2) for n in (n_real, n_synthetic))
            real[0] = 1.0  # a column is scored only with some value
            kind, n_categories = ColumnKind.NUMERICAL, 0
        else:  # code ``levels`` is "missing"
            real, synthetic = (rng.integers(0, levels + 1, n) for n in (n_real, n_synthetic))
            kind, n_categories = ColumnKind.CATEGORICAL, levels
        copied = rng.random(n_synthetic) < copies  # rows that copy a real row
        synthetic[copied] = real[rng.integers(0, n_real, int(copied.sum()))]
        columns.append(Column(f"c{index}", kind, real, synthetic, n_categories))
    return columns


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_real=st.integers(1, 120),
    n_synthetic=st.integers(1, 60),
    kinds=st.lists(st.sampled_from([0, 0, 1, 2, 3, 7, WIDE_LEVELS + 40]), min_size=1, max_size=6),
    copies=st.sampled_from([0.0, 0.3, 1.0]),
)
def test_nearest_distances_equal_brute_force(
    seed: int, n_real: int, n_synthetic: int, kinds: list[int], copies: float
) -> None:
    columns = table(seed, n_real, n_synthetic, kinds, copies)
    np.testing.assert_allclose(searched(columns), brute_force(columns), rtol=0, atol=TOLERANCE)


def test_nearest_distances_equal_brute_force_across_blocks() -> None:
    columns = table(0, REFERENCE_BLOCK + 500, QUERY_BLOCK + 50, [0, 0, 3, WIDE_LEVELS + 40], 0.0)
    for column in columns:  # the first ten queries copy rows of the last reference block
        column.synthetic[:10] = column.real[-10:]
    distances = searched(columns)
    np.testing.assert_allclose(distances, brute_force(columns), rtol=0, atol=TOLERANCE)
    assert (distances[:10] == 0).all()  # exactly zero, not rounding noise


def test_repeated_reference_rows_do_not_change_distances() -> None:
    """Log tables repeat rows by the thousand; the search sees each distinct row once."""
    columns = table(1, 50, 40, [0, 2, 5], 0.5)
    once = searched(columns)
    repeated = [
        Column(c.name, c.kind, np.tile(c.real, 30), c.synthetic, c.n_categories) for c in columns
    ]
    np.testing.assert_array_equal(searched(repeated), once)


def test_values_far_outside_the_training_range_are_measured_exactly() -> None:
    """A synthetic number 1e20 times the real range would overflow a float32 search."""
    columns = table(2, 80, 30, [0, 3], 0.0)
    columns[0].synthetic[:5] = [1e20, -1e20, 3e15, np.nan, 1e300]
    np.testing.assert_allclose(searched(columns), brute_force(columns), rtol=1e-12, atol=TOLERANCE)
