"""The marginals a report stores for its plot: equal-width bins over the real range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgen_core.evaluation.columns import describe, encode_columns
from synthgen_core.evaluation.plots import HISTOGRAM_BINS, marginal


def _shares_by_edges(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Each value in the bin whose left edge is the last at or below it; the top edge closes
    the last bin, and values outside the real range count in the end bins."""
    present = np.clip(values[~np.isnan(values)], edges[0], edges[-1])
    bins = np.minimum(np.searchsorted(edges, present, side="right") - 1, len(edges) - 2)
    counts = np.bincount(bins, minlength=len(edges) - 1)
    return counts / counts.sum()


@pytest.mark.parametrize("seed", range(5))
def test_values_on_edges_and_outside_the_real_range_fall_in_the_right_bins(seed: int) -> None:
    rng = np.random.default_rng(seed)
    real = rng.normal(size=500) * 3.7
    edges = np.linspace(real.min(), real.max(), HISTOGRAM_BINS + 1)
    # synthetic values on every edge, beyond both ends, rounded, and missing
    synthetic = np.concatenate(
        [edges, edges[[0, -1]] + [-5.0, 5.0], np.round(rng.normal(size=300) * 3.7, 1), [np.nan]]
    )
    column = encode_columns(
        pd.DataFrame({"x": real}),
        pd.DataFrame({"x": np.resize(synthetic, real.size)}),
        describe(pd.DataFrame({"x": real}), None),
    )[0]
    found = marginal(column)
    assert np.array_equal(found.real, _shares_by_edges(column.real, edges))
    assert np.array_equal(found.synthetic, _shares_by_edges(column.synthetic, edges))


def test_a_range_too_narrow_for_its_bins_still_counts_every_value() -> None:
    """Around 1.5e18 (a datetime in ns) float64 cannot split a range of 1 into 20 bins."""
    real = pd.DataFrame({"x": [1.55e18, 1.55e18, 1.55e18, np.nan]})
    column = encode_columns(real, real, describe(real, None))[0]
    found = marginal(column)
    assert sum(found.real) == pytest.approx(1.0) and found.real == found.synthetic
