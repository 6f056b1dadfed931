"""Our quality numbers equal SDMetrics' QualityReport on the same inputs (to 1e-6).

``score`` equals the QualityReport as SDMetrics ships it (checked with SDMetrics 0.32.0: pair
trends over the pairs with a real trend), ``score_all_pairs`` the same report with its
thresholds set to 0. SDMetrics (MIT) is the independent reference here and in tests only;
the library never imports it. Real tables come from /work/shared/datasets, subsampled so
the suite stays fast; the whole-dataset runs are marked slow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgen_core.evaluation import Report, evaluate
from synthgen_core.metadata import Metadata

from .tables import distorted, known, load, resampled, sdmetrics_quality

TOLERANCE = 1e-6
FAST = [("taxis.csv", 1500), ("adult.csv", 1500), ("credit_default.csv", 800)]
SLOW = [("census.csv.gz", 3000), ("intrusion.csv.gz", 3000), ("covertype.csv.gz", 5000)]


def _scores(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def _assert_same_report(
    ours: Report, real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata
) -> None:
    old = sdmetrics_quality(real, synthetic, metadata, thresholded=False)
    new = sdmetrics_quality(real, synthetic, metadata, thresholded=True)
    shapes = old.get_details("Column Shapes")
    assert list(shapes["Column"]) == [s.column for s in ours.shapes]
    np.testing.assert_allclose(
        _scores(ours.details["column_shapes"]["score"]),
        _scores(shapes["Score"]),
        atol=TOLERANCE,
    )
    pairs_old, pairs_new = (
        old.get_details("Column Pair Trends"),
        new.get_details("Column Pair Trends"),
    )
    ours_pairs = ours.details["pair_trends"]
    assert list(pairs_old["Column 1"]) == list(ours_pairs["column_1"])
    assert list(pairs_old["Column 2"]) == list(ours_pairs["column_2"])
    assert list(pairs_old["Metric"]) == list(ours_pairs["metric"])
    np.testing.assert_allclose(
        _scores(ours_pairs["score"]), _scores(pairs_old["Score"]), atol=TOLERANCE
    )
    meets = pairs_new["Meets Threshold?"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    np.testing.assert_array_equal(ours_pairs["meets_threshold"].to_numpy(dtype=bool), meets)
    np.testing.assert_allclose(
        _scores(ours_pairs["real_association"]),
        _scores(pairs_new["Real Association"]),
        atol=TOLERANCE,
    )
    assert ours.score == pytest.approx(new.get_score(), abs=TOLERANCE)
    assert ours.score_all_pairs == pytest.approx(old.get_score(), abs=TOLERANCE)
    new_trends = new.get_properties().set_index("Property")["Score"]["Column Pair Trends"]
    assert _same(ours.pair_trends, new_trends)


@pytest.mark.parametrize(
    ("dataset", "rows", "make_synthetic"),
    [(*case, "distorted") for case in FAST] + [(*case, "resampled") for case in FAST[:2]],
)
def test_quality_report_equals_sdmetrics(dataset: str, rows: int, make_synthetic: str) -> None:
    real = load(dataset, rows)
    synthetic = distorted(real) if make_synthetic == "distorted" else resampled(real, rows // 2)
    metadata = Metadata.detect(real)
    _assert_same_report(evaluate(real, synthetic, metadata), real, synthetic, metadata)


@pytest.mark.slow
@pytest.mark.parametrize(("dataset", "rows"), SLOW)
def test_quality_report_equals_sdmetrics_on_wide_tables(dataset: str, rows: int) -> None:
    real = load(dataset, rows)
    synthetic = distorted(real)
    metadata = Metadata.detect(real)
    _assert_same_report(evaluate(real, synthetic, metadata), real, synthetic, metadata)


def _same(ours: float | None, theirs: float) -> bool:
    """Equal to the tolerance, where SDMetrics' NaN (no pair has a trend) is our None."""
    return ours is None if np.isnan(theirs) else ours == pytest.approx(theirs, abs=TOLERANCE)


def test_the_score_averages_only_pairs_with_a_real_trend() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=2000)
    real = pd.DataFrame(
        {
            "x": x,
            "y": x + rng.normal(scale=0.3, size=2000),
            "noise": rng.normal(size=2000),
        }
    )
    synthetic = real.assign(y=rng.normal(size=2000))  # breaks the only real trend
    report = evaluate(real, synthetic)
    trended = [p for p in report.pairs if p.meets_threshold]
    assert [(p.column_1, p.column_2) for p in trended] == [("x", "y")]
    assert report.pair_trends == pytest.approx(trended[0].score)
    assert known(report.pair_trends) < 0.7 < known(report.pair_trends_all_pairs)
    assert known(report.score) < known(report.score_all_pairs)
