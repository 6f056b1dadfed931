"""Fits timed in fresh single-threaded processes, with and without the column."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.high_cardinality.quality import SCORE_ROWS, column_quality, reference_quality
from benchmarks.high_cardinality.tables import table
from benchmarks.measure import ROOT, max_rss_mb

#: (case, model) pairs the timing run measures, each with and without the column.
TIMED = (("large", "ctgan"), ("large", "tvae"), ("zip", "ctgan"))


def measure_fit(
    case: str, model: str, with_column: bool, epochs: int, kind: str | None = None
) -> dict[str, Any]:
    """Fit time, time per epoch, peak RSS and, with the column, what sampling gives back.

    ``kind`` overrides the detected kind of the column (``categorical``: one code per level).
    """
    import torch

    from synthgen_core.metadata import Metadata

    torch.set_num_threads(1)
    real, column = table(case)
    frame = real if with_column else real.drop(columns=[column])
    metadata = Metadata.detect(frame)
    if with_column and kind is not None:
        metadata = metadata.update_column(column, kind=kind)
    synthesizer, timings = fit_timed(model, frame, metadata, epochs)
    result: dict[str, Any] = {"case": case, "model": model, "with_column": with_column}
    result |= {"epochs": epochs, **timings, "fit_peak_rss_mb": round(max_rss_mb())}
    if with_column:
        result |= sampled_column(synthesizer, real, column, metadata)
    return result


def fit_timed(
    model: str, frame: pd.DataFrame, metadata: Any, epochs: int
) -> tuple[Any, dict[str, float]]:
    """The fitted model, its fit seconds and its least time per epoch."""
    from synthgen_core.models.registry import create

    epoch_ends: list[float] = []

    def record(progress: Any) -> bool:
        epoch_ends.append(progress.elapsed)
        return False

    synthesizer = create(model, seed=0, epochs=epochs, device="cpu")
    start = time.perf_counter()
    synthesizer.fit(frame, metadata, callback=record)
    return synthesizer, {
        "fit_seconds": round(time.perf_counter() - start, 2),
        # The least of the epochs: on a shared machine, neighbours only ever add time.
        "seconds_per_epoch": round(float(np.diff([0.0, *epoch_ends]).min()), 2),
    }


def sampled_column(
    synthesizer: Any, real: pd.DataFrame, column: str, metadata: Any
) -> dict[str, Any]:
    """Whether sampled levels are real, how many are distinct, and their SDMetrics scores."""
    start = time.perf_counter()
    synthetic = synthesizer.sample(SCORE_ROWS, seed=1)
    seconds = time.perf_counter() - start
    values = synthetic[column]
    return {
        "kind": metadata.column(column).kind.value,
        "sample_seconds": round(seconds, 2),
        "only_real_levels": bool(values.isin(set(real[column])).all()),
        "distinct": int(values.nunique()),
        "quality": column_quality(real, synthetic, column),
    }


def run_child(
    case: str, model: str, with_column: bool, epochs: int, log: Path, *, kind: str | None = None
) -> dict[str, Any]:
    """:func:`measure_fit` in a fresh single-threaded interpreter."""
    env = dict(os.environ) | {
        name: "1" for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    }
    command = [sys.executable, "-m", "benchmarks.high_cardinality", "fit", case, model]
    command += ["--epochs", str(epochs)] + (["--with-column"] if with_column else [])
    command += ["--kind", kind] if kind is not None else []
    with log.open("wb") as output:
        done = subprocess.run(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=output, check=False
        )
    if done.returncode != 0:
        return {"case": case, "model": model, "with_column": with_column, "error": str(log)}
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def ratios(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (case, model): with-column over without-column fit time and time per epoch.

    Each side's least over the repeats, which ran interleaved.
    """
    rows = []
    for case, model in TIMED:
        sides = [
            [r for r in results if (r["case"], r["model"], r["with_column"]) == (case, model, w)]
            for w in (False, True)
        ]
        if any(not side or any("error" in r for r in side) for side in sides):
            continue
        best = [
            {key: min(r[key] for r in side) for key in ("fit_seconds", "seconds_per_epoch")}
            for side in sides
        ]
        rows.append(
            {
                "case": case,
                "model": model,
                "fit_ratio": round(best[1]["fit_seconds"] / best[0]["fit_seconds"], 2),
                "epoch_ratio": round(
                    best[1]["seconds_per_epoch"] / best[0]["seconds_per_epoch"], 2
                ),
                "peak_rss_mb": max(r["fit_peak_rss_mb"] for r in sides[1]),
            }
        )
    return rows


TIMED = (("large", "ctgan"), ("large", "tvae"), ("zip", "ctgan"))


def timing(epochs: int, repeats: int, out: Path) -> dict[str, Any]:
    results = [
        run_child(case, model, with_column, epochs, out / f"{case}-{model}-{with_column}.log")
        for _ in range(repeats)
        for case, model in TIMED
        for with_column in (False, True)
    ]
    return {"fits": results, "ratios": ratios(results), "real_reference": references()}


def references() -> dict[str, dict[str, float]]:
    """Per case, the scores of rows drawn from the real ones (see :func:`reference_quality`)."""
    return {case: reference_quality(*table(case)) for case in ("large", "zip")}


def compare_kinds(epochs: int, out: Path) -> list[dict[str, Any]]:
    """CTGAN on the zip table: the column's bounded codes against one code per level."""
    return [
        run_child("zip", "ctgan", True, epochs, out / f"zip-ctgan-{kind}.log", kind=kind)
        for kind in ("high_cardinality", "categorical")
    ]
