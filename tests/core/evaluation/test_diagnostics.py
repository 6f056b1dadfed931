"""Validity, coverage and missing-value diagnostics equal SDMetrics' single-column metrics."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from synthgen_core.evaluation import evaluate
from synthgen_core.metadata import Metadata

from .tables import distorted, load, resampled


def _sdmetrics(metric: str, real: pd.Series, synthetic: pd.Series) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sdmetrics.single_column as single

        return float(getattr(single, metric).compute(real, synthetic))


@pytest.mark.parametrize(("dataset", "rows"), [("taxis.csv", 2000), ("adult.csv", 2000)])
@pytest.mark.parametrize("make_synthetic", ["distorted", "resampled"])
def test_diagnostics_equal_sdmetrics(dataset: str, rows: int, make_synthetic: str) -> None:
    real = load(dataset, rows)
    synthetic = distorted(real) if make_synthetic == "distorted" else resampled(real, rows // 3)
    report = evaluate(real, synthetic, Metadata.detect(real))
    assert report.diagnostics
    for check in report.diagnostics:
        pair = (real[check.column], synthetic[check.column])
        for metric, ours in (
            (check.validity_metric, check.validity),
            (check.coverage_metric, check.coverage),
            ("MissingValueSimilarity", check.missing_similarity),
        ):
            expected = _sdmetrics(metric, *pair)
            assert ours == pytest.approx(expected, abs=1e-9), (check.column, metric)


def test_out_of_range_values_and_unseen_categories_lower_validity() -> None:
    real = pd.DataFrame({"x": np.linspace(0, 10, 50), "c": list("ab") * 25})
    synthetic = pd.DataFrame({"x": np.linspace(-5, 10, 50), "c": list("abcd") * 12 + ["a", "a"]})
    by_column = {d.column: d for d in evaluate(real, synthetic).diagnostics}
    assert by_column["x"].validity_metric == "BoundaryAdherence"
    assert by_column["x"].validity == pytest.approx(np.mean(np.linspace(-5, 10, 50) >= 0))
    assert by_column["x"].coverage == 1.0
    assert by_column["c"].validity == pytest.approx(26 / 50)  # a, b valid; c, d not
    assert by_column["c"].coverage == 1.0


def test_missing_values_are_valid_only_when_the_real_column_has_them() -> None:
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, np.nan, 3.0, 4.0]})
    synthetic = pd.DataFrame({"x": [1.0, np.nan, 3.0, 9.0], "y": [1.0, np.nan, 3.0, 9.0]})
    by_column = {d.column: d for d in evaluate(real, synthetic).diagnostics}
    assert by_column["x"].validity == pytest.approx(2 / 4)  # NaN counts as invalid
    assert by_column["y"].validity == pytest.approx(2 / 3)  # NaN allowed, left out
    assert by_column["x"].missing_similarity == pytest.approx(0.75)
    assert by_column["y"].missing_similarity == 1.0
