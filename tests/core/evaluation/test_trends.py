"""Pair trends: Pearson, Cramér's V and contingency similarity against scipy and SDMetrics."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import pearsonr
from scipy.stats.contingency import association

from synthgen_core.evaluation import evaluate
from synthgen_core.evaluation.trends import DENSE_CELLS_LIMIT, N_BINS, bin_codes, pearson
from synthgen_core.metadata import ColumnKind, Metadata


def test_pearson_uses_pairwise_complete_rows() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=300), rng.normal(size=300)
    y += 0.5 * x
    x[:20], y[10:40] = np.nan, np.nan
    both = ~(np.isnan(x) | np.isnan(y))
    assert pearson(x, y) == pytest.approx(pearsonr(x[both], y[both]).statistic, abs=1e-12)
    assert np.isnan(pearson(x, np.ones(300)))  # constant: undefined, not 0


def test_bins_are_equal_width_over_the_tables_own_range_with_missing_on_top() -> None:
    values = np.array([0.0, 0.5, 9.99, 10.0, np.nan])
    codes, scaled = bin_codes(values), bin_codes(values * 1000)
    assert codes is not None and scaled is not None
    assert list(codes) == [1, 1, 10, N_BINS + 1, N_BINS + 1]
    assert list(scaled) == list(codes)  # scale-free: each table its own


@settings(max_examples=300, deadline=None)
@given(
    arrays(
        np.float64,
        st.integers(1, 60),
        elements=st.one_of(
            st.floats(-1e300, 1e300, allow_nan=False),
            st.sampled_from([0.0, -0.0, 1.0, 1e-300, 5e-324, 1.5e18, np.nan]),
        ),
    )
)
def test_bin_codes_are_numpys_digitize_codes(values: np.ndarray) -> None:
    """Counting edges is a faster digitize: the same code for every value, NaN and ties too."""
    present = values[~np.isnan(values)]
    try:
        edges = np.histogram_bin_edges(present, bins=N_BINS)
    except ValueError:
        assert bin_codes(values) is None
        return
    codes = bin_codes(values)
    assert codes is not None
    np.testing.assert_array_equal(codes, np.digitize(values, edges))


def _pair_metric(real: pd.DataFrame, synthetic: pd.DataFrame, threshold: float) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sdmetrics.column_pairs import ContingencySimilarity

        return float(
            ContingencySimilarity.compute(real, synthetic, real_association_threshold=threshold)
        )


def test_high_cardinality_pairs_are_counted_sparsely_and_still_match_sdmetrics() -> None:
    rng = np.random.default_rng(0)
    n = 1500  # 1500 x 1500 cells > DENSE_CELLS_LIMIT: the sparse path
    assert n * n > DENSE_CELLS_LIMIT
    real = pd.DataFrame({"a": [f"a{i}" for i in range(n)], "b": [f"b{i % 700}" for i in range(n)]})
    synthetic = real.sample(frac=1.0, replace=True, random_state=1).reset_index(drop=True)
    synthetic["b"] = synthetic["b"].to_numpy()[rng.permutation(n)]
    metadata = Metadata.detect(real).update_column("a", kind="categorical")
    report = evaluate(real, synthetic, metadata)
    (pair,) = report.pairs
    assert pair.score == pytest.approx(_pair_metric(real, synthetic, 0), abs=1e-9)


def test_cramers_v_equals_scipy_association() -> None:
    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, 2000)
    b = (a + rng.integers(0, 3, 2000)) % 5
    real = pd.DataFrame({"a": a.astype(str), "b": b.astype(str)})
    report = evaluate(real, real.sample(frac=1.0, random_state=0))
    table = pd.crosstab(real["a"], real["b"]).to_numpy()
    assert report.pairs[0].real_association == pytest.approx(
        association(table, method="cramer"), abs=1e-12
    )


def test_contingency_similarity_is_one_minus_tvd_of_joint_shares() -> None:
    real = pd.DataFrame({"a": list("xxyy") * 5, "b": list("pqpq") * 5})
    synthetic = pd.DataFrame({"a": list("xyyy") * 5, "b": list("pqpq") * 5})
    metadata = Metadata.detect(real)
    assert [spec.kind for spec in metadata.columns] == [ColumnKind.CATEGORICAL] * 2
    (trend,) = evaluate(real, synthetic, metadata).pairs
    # real cells xp xq yp yq = 1/4 each; synthetic xp yq yp yq -> 1/4, 0, 1/4, 1/2
    assert trend.metric == "ContingencySimilarity"
    assert trend.score == pytest.approx(1 - 0.5 * (0 + 0.25 + 0 + 0.25))


def test_a_column_that_cannot_be_binned_leaves_its_mixed_pairs_unscored_like_sdmetrics() -> None:
    stamps = pd.Series(pd.date_range("2020-01-01", periods=200, freq="h"))
    real = pd.DataFrame({"t": stamps, "c": list("ab") * 100, "x": np.arange(200.0)})
    synthetic = real.assign(t=stamps.iloc[0])  # one ns timestamp: v +- 0.5 is not representable
    metadata = Metadata.detect(real)
    report = evaluate(real, synthetic, metadata)
    scores = {(p.column_1, p.column_2): p.score for p in report.pairs}
    assert scores[("t", "c")] is None
    assert scores[("t", "x")] is None  # Pearson of a constant column is undefined too
    assert scores[("c", "x")] is not None
    from .tables import sdmetrics_quality

    details = sdmetrics_quality(real, synthetic, metadata, thresholded=False).get_details(
        "Column Pair Trends"
    )
    assert details["Score"].isna().tolist() == [True, True, False]
