"""``python -m benchmarks run --quick`` end to end, shrunk: one table, two models, no peer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_quick_run_writes_json_markdown_and_plots(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "benchmarks",
        "run",
        "--quick",
        "--datasets",
        "taxis",
        "--models",
        "gaussian_copula,tvae",
        "--rows",
        "300",
        "--out",
        str(tmp_path),
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=580, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["machine"]["threads"] >= 1
    assert results["machine"]["libraries"]["synthgen-core"]
    runs = {item["model"]: item for item in results["measurements"]}
    assert set(runs) == {"gaussian_copula", "tvae"}
    for item in runs.values():
        assert item["error"] is None
        assert (item["rows_train"], item["rows_holdout"]) == (240, 60)
        assert item["fit_seconds"] > 0 and item["sample_rows_per_second"] > 0
        assert item["peak_rss_mb"] > 50 and item["model_file_bytes"] > 0
        assert 0 <= item["quality"] <= 1 and 0 <= item["quality_sdmetrics"] <= 1
        assert 0 <= item["quality_thresholded"] <= 1
        assert item["efficacy_metric"] == "f1_macro" and 0 <= item["closer_to_train"] <= 1
    assert runs["tvae"]["epochs"] == 1 and len(runs["tvae"]["loss_history"]) == 1
    assert runs["gaussian_copula"]["epochs"] is None
    table = (tmp_path / "results.md").read_text()
    assert "| taxis | tvae | SynthGen | 240 train / 60 holdout rows, epochs=1 |" in table
    for name in ("quality_vs_fit_time", "loss_taxis_tvae", "marginals_taxis_tvae"):
        assert (tmp_path / f"{name}.png").read_bytes().startswith(PNG), name
