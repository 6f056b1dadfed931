"""Detection: a classifier's cross-validated AUC at telling synthetic rows from real ones."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.evaluation.columns import describe, encode_columns
from synthgen_core.evaluation.detection import Budget, detection
from tests.core.evaluation.tables import load, resampled


def _detect(real: pd.DataFrame, synthetic: pd.DataFrame, seed: int = 0):
    return detection(encode_columns(real, synthetic, describe(real, None)), seed)


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    return load("adult.csv", 6_000)


def test_two_samples_of_one_table_are_indistinguishable(adult):
    result = _detect(adult.iloc[:3_000], adult.iloc[3_000:].reset_index(drop=True))
    assert result is not None
    assert result.score > 0.9 and abs(result.auc - 0.5) < 0.05
    assert result.score == pytest.approx(1 - 2 * abs(result.auc - 0.5))


def test_disjoint_tables_are_perfectly_separated():
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=1_000), "c": rng.choice(["a", "b"], 1_000)})
    far = real.assign(x=real["x"] + 100.0)
    result = _detect(real, far)
    assert result is not None and result.score < 0.01 and result.auc > 0.995


def test_broken_dependencies_are_caught_though_every_marginal_is_kept(adult):
    # Each column resampled on its own: shapes stay, rows become implausible people.
    result = _detect(adult, resampled(adult, len(adult)))
    assert result is not None and result.score < 0.4


def test_the_score_is_seeded(adult):
    synthetic = resampled(adult, 2_000)
    first, again = _detect(adult, synthetic, seed=3), _detect(adult, synthetic, seed=3)
    assert first == again
    assert _detect(adult, synthetic, seed=4) != first


def test_too_few_rows_give_no_score():
    real = pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"]})
    assert _detect(real, real) is None


def test_every_report_carries_detection(adult):
    report = sg.evaluate(adult.iloc[:2_000], resampled(adult, 2_000))
    assert report.detection is not None and report.detection_auc is not None
    assert report.detection == pytest.approx(1 - 2 * abs(report.detection_auc - 0.5))
    assert report.to_dict()["detection"] == report.detection
    assert "Detection" in report.summary()


def test_a_report_without_detection_keeps_every_other_score(adult):
    real, synthetic = adult.iloc[:2_000], resampled(adult, 2_000)
    full, without = sg.evaluate(real, synthetic), sg.evaluate(real, synthetic, detection=False)
    assert without.detection is None and without.detection_auc is None
    assert re.search(r"Detection\s+n/a", without.summary())
    dropped = {"detection", "detection_auc"}
    kept = {key: value for key, value in full.to_dict().items() if key not in dropped}
    assert {key: value for key, value in without.to_dict().items() if key not in dropped} == kept


def test_a_fold_whose_training_rows_all_miss_a_column_still_scores() -> None:
    """Three synthetic rows: the real rows drawn to match them are mostly missing values."""
    real = pd.DataFrame({"x": list(np.arange(10) * 1.5) + [np.nan] * 90})
    synthetic = pd.DataFrame({"x": [np.nan, np.nan, 0.5]})
    for seed in range(5):
        result = _detect(real, synthetic, seed)
        assert result is not None and 0.0 <= result.score <= 1.0


def test_one_held_out_fold_scores_as_full_cross_validation_does(adult):
    """The report scores one held-out fold: it must read a table as all the folds do."""
    synthetic = resampled(adult, len(adult))
    columns = encode_columns(adult, synthetic, describe(adult, None))
    one = detection(columns, 0, Budget(folds=3, fits=1))
    every = detection(columns, 0, Budget(folds=3, fits=3))
    assert one is not None and every is not None
    assert (one.folds, every.folds) == (1, 3)
    assert abs(one.score - every.score) < 0.05


def test_categories_wider_than_the_bins_enter_as_codes() -> None:
    """With few bins a wide category cannot be native; it is scored through its codes."""
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"c": rng.choice([f"v{i}" for i in range(100)], 2_000)})
    shifted = pd.DataFrame({"c": rng.choice([f"v{i}" for i in range(20)], 2_000)})
    columns = encode_columns(real, shifted, describe(real, None))
    result = detection(columns, 0, Budget(bins=31))
    assert result is not None and result.score < 0.4


def test_a_budget_scoring_more_folds_than_it_deals_is_refused() -> None:
    with pytest.raises(ValueError, match="fits must be 1 to folds"):
        Budget(folds=3, fits=4)


def test_small_tables_score_every_fold_and_vary_less_between_seeds(adult):
    """A held-out fold of a small table is a few dozen rows; every fold is scored there."""
    real, other = adult.iloc[:150], adult.iloc[150:300].reset_index(drop=True)
    columns = encode_columns(real, other, describe(real, None))
    every = [detection(columns, seed) for seed in range(10)]
    one = [detection(columns, seed, Budget(all_folds_below=0)) for seed in range(10)]
    assert all(r is not None and r.folds == 3 for r in every)
    assert all(r is not None and r.folds == 1 for r in one)
    spread = np.std([r.score for r in every if r]), np.std([r.score for r in one if r])
    assert spread[0] < 0.75 * spread[1]
    large = _detect(adult.iloc[:3_000], adult.iloc[3_000:].reset_index(drop=True))
    assert large is not None and large.folds == 1
