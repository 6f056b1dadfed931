"""Alpha-precision and beta-recall: typical rows, and every kind of real row reached."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

import synthgen_core as sg
from synthgen_core.evaluation.columns import describe, encode_columns
from synthgen_core.evaluation.neighbours import WIDE_LEVELS, Space
from synthgen_core.evaluation.precision_recall import (
    LEVELS,
    PrecisionRecall,
    pairwise_distances,
    precision_recall,
    support_curve,
)
from synthgen_core.evaluation.report_struct import Report
from tests.core.evaluation.tables import load, resampled
from tests.core.evaluation.test_neighbours import one_hot_space, table


def _score(real: pd.DataFrame, synthetic: pd.DataFrame, seed: int = 0) -> PrecisionRecall:
    columns = encode_columns(real, synthetic, describe(real, None))
    result = precision_recall(columns, np.random.default_rng(seed))
    assert result is not None
    return result


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    return load("adult.csv", 4_000)


def test_real_rows_the_model_never_saw_score_near_one(adult):
    result = _score(adult.iloc[:2_000], adult.iloc[2_000:].reset_index(drop=True))
    assert result.alpha_precision > 0.9 and result.beta_recall > 0.9


def test_one_row_repeated_is_neither_spread_like_the_real_rows_nor_covers_them(adult):
    result = _score(adult.iloc[:2_000], pd.concat([adult.iloc[[2_500]]] * 2_000))
    # one typical row is inside every support from some level on: 0.5 when that is 1/2
    assert result.alpha_precision < 0.6
    assert result.beta_recall < 0.05


def test_a_dropped_kind_of_row_lowers_recall_but_not_precision(adult):
    real = adult.iloc[:2_000]
    rest = adult.iloc[2_000:]
    only_men = rest[rest["sex"].str.strip() == "Male"].reset_index(
        drop=True
    )  # a third of the rows gone
    faithful, collapsed = _score(real, rest.reset_index(drop=True)), _score(real, only_men)
    assert collapsed.beta_recall < faithful.beta_recall - 0.15
    assert collapsed.alpha_precision > 0.8


def test_rows_of_independently_drawn_columns_are_atypical_though_they_reach_the_real_rows(
    adult,
):
    real, rest = adult.iloc[:2_000], adult.iloc[2_000:].reset_index(drop=True)
    result = _score(real, resampled(rest, 2_000))
    assert result.alpha_precision < 0.6
    assert result.beta_recall > 0.85


def test_rows_strewn_over_the_domain_score_low_precision():
    rng = np.random.default_rng(0)
    x = rng.normal(size=2_000)
    real = pd.DataFrame({"x": x, "y": x + rng.normal(scale=0.05, size=2_000)})
    noise = pd.DataFrame({"x": rng.uniform(-4, 4, 2_000), "y": rng.uniform(-4, 4, 2_000)})
    assert _score(real, noise).alpha_precision < 0.3


def test_the_scores_are_seeded(adult):
    real, synthetic = adult.iloc[:1_500], adult.iloc[1_500:].reset_index(drop=True)
    assert _score(real, synthetic, seed=3) == _score(real, synthetic, seed=3)
    assert _score(real, synthetic, seed=4) != _score(real, synthetic, seed=3)


def test_too_few_rows_give_no_scores():
    tiny = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "c": list("abcab")})
    columns = encode_columns(tiny, tiny, describe(tiny, None))
    assert precision_recall(columns, np.random.default_rng(0)) is None


def test_a_support_holds_its_level_of_rows_from_the_same_distribution():
    rng = np.random.default_rng(0)
    own_radius = rng.exponential(size=20_000)
    others = rng.exponential(size=(20_000, 1)) * np.ones((1, 6))  # k-th nearest: column 5
    assert support_curve(own_radius, others) == pytest.approx(LEVELS, abs=0.02)


def test_every_report_carries_both(adult):
    report = sg.evaluate(adult.iloc[:1_000], adult.iloc[1_000:2_000].reset_index(drop=True))
    assert report.alpha_precision is not None and report.beta_recall is not None
    stored = report.to_dict()
    assert (stored["alpha_precision"], stored["beta_recall"]) == (
        report.alpha_precision,
        report.beta_recall,
    )
    assert Report.from_dict(stored) == report
    assert "Precision / recall" in report.summary()


def test_a_report_can_leave_them_out(adult):
    real, synthetic = adult.iloc[:500], adult.iloc[500:1_000].reset_index(drop=True)
    full = sg.evaluate(real, synthetic, detection=False)
    without = sg.evaluate(real, synthetic, detection=False, precision_recall=False)
    assert without.alpha_precision is None and without.beta_recall is None
    dropped = {"alpha_precision", "beta_recall"}
    kept = {key: value for key, value in full.to_dict().items() if key not in dropped}
    assert {key: value for key, value in without.to_dict().items() if key not in dropped} == kept


def test_a_stored_report_without_them_still_loads(adult):
    report = sg.evaluate(adult.iloc[:500], adult.iloc[500:1_000].reset_index(drop=True))
    older = {
        k: v for k, v in report.to_dict().items() if k not in {"alpha_precision", "beta_recall"}
    }
    loaded = Report.from_dict(older)
    assert loaded.alpha_precision is None and loaded.beta_recall is None
    assert "n/a" in loaded.summary()


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_real=st.integers(1, 80),
    n_synthetic=st.integers(1, 40),
    kinds=st.lists(st.sampled_from([0, 0, 1, 3, WIDE_LEVELS + 40]), min_size=1, max_size=5),
    copies=st.sampled_from([0.0, 0.3, 1.0]),
)
def test_pairwise_distances_are_the_privacy_checks_distances(
    seed: int, n_real: int, n_synthetic: int, kinds: list[int], copies: float
) -> None:
    columns = table(seed, n_real, n_synthetic, kinds, copies)
    space = Space(columns)
    real, synthetic = (space.embed([getattr(c, t) for c in columns]) for t in ("real", "synthetic"))
    expected = cdist(
        one_hot_space(columns, [c.synthetic for c in columns]),
        one_hot_space(columns, [c.real for c in columns]),
    )
    distances = pairwise_distances(synthetic, real)
    np.testing.assert_allclose(distances, expected, rtol=1e-5, atol=1e-5)  # float32
    copied = expected == 0
    assert (distances[copied] == 0).all()  # a copy is at exactly 0, not rounding noise


def test_values_far_outside_the_training_range_stay_far_and_finite() -> None:
    """A synthetic number 1e20 times the real range would overflow float32 unclipped."""
    columns = table(2, 80, 30, [0, 3], 0.0)
    columns[0].synthetic[:4] = [1e20, -1e20, 1e300, np.nan]
    space = Space(columns)
    real, synthetic = (space.embed([getattr(c, t) for c in columns]) for t in ("real", "synthetic"))
    distances = pairwise_distances(synthetic, real)
    assert np.isfinite(distances).all()
    assert distances[:3].min() > pairwise_distances(real, real).max()
