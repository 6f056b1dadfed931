"""``python -m benchmarks evaluation-speed``: the report timed against SDMetrics' QualityReport."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.__main__ import build_parser, main
from benchmarks.datasets import DATA_DIR

pytestmark = pytest.mark.skipif(
    not (DATA_DIR / "taxis.csv").exists(), reason=f"no shared datasets in {DATA_DIR}"
)


def test_the_evaluation_benchmark_times_both_sides_and_each_part(tmp_path: Path) -> None:
    out = tmp_path / "speed.json"
    arguments = ["--tables", "taxis:300", "--repeats", "1", "--min-speedup", "0"]
    arguments += ["--max-detection-seconds", "1e9"]  # no wall-clock bound in a test
    # exit 0: the quality scores agreed (2 would say they differ)
    assert main(["evaluation-speed", *arguments, "--json", str(out)]) == 0
    (row,) = json.loads(out.read_text())["tables"]
    assert row["table"] == "taxis:300"
    assert row["rows"] == 300
    assert row["synthgen_score"] == pytest.approx(row["sdmetrics_score"], abs=1e-6)
    assert set(row["parts_s"]) >= {"detection", "privacy", "shapes", "trends"}
    assert row["speedup"] > 0
    assert row["speedup_without_detection"] > 0
    assert row["detection_extra_s"] == pytest.approx(
        row["synthgen_full_report_s"] - row["synthgen_without_detection_s"], abs=1e-3
    )


def test_an_unknown_table_is_refused_with_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["evaluation-speed", "--tables", "adult:many"])
    assert "--tables: 'adult:many'" in capsys.readouterr().err
