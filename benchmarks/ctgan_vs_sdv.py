"""CTGAN speed and quality on adult: ours against SDV's CTGAN (when installed).

Measured for each side:

* seconds per training epoch, wall and CPU (ours: from the training callback; SDV: from
  a post-step hook on every torch optimiser), both excluding preprocessing, plus the whole
  ``--epochs`` fit including preprocessing;
* sampling speed in rows per second;
* with ``--quality``: the SDMetrics QualityReport score and ML efficacy (a
  HistGradientBoosting classifier trained on synthetic rows, F1 of `` >50K`` on a real
  hold-out it never saw).

SDV is an optional peer (``pip install sdv``) and is imported only here; without it the
script says so and measures ours alone. Usage::

    python -m benchmarks.ctgan_vs_sdv --epochs 3 --threads 1
    python -m benchmarks.ctgan_vs_sdv --epochs 30 --quality --skip-sdv
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import torch

from benchmarks.datasets import DATA_DIR
from synthgen_core.metadata import ColumnKind, Metadata
from synthgen_core.models.ctgan.model import CTGAN
from synthgen_core.nn.training import TrainingProgress

ADULT = DATA_DIR / "adult.csv"
TARGET, POSITIVE = "income", " >50K"


def _split(frame: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    test = frame.sample(frac=0.2, random_state=seed)
    return frame.drop(test.index).reset_index(drop=True), test.reset_index(drop=True)


def measure_ours(train: pd.DataFrame, epochs: int, rows: int, seed: int) -> dict[str, Any]:
    epoch_seconds: list[float] = []
    epoch_cpu: list[float] = []

    def on_epoch(progress: TrainingProgress) -> None:
        epoch_seconds.append(progress.elapsed)
        epoch_cpu.append(time.process_time())

    start, cpu_start = time.perf_counter(), time.process_time()
    model = CTGAN(epochs=epochs, seed=seed, device="cpu").fit(train, callback=on_epoch)
    fit_seconds = time.perf_counter() - start
    per_epoch = np.diff([0.0, *epoch_seconds])
    cpu_per_epoch = np.diff(epoch_cpu) if epochs > 1 else np.array([np.nan])
    model.sample(1_000, seed=seed)  # warm-up: first-call allocations are not throughput
    start = time.perf_counter()
    synthetic = model.sample(rows, seed=seed)
    sample_seconds = time.perf_counter() - start
    return {
        "model": model,
        "synthetic": synthetic,
        "fit_seconds": fit_seconds,
        "epoch_seconds": per_epoch.tolist(),
        # the first epoch warms caches and allocators: report the median of the rest
        "seconds_per_epoch": float(np.median(per_epoch[1:] if epochs > 1 else per_epoch)),
        "cpu_seconds_per_epoch": float(np.median(cpu_per_epoch)),
        "fit_cpu_seconds": time.process_time() - cpu_start,
        "rows_per_second": rows / sample_seconds,
    }


def measure_sdv(train: pd.DataFrame, epochs: int, rows: int) -> dict[str, Any] | None:
    try:
        from sdv.metadata import Metadata as SDVMetadata
        from sdv.single_table import CTGANSynthesizer
    except ImportError:
        print("SDV is not installed (pip install sdv): measuring ours only")
        return None
    from torch.optim.optimizer import register_optimizer_step_post_hook

    # every optimiser step is timed (public torch hook), so epochs exclude preprocessing
    stamps: list[tuple[float, float]] = []
    hook = register_optimizer_step_post_hook(
        lambda *_: stamps.append((time.perf_counter(), time.process_time()))
    )
    metadata = SDVMetadata.detect_from_dataframes({"adult": train})
    synthesizer = CTGANSynthesizer(metadata, epochs=epochs, enable_gpu=False)
    start, cpu_start = time.perf_counter(), time.process_time()
    synthesizer.fit({"adult": train})  # SDV 2 takes {table name: frame}
    fit_seconds, fit_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    hook.remove()
    wall, cpu = np.array(stamps).T
    steps_per_epoch = 2 * max(len(train) // 500, 1)  # a critic and a generator step each
    synthesizer.sample(1_000)  # warm-up, as for ours
    start = time.perf_counter()
    synthetic = synthesizer.sample(rows)
    sample_seconds = time.perf_counter() - start
    if isinstance(synthetic, dict):
        synthetic = next(iter(synthetic.values()))
    return {
        "synthetic": synthetic,
        "fit_seconds": fit_seconds,
        "fit_cpu_seconds": fit_cpu,
        "seconds_per_epoch": float((wall[-1] - wall[0]) / (len(wall) - 1) * steps_per_epoch),
        "cpu_seconds_per_epoch": float((cpu[-1] - cpu[0]) / (len(cpu) - 1) * steps_per_epoch),
        "rows_per_second": rows / sample_seconds,
    }


def sdmetrics_metadata(metadata: Metadata) -> dict[str, Any]:
    kinds = {
        ColumnKind.NUMERICAL: "numerical",
        ColumnKind.DATETIME: "datetime",
        ColumnKind.ID: "id",
    }
    columns = {
        spec.name: {"sdtype": kinds.get(spec.kind, "categorical")} for spec in metadata.columns
    }
    return {"columns": columns}


def quality_score(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata) -> float:
    with warnings.catch_warnings():  # its deprecation notice points at a multi-table API
        warnings.simplefilter("ignore", FutureWarning)
        from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    report.generate(real, synthetic, sdmetrics_metadata(metadata), verbose=False)
    return float(report.get_score())


def efficacy_f1(synthetic: pd.DataFrame, test: pd.DataFrame) -> float:
    """Train on synthetic, test on real: F1 of the positive income class."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import f1_score

    def features(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.drop(columns=[TARGET]).copy()
        for column in out.select_dtypes(include="object").columns:
            categories = sorted(set(synthetic[column]) | set(test[column]))
            out[column] = pd.Categorical(out[column], categories=categories)
        return out

    classifier = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    classifier.fit(features(synthetic), synthetic[TARGET] == POSITIVE)
    predicted = classifier.predict(features(test))
    return float(f1_score(test[TARGET] == POSITIVE, predicted))


def _report(
    name: str, result: dict[str, Any], extra: Callable[[pd.DataFrame], dict[str, float]]
) -> dict[str, Any]:
    shown = {key: value for key, value in result.items() if key not in ("model", "synthetic")}
    shown.update(extra(result["synthetic"]))
    print(f"{name}: {json.dumps(shown, indent=1, default=float)}")
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000, help="rows to sample")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quality", action="store_true", help="SDMetrics + ML efficacy")
    parser.add_argument("--skip-sdv", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch threads: {torch.get_num_threads()}")
    train, test = _split(pd.read_csv(ADULT), args.seed)
    metadata = Metadata.detect(train)

    def extra(synthetic: pd.DataFrame) -> dict[str, float]:
        if not args.quality:
            return {}
        return {
            "quality_score": quality_score(train, synthetic, metadata),
            "efficacy_f1": efficacy_f1(synthetic, test),
        }

    ours = _report("synthgen", measure_ours(train, args.epochs, args.rows, args.seed), extra)
    if args.quality:
        print(f"real-data efficacy F1 (upper bound): {efficacy_f1(train, test):.3f}")
    sdv = None if args.skip_sdv else measure_sdv(train, args.epochs, args.rows)
    if sdv is not None:
        theirs = _report("sdv", sdv, extra)
        cpu_ratio = ours["cpu_seconds_per_epoch"] / theirs["cpu_seconds_per_epoch"]
        print(
            f"epoch time ours/sdv: {ours['seconds_per_epoch'] / theirs['seconds_per_epoch']:.2f}"
            f" (CPU time: {cpu_ratio:.2f})"
            f"  sampling speed ours/sdv: "
            f"{ours['rows_per_second'] / theirs['rows_per_second']:.1f}x"
        )


if __name__ == "__main__":
    main()
