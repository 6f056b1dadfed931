"""KSComplement / TVComplement: definitions, missing values, agreement with SDMetrics."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp

from synthgen_core.evaluation.shapes import ks_complement, tv_complement

values = st.lists(
    st.one_of(st.integers(-5, 5).map(float), st.just(np.nan), st.floats(-1e3, 1e3)),
    min_size=1,
    max_size=40,
)


def _sdmetrics(metric: str, real: pd.Series, synthetic: pd.Series) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sdmetrics.single_column as single

        return float(getattr(single, metric).compute(real, synthetic))


@settings(max_examples=60, deadline=None)
@given(real=values, synthetic=values)
def test_ks_complement_equals_sdmetrics(real: list[float], synthetic: list[float]) -> None:
    real_a, synthetic_a = np.array(real), np.array(synthetic)
    expected = _sdmetrics("KSComplement", pd.Series(real_a), pd.Series(synthetic_a))
    ours = ks_complement(np.round(real_a, 14), np.round(synthetic_a, 14))
    if np.isnan(expected):  # a side with no value left after dropping missing ones
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(expected, abs=1e-12)


def test_ks_complement_is_one_minus_the_ks_statistic_ignoring_missing() -> None:
    rng = np.random.default_rng(0)
    real, synthetic = rng.normal(size=500), rng.normal(0.3, 1.2, size=300)
    expected = 1 - ks_2samp(real, synthetic).statistic
    with_missing = np.concatenate([synthetic, [np.nan] * 50])
    assert ks_complement(real, with_missing) == pytest.approx(expected, abs=1e-12)
    assert ks_complement(real, real) == 1.0
    assert ks_complement(real, real + 100) == 0.0


@settings(max_examples=60, deadline=None)
@given(
    real=st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=40),
    synthetic=st.lists(st.sampled_from(["a", "b", "d", None]), min_size=1, max_size=40),
)
def test_tv_complement_equals_sdmetrics(
    real: list[str | None], synthetic: list[str | None]
) -> None:
    codes, labels = pd.factorize(pd.Series(real + synthetic, dtype=object))
    k = len(labels)
    codes = np.where(codes < 0, k, codes)
    ours = tv_complement(codes[: len(real)], codes[len(real) :], k)
    if all(v is None for v in real) or all(v is None for v in synthetic):
        assert np.isnan(ours)  # SDMetrics refuses these; evaluate() raises DataError first
        return
    expected = _sdmetrics("TVComplement", pd.Series(real), pd.Series(synthetic))
    assert ours == pytest.approx(expected, abs=1e-12)


def test_tv_complement_counts_frequency_gaps_once() -> None:
    real = np.array([0, 0, 1, 1])  # 50/50
    synthetic = np.array([0, 0, 0, 1, 2])  # 60/20 on real categories, 20 on "missing" (k=2)
    # missing values dropped: synthetic is 75/25 -> TVD 0.25
    assert tv_complement(real, synthetic, 2) == pytest.approx(0.75)


@pytest.mark.parametrize("scale", [1e300, 1e-3])
def test_huge_magnitudes_score_like_any_other(scale: float) -> None:
    from synthgen_core.evaluation import evaluate

    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=300) * scale})
    shifted = real.assign(x=real["x"] + 10 * scale)  # every value past the real ones
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rounding 1e300 to 14 decimals used to overflow
        assert evaluate(real, real.sample(frac=1, random_state=1)).score == 1.0
        assert evaluate(real, shifted).score == 0.0
