"""``python -m benchmarks constraints``: counts violations itself, and finds none with them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.__main__ import main
from benchmarks.constraints import violations
from tests.shared_data import DATASETS

TAXIS = DATASETS / "taxis.csv"


def test_violations_are_counted_per_rule():
    real = pd.DataFrame(
        {
            "pickup": ["2019-03-01 10:00:00"] * 2,
            "dropoff": ["2019-03-01 10:05:00", "2019-03-01 09:00:00"],
            "fare": [5.0, 9.0],
            "total": [6.0, 8.0],
            "distance": [1.0, -1.0],
            "tip": [0.0, 0.0],
            "tolls": [0.0, 0.0],
            "pickup_zone": ["A", "B"],
            "pickup_borough": ["X", "Y"],
            "dropoff_zone": ["A", "B"],
            "dropoff_borough": ["X", "Y"],
        }
    )
    swapped = real.assign(pickup_borough=["Y", "X"])
    counts = violations(swapped, real)
    assert counts["pickup<=dropoff"] == 1
    assert counts["fare<=total"] == 1
    assert counts["distance>=0"] == 1
    assert counts["pickup_zone+pickup_borough"] == 2
    assert counts["dropoff_zone+dropoff_borough"] == 0


@pytest.mark.skipif(not TAXIS.exists(), reason="needs the shared taxis table")
def test_the_subcommand_finds_no_violation_with_constraints(tmp_path: Path, capsys):
    path, out = tmp_path / "taxis.csv", tmp_path / "results.json"
    pd.read_csv(TAXIS).iloc[:800].to_csv(path, index=False)
    argv = ["constraints", "--data", str(path), "--models", "gaussian_copula", "--rows", "5000"]
    assert main([*argv, "--speed-rows", "1000", "--repeat", "1", "--out", str(out)]) == 0
    [result] = json.loads(out.read_text())
    assert sum(result["violations_with"].values()) == 0
    assert sum(result["violations_without"].values()) > 0
    assert "| gaussian_copula | 0 |" in capsys.readouterr().out
