"""``python -m benchmarks transform-speed``: one subcommand of the benchmark entry point."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.__main__ import build_parser, main


def test_the_transformer_benchmark_is_a_subcommand_that_times_both_sides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, 400),
            "age": rng.integers(18, 90, 400),
            "city": rng.choice(["Paris", "Lyon", "Nice"], 400),
        }
    )
    path = tmp_path / "table.csv"
    table.to_csv(path, index=False)
    assert main(["transform-speed", "--data", str(path), "--repeat", "1", "--proxy"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"SynthGen TableTransformer fit\+transform: \d+\.\d\d s \(400 rows\)", out)
    assert re.search(r"fit\+transform: \d+\.\d\d s\n", out.split("\n", 1)[1])
    assert re.search(r"speed-up: \d+\.\dx", out)


def test_the_subcommand_runs_one_thread_per_side_unless_told() -> None:
    assert build_parser().parse_args(["transform-speed"]).threads == 1
    assert build_parser().parse_args(["transform-speed", "--threads", "2"]).threads == 2
