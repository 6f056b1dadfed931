"""Gaussian Copula: SynthGen against SDV's GaussianCopulaSynthesizer, side by side.

Measures fit time, sampling throughput (rows/s for ``--rows`` rows) and the SDMetrics
QualityReport score of ``--rows`` synthetic rows against the real table. SDV is an optional
peer (BSL-licensed, never a SynthGen dependency): when it is not installed only SynthGen is
measured. Run from the repository root::

    .venv/bin/python benchmarks/gaussian_copula_vs_sdv.py [--data adult.csv] [--rows 100000]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

import synthgen_core as sg
from benchmarks.datasets import DATA_DIR

DEFAULT_DATA = DATA_DIR / "adult.csv"


def sdmetrics_metadata(df: pd.DataFrame) -> dict[str, Any]:
    """SDMetrics' single-table metadata from SynthGen's detected kinds."""
    kinds = {
        "numerical": "numerical",
        "datetime": "datetime",
        "boolean": "boolean",
        "id": "id",
        "categorical": "categorical",
        "constant": "categorical",
    }
    detected = sg.Metadata.detect(df)
    columns = {spec.name: {"sdtype": kinds[spec.kind.value]} for spec in detected.columns}
    for spec in detected.columns:
        if spec.kind.value == "datetime" and spec.datetime_format:
            columns[spec.name]["datetime_format"] = spec.datetime_format
    return {"columns": columns}


def quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sdmetrics deprecates the single-table import path
        from sdmetrics.reports.single_table import QualityReport

        report = QualityReport()
        report.generate(real, synthetic, sdmetrics_metadata(real), verbose=False)
    return float(report.get_score())


def measure(
    name: str,
    fit: Callable[[], Any],
    sample: Callable[[int], pd.DataFrame],
    real: pd.DataFrame,
    rows: int,
) -> dict[str, Any]:
    start, cpu = time.perf_counter(), time.process_time()
    fit()
    fit_seconds, fit_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    synthetic = sample(rows)
    sample_seconds, sample_cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU seconds alongside wall seconds: on a shared machine wall time measures the load.
    result = {
        "model": name,
        "fit_seconds": round(fit_seconds, 3),
        "fit_cpu_seconds": round(fit_cpu, 3),
        "rows_per_second": round(rows / sample_seconds),
        "rows_per_cpu_second": round(rows / sample_cpu),
        "quality": round(quality(real, synthetic), 4),
    }
    print(json.dumps(result), flush=True)
    return result


def run_synthgen(real: pd.DataFrame, rows: int) -> dict[str, Any]:
    model = sg.create("gaussian_copula", seed=0)
    return measure(
        "synthgen", lambda: model.fit(real), lambda n: model.sample(n, seed=1), real, rows
    )


def run_sdv(real: pd.DataFrame, rows: int) -> dict[str, Any] | None:
    try:
        from sdv.metadata import SingleTableMetadata
        from sdv.single_table import GaussianCopulaSynthesizer
    except ImportError:
        print(
            "SDV is not installed: measuring SynthGen only "
            "(pip install sdv in a separate environment to compare)",
            flush=True,
        )
        return None
    metadata = SingleTableMetadata()
    metadata.detect_from_dataframe(real)
    model = GaussianCopulaSynthesizer(metadata)
    return measure("sdv", lambda: model.fit(real), model.sample, real, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    real = pd.read_csv(args.data)
    ours = run_synthgen(real, args.rows)
    theirs = run_sdv(real, args.rows)
    if theirs is not None:
        print(
            f"fit speed-up {theirs['fit_seconds'] / ours['fit_seconds']:.1f}x, "
            f"sampling speed-up {ours['rows_per_second'] / theirs['rows_per_second']:.1f}x, "
            f"quality {ours['quality']:.3f} vs {theirs['quality']:.3f}"
        )


if __name__ == "__main__":
    main()
