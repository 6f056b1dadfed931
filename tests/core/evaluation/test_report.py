"""The Report a user and the service rely on: scores, details, JSON, summary, plot, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from synthgen_core.errors import DataError
from synthgen_core.evaluation import Report, evaluate
from synthgen_core.metadata import Metadata
from tests.strategies import frames

from .tables import distorted, known, load


@pytest.fixture(scope="module")
def taxis_report() -> Report:
    real = load("taxis.csv", 1200)
    return evaluate(real, distorted(real), target="payment")


def test_scores_are_fractions_and_the_score_averages_shapes_and_trends(
    taxis_report: Report,
) -> None:
    r = taxis_report
    for value in (r.score, r.column_shapes, r.pair_trends, r.score_all_pairs, r.validity):
        assert value is not None and 0.0 <= value <= 1.0
    assert r.score == pytest.approx((known(r.column_shapes) + known(r.pair_trends)) / 2)
    assert r.column_shapes == pytest.approx(r.details["column_shapes"]["score"].mean())
    pairs = r.details["pair_trends"]
    assert r.pair_trends == pytest.approx(pairs.loc[pairs["meets_threshold"], "score"].mean())
    assert r.pair_trends_all_pairs == pytest.approx(pairs["score"].mean())
    all_pairs = (known(r.column_shapes) + known(r.pair_trends_all_pairs)) / 2
    assert r.score_all_pairs == pytest.approx(all_pairs)


def test_details_are_per_column_and_per_pair_frames(taxis_report: Report) -> None:
    details = taxis_report.details
    assert set(details) == {"column_shapes", "pair_trends", "diagnostics", "efficacy"}
    assert len(details["column_shapes"]) == 14
    assert len(details["pair_trends"]) == 14 * 13 // 2
    assert {"column_1", "column_2", "metric", "score", "meets_threshold"} <= set(
        details["pair_trends"].columns
    )
    assert list(details["efficacy"]["metric"]) == ["accuracy", "f1_macro", "roc_auc"]


def test_to_dict_is_json_and_round_trips(taxis_report: Report) -> None:
    data = json.loads(json.dumps(taxis_report.to_dict(), allow_nan=False))
    assert data["format_version"] == 2
    assert Report.from_dict(data) == taxis_report
    with pytest.raises(DataError, match="not a SynthGen evaluation report"):
        Report.from_dict({"score": "high"})
    with pytest.raises(DataError, match="upgrade synthgen-core"):
        Report.from_dict({**data, "format_version": 99})


def test_a_format_1_report_reads_back_with_its_scores_renamed(taxis_report: Report) -> None:
    """Format 1 called the all-pairs average ``score`` and the real-trend one thresholded."""
    current = taxis_report.to_dict()
    old = {key: value for key, value in current.items() if "all_pairs" not in key}
    old |= {
        "format_version": 1,
        "score": current["score_all_pairs"],
        "pair_trends": current["pair_trends_all_pairs"],
        "score_thresholded": current["score"],
        "pair_trends_thresholded": current["pair_trends"],
    }
    assert Report.from_dict(old) == taxis_report


def test_summary_names_the_scores_and_the_weakest_pairs(taxis_report: Report) -> None:
    text = taxis_report.summary()
    assert f"{100 * known(taxis_report.score):5.1f}%" in text
    assert "Weakest pairs" in text and "ML efficacy" in text
    assert all(shape.column in text for shape in taxis_report.shapes)


def test_plot_writes_a_png_from_the_stored_report_alone(
    taxis_report: Report, tmp_path: Path
) -> None:
    stored = Report.from_dict(json.loads(json.dumps(taxis_report.to_dict())))
    path = stored.plot(tmp_path / "report.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_id_and_constant_columns_are_excluded() -> None:
    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(300)],
            "x": rng.normal(size=300),
            "country": ["FR"] * 300,
            "c": rng.choice(list("abc"), 300),
        }
    )
    synthetic = real.assign(customer_id=[f"C{i:05d}" for i in range(1000, 1300)])
    report = evaluate(real, synthetic)
    assert report.excluded == ["customer_id", "country"]
    assert [s.column for s in report.shapes] == ["x", "c"]
    assert report.score == 1.0
    assert report.privacy is not None and report.privacy.exact_copy_rate == 1.0


def test_given_metadata_is_used_instead_of_detection() -> None:
    real = pd.DataFrame({"code": [1, 2, 3, 1, 2, 3] * 20, "x": np.arange(120.0)})
    metadata = Metadata.detect(real).update_column("code", kind="numerical")
    report = evaluate(real, real, metadata)
    assert {s.column: s.metric for s in report.shapes}["code"] == "KSComplement"
    with pytest.raises(DataError, match="metadata"):
        evaluate(real, real, metadata={"columns": []})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("real", "synthetic", "message"),
    [
        (pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"b": [1, 2]}), r"missing \['a'\]"),
        (pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": []}), "synthetic table is empty"),
        (pd.DataFrame(), pd.DataFrame(), "real table is empty"),
        (
            pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": list("xyz")}),
            pd.DataFrame({"a": [np.nan] * 3, "b": list("xyz")}),
            "'a' is entirely missing in the synthetic table",
        ),
        (
            pd.DataFrame({"a": [1.0, 2.0, 3.0]}),
            pd.DataFrame({"a": ["one", "two", "three"]}),
            "'a' is numerical but holds non-numeric values",
        ),
    ],
)
def test_bad_input_raises_a_data_error_naming_the_column(
    real: pd.DataFrame, synthetic: pd.DataFrame, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        evaluate(real, synthetic)


def test_columns_may_come_in_any_order() -> None:
    real = pd.DataFrame({"a": np.arange(50.0), "b": list("xy") * 25})
    assert evaluate(real, real[["b", "a"]]).score == 1.0


def test_a_single_column_has_shapes_and_an_empty_pair_table() -> None:
    real = pd.DataFrame({"a": np.arange(50.0)})
    report = evaluate(real, real + 0.5)
    assert report.pair_trends is None
    assert report.score == report.column_shapes
    assert report.details["pair_trends"].empty
    assert "score" in report.details["pair_trends"].columns


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=frames(min_rows=8, max_rows=30))
def test_any_table_gives_a_report_or_a_data_error(table: pd.DataFrame) -> None:
    half = len(table) // 2
    real, synthetic = table.iloc[:half].reset_index(drop=True), table.iloc[half:]
    try:
        report = evaluate(real, synthetic.reset_index(drop=True))
    except DataError:  # refused with a message (checked elsewhere), never a bare crash
        return
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    scores = [data["score"], data["column_shapes"], data["validity"], data["coverage"]]
    assert all(v is None or 0.0 <= v <= 1.0 for v in scores)


def test_plot_of_a_table_without_numbers_has_no_heatmaps(tmp_path: Path) -> None:
    real = pd.DataFrame({"a": list("xyz") * 20, "b": list("pq") * 30})
    path = evaluate(real, real.iloc[::-1]).plot(tmp_path / "categorical.png")
    assert path.stat().st_size > 0


def test_importing_evaluation_loads_neither_matplotlib_nor_sdmetrics() -> None:
    code = (
        "import sys, synthgen_core.evaluation; "
        "print(sorted(m for m in ('matplotlib', 'sdmetrics') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_datetimes_in_different_units_are_compared_on_the_finer_clock() -> None:
    days = pd.Series(pd.date_range("2020-01-01", periods=50, freq="D"))
    real = pd.DataFrame({"t": days.dt.as_unit("s"), "x": np.arange(50.0)})
    synthetic = real.assign(t=(days + pd.Timedelta(milliseconds=500)).dt.as_unit("ms"))
    (shape, _) = evaluate(real, synthetic).shapes
    assert shape.score == pytest.approx(1 - 1 / 50)  # half a second later, every time
