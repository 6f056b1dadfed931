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
    assert re.fullmatch(
        r"SynthGen sampling: best [\d,]+ rows/s, median [\d,]+ \(500 rows, 1 draws\)", out
    )


def test_against_sdv_s_ctgan_both_are_timed_in_turn_and_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sdv", reason="SDV is installed with the bench extra only")
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"city": rng.choice(["Paris", "Lyon"], 300), "x": rng.normal(size=300)})
    table.to_csv(tmp_path / "cities.csv", index=False)
    path = tmp_path / "model.synthgen"
    sg.create("autoregressive", max_epochs=1, seed=0).fit(table).save(path)
    argv = ["sampling-speed", "--model", str(path), "--rows", "400", "--repeat", "2"]
    assert main([*argv, "--against-sdv-ctgan", str(tmp_path / "cities.csv")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(" sampling:")[0] for line in lines[:2]] == ["SynthGen", "SDV CTGAN"]
    assert re.fullmatch(r"SynthGen / SDV CTGAN: best [\d.]+x, median [\d.]+x", lines[-1])


def test_the_sampling_benchmark_refuses_another_model_type(tmp_path: Path) -> None:
    table = pd.DataFrame({"x": np.arange(50.0)})
    path = tmp_path / "copula.synthgen"
    sg.create("gaussian_copula", seed=0).fit(table).save(path)
    assert main(["sampling-speed", "--model", str(path)]) == 2
