"""TVAE: SynthGen against SDV's TVAESynthesizer at identical hyperparameters, side by side.

For each implementation: setup time (everything before the first epoch: metadata,
transformer fit, moving data to the device), time per epoch, whole fit time, sampling
throughput, the SDMetrics QualityReport score against the real training rows, and ML
efficacy: a HistGradientBoosting classifier trained on synthetic rows, tested on real
holdout rows never shown to the generator (F1 of the target's positive class and macro F1),
next to the same learner trained on the real training rows.

SDV is an optional peer (BSL-licensed, never a SynthGen dependency): when it is not
installed only SynthGen is measured. SDV reports no per-epoch times, so its epoch time is
``(fit(E epochs) - fit(1 epoch)) / (E - 1)``. Run from the repository root::

    .venv/bin/python -m benchmarks.tvae_vs_sdv [--dataset adult] [--epochs 100] [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks import datasets
from benchmarks.measure import sdmetrics_metadata, sdmetrics_quality
from synthgen_core.models.tvae.model import TVAE
from synthgen_core.nn.training import TrainingProgress

#: Shared hyperparameters: TVAE's defaults in both libraries, spelt out so neither drifts.
HYPERPARAMETERS: dict[str, Any] = {
    "batch_size": 500,
    "embedding_dim": 128,
    "compress_dims": [128, 128],
    "decompress_dims": [128, 128],
    "l2scale": 1e-5,
    "loss_factor": 2.0,
}


def _features(frame: pd.DataFrame, target: str, categories: dict[str, list[Any]]) -> Any:
    features = frame.drop(columns=[target]).copy()
    for name, values in categories.items():
        if name != target:
            features[name] = pd.Categorical(features[name], categories=values)
    return features


def efficacy(train: pd.DataFrame, test: pd.DataFrame, target: str) -> dict[str, float]:
    """Train HistGradientBoosting on ``train``, score on real ``test``."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import f1_score

    categorical = [
        name
        for name in test.columns
        if not pd.api.types.is_numeric_dtype(test[name]) and name != target
    ]
    categories = {
        name: sorted(set(test[name].dropna()) | set(train[name].dropna()), key=str)
        for name in categorical
    }
    learner = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    learner.fit(_features(train, target, categories), train[target].astype(str))
    predicted = learner.predict(_features(test, target, categories))
    truth = test[target].astype(str)
    positive = truth.value_counts().index[-1]  # the minority class (adult: " >50K")
    return {
        "f1": round(float(f1_score(truth, predicted, pos_label=positive, average="binary")), 4)
        if truth.nunique() == 2
        else float("nan"),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
    }


def report(
    name: str,
    timings: dict[str, float],
    sample: Callable[[int], pd.DataFrame],
    table: Any,
    sample_rows: int,
) -> dict[str, Any]:
    start = time.perf_counter()
    synthetic = sample(sample_rows)
    sample_seconds = time.perf_counter() - start
    result: dict[str, Any] = {"model": name, **{k: round(v, 4) for k, v in timings.items()}}
    result["rows_per_second"] = round(sample_rows / sample_seconds)
    result["quality"] = round(sdmetrics_quality(table.train, synthetic, table.metadata), 4)
    result["efficacy"] = efficacy(synthetic, table.holdout, table.target)
    print(json.dumps(result), flush=True)
    return result


def run_synthgen(table: Any, epochs: int, device: str, sample_rows: int) -> dict[str, Any]:
    ends: list[float] = []
    cpu_ends: list[float] = []

    def callback(progress: TrainingProgress) -> bool:
        ends.append(time.perf_counter())
        cpu_ends.append(time.process_time())
        return False

    model = TVAE(epochs=epochs, device=device, seed=0, **HYPERPARAMETERS)
    start, cpu_start = time.perf_counter(), time.process_time()
    model.fit(table.train, table.metadata, callback=callback)
    fit_seconds = time.perf_counter() - start
    epoch_seconds = statistics.median(np.diff([start, *ends])[1:]) if epochs > 1 else 0.0
    timings = {
        "setup_seconds": ends[0] - start - epoch_seconds,
        "epoch_seconds": epoch_seconds,
        # CPU time of this process: on a shared machine the wall clock also counts others.
        "epoch_cpu_seconds": statistics.median(np.diff([cpu_start, *cpu_ends])[1:])
        if epochs > 1
        else 0.0,
        "fit_seconds": fit_seconds,
    }
    return report("synthgen", timings, lambda n: model.sample(n, seed=1), table, sample_rows)


def _parameters(cls: type) -> set[str]:
    import inspect

    return set(inspect.signature(cls).parameters)


def run_sdv(table: Any, epochs: int, device: str, sample_rows: int) -> dict[str, Any] | None:
    try:
        from sdv.metadata import SingleTableMetadata
        from sdv.single_table import TVAESynthesizer
    except ImportError:
        print(
            "SDV is not installed: measuring SynthGen only "
            "(pip install sdv in a separate environment to compare)",
            flush=True,
        )
        return None

    def fit(n_epochs: int) -> tuple[Any, float]:
        metadata = SingleTableMetadata.load_from_dict(sdmetrics_metadata(table.metadata))
        gpu_option = "enable_gpu" if "enable_gpu" in _parameters(TVAESynthesizer) else "cuda"
        model = TVAESynthesizer(
            metadata,
            epochs=n_epochs,
            **{gpu_option: device != "cpu"},
            **{k: tuple(v) if isinstance(v, list) else v for k, v in HYPERPARAMETERS.items()},
        )
        start = time.perf_counter()
        model.fit(table.train)
        return model, time.perf_counter() - start

    _, one_epoch = fit(1)
    model, fit_seconds = fit(epochs)
    epoch_seconds = (fit_seconds - one_epoch) / max(epochs - 1, 1)
    timings = {
        "setup_seconds": one_epoch - epoch_seconds,
        "epoch_seconds": epoch_seconds,
        "fit_seconds": fit_seconds,
    }
    return report("sdv", timings, model.sample, table, sample_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="adult", choices=sorted(datasets.DATASETS))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--sample-rows",
        type=int,
        default=None,
        help="rows to sample (default: as many as the training rows)",
    )
    parser.add_argument("--max-rows", type=int, default=None, help="subsample the table")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()
    table = datasets.load(args.dataset, args.max_rows)
    assert table.target is not None  # every shared dataset names its target
    rows = args.sample_rows or len(table.train)
    real = efficacy(table.train, table.holdout, table.target)
    print(json.dumps({"model": "real", "efficacy": real}), flush=True)
    results = [run_synthgen(table, args.epochs, args.device, rows)]
    theirs = run_sdv(table, args.epochs, args.device, rows)
    if theirs is not None:
        ours = results[0]
        results.append(theirs)
        print(
            f"epoch time {ours['epoch_seconds'] / theirs['epoch_seconds']:.2f}x SDV's, "
            f"fit time {ours['fit_seconds'] / theirs['fit_seconds']:.2f}x, sampling "
            f"{ours['rows_per_second'] / theirs['rows_per_second']:.1f}x faster, quality "
            f"{ours['quality']:.3f} vs {theirs['quality']:.3f}"
        )
    if args.out is not None:
        args.out.write_text(json.dumps({"real": real, "results": results}, indent=2))


if __name__ == "__main__":
    main()
