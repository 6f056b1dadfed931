"""Privacy: copies are caught, fresh rows look fresh (exact distances: test_neighbours.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgen_core.evaluation import evaluate
from synthgen_core.evaluation.privacy import MAX_QUERIES, row_fingerprints

from .tables import known, load


def test_row_fingerprints_identify_equal_rows_only() -> None:
    a = [np.array([1.0, np.nan, -0.0, 2.0]), np.array([3, 4, 5, 6])]
    b = [np.array([1.0, np.nan, 0.0, 2.0]), np.array([3, 4, 5, 7])]
    assert list(row_fingerprints(a) == row_fingerprints(b)) == [True, True, True, False]


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    return load("adult.csv", 6000)


def test_copied_training_rows_are_flagged(adult: pd.DataFrame) -> None:
    train, holdout = adult.iloc[:3000], adult.iloc[3000:]
    report = evaluate(train, train.sample(n=2000, random_state=1), holdout=holdout)
    privacy = report.privacy
    assert privacy is not None
    assert privacy.exact_copy_rate == 1.0
    assert privacy.dcr_median == 0.0
    assert privacy.dcr_ratio == 0.0
    assert known(privacy.closer_to_train) > 0.95


def test_fresh_real_rows_are_as_close_to_train_as_to_holdout(adult: pd.DataFrame) -> None:
    train, holdout, fresh = adult.iloc[:2500], adult.iloc[2500:5000], adult.iloc[5000:]
    privacy = evaluate(train, fresh, holdout=holdout).privacy
    assert privacy is not None
    assert privacy.closer_to_train == pytest.approx(0.5, abs=0.08)  # 500 queries: SE 0.022
    assert privacy.exact_copy_rate < 0.01
    assert 0.0 < known(privacy.dcr_ratio) < 1.0  # real rows sit nearer records than noise does
    assert privacy.n_queries == min(len(fresh), MAX_QUERIES)


def test_privacy_is_reproducible_for_a_seed(adult: pd.DataFrame) -> None:
    train, synthetic = adult.iloc[:3000], adult.iloc[3000:]
    first = evaluate(train, synthetic, seed=5).privacy
    assert first == evaluate(train, synthetic, seed=5).privacy
    assert first != evaluate(train, synthetic, seed=6).privacy


def test_dcr_searches_the_whole_training_sample_even_with_a_small_holdout(
    adult: pd.DataFrame,
) -> None:
    train, holdout = adult.iloc[:4000], adult.iloc[4000:4500]
    privacy = evaluate(train, train.sample(n=1000, random_state=2), holdout=holdout).privacy
    assert privacy is not None
    assert privacy.n_reference == 4000 and privacy.n_matched == 500
    assert privacy.dcr_median == 0.0  # every copy finds its original
    # against 500 train rows, a copy's original is there 1 time in 8: 1/8 + 7/8 * 1/2
    assert known(privacy.closer_to_train) == pytest.approx(0.5625, abs=0.06)


def test_closer_to_train_is_steady_across_seeds_on_a_small_holdout(adult: pd.DataFrame) -> None:
    train, holdout, fresh = adult.iloc[:200], adult.iloc[200:250], adult.iloc[250:450]
    closer = []
    for seed in range(12):
        privacy = evaluate(train, fresh, holdout=holdout, seed=seed, detection=False).privacy
        assert privacy is not None and privacy.n_matched == 50
        closer.append(known(privacy.closer_to_train))
    # One training sample of 50 rows moves the share by about 0.04 (one standard deviation);
    # averaged over the four disjoint samples the 200 training rows make, by under 0.015.
    assert np.std(closer) < 0.015
