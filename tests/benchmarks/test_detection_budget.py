"""``python -m benchmarks detection-budget``: detection budgets against a strict reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.__main__ import main
from benchmarks.datasets import DATA_DIR
from benchmarks.detection_budget import CANDIDATES, SOURCES

pytestmark = pytest.mark.skipif(
    not (DATA_DIR / "taxis.csv").exists(), reason=f"no shared datasets in {DATA_DIR}"
)


def test_every_budget_scores_every_stand_in_next_to_the_reference(tmp_path: Path) -> None:
    out = tmp_path / "budget.json"
    assert (
        main(["detection-budget", "--tables", "taxis:1000", "--seeds", "1", "--json", str(out)])
        == 0
    )
    rows = json.loads(out.read_text())["rows"]
    assert {(r["source"], r["config"]) for r in rows} == {
        (source, config) for source in SOURCES for config in ["reference", *CANDIDATES]
    }
    reference = {r["source"]: r["score"] for r in rows if r["config"] == "reference"}
    # real rows against real rows look alike; independently drawn columns do not
    assert reference["holdout"] > 0.7
    assert reference["resampled"] < reference["holdout"] - 0.3
