"""``python -m benchmarks sampling-speed``: rows per second of a saved autoregressive model."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from benchmarks.__main__ import main


def test_the_sampling_benchmark_prints_the_best_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"city": rng.choice(["Paris", "Lyon"], 300), "x": rng.normal(size=300)})
    path = tmp_path / "model.synthgen"
    sg.create("autoregressive", max_epochs=1, width=16, depth=1, heads=2, seed=0).fit(table).save(
        path
    )
    assert main(["sampling-speed", "--model", str(path), "--rows", "500", "--repeat", "1"]) == 0
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(r"sampling: [\d,]+ rows/s \(500 rows, best of 1\)", out)


def test_the_sampling_benchmark_refuses_another_model_type(tmp_path: Path) -> None:
    table = pd.DataFrame({"x": np.arange(50.0)})
    path = tmp_path / "copula.synthgen"
    sg.create("gaussian_copula", seed=0).fit(table).save(path)
    assert main(["sampling-speed", "--model", str(path)]) == 2
