"""Measure one (dataset, model, implementation) run, in a fresh process of its own.

Peak memory is why each run gets its own interpreter: PyTorch allocates outside Python's
heap (tracemalloc never sees it) and a process' high-water mark never goes down, so runs
sharing a process would inherit each other's peaks. The child reports ``ru_maxrss`` twice:
once the table is loaded and the implementation imported (the baseline), and after fit and
sampling; their difference is what fitting cost. Evaluation runs after both readings, so its
own memory is not counted.

Both implementations go through the same :class:`Candidate` protocol and the same scoring
(:func:`score`), so every figure is measured the same way for SynthGen and for the peer.
Benchmarks of one component may reuse :func:`timed`, :func:`max_rss_mb` and
:func:`sdmetrics_quality`.

Child entry point: ``python -m benchmarks.measure SPEC.json RESULT.json``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import msgspec
import pandas as pd

from benchmarks import datasets
from synthgen_core.metadata import Metadata

#: Rows of the untimed first sampling call (see :func:`sample_timed`).
SAMPLE_WARMUP_ROWS = 1_000

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


class RunSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What one child process measures."""

    dataset: str
    model: str
    implementation: str = "synthgen"
    epochs: int | None = None  # None: the model's default
    rows: int | None = None  # subsample the table to this many rows before the split
    sample_rows: int | None = None  # None: as many rows as the training table
    device: str = "auto"
    seed: int = 0
    plot_path: str | None = None  # draw Report.plot here (SynthGen runs only)
    threads: int | None = None  # CPU threads for both implementations (None: library default)
    options: dict[str, Any] = {}  # extra SynthGen options, for the models that accept them


class Measurement(msgspec.Struct, kw_only=True):
    """Every figure of one run; None where it does not apply or the run failed."""

    dataset: str
    model: str
    implementation: str
    rows_train: int | None = None
    rows_holdout: int | None = None
    columns: int | None = None
    epochs: int | None = None
    fit_seconds: float | None = None
    seconds_per_epoch: float | None = None  # fit_seconds / epochs: same meaning for both
    train_seconds_per_epoch: float | None = None  # epoch loop only (SynthGen's callback)
    sample_rows: int | None = None
    sample_rows_per_second: float | None = None
    peak_rss_mb: float | None = None
    fit_rss_delta_mb: float | None = None
    model_file_bytes: int | None = None
    quality: float | None = None  # ours, all pairs (SDMetrics' classic QualityReport)
    quality_thresholded: float | None = None  # ours, pairs with a real trend only
    quality_sdmetrics: float | None = None
    detection: float | None = None  # 1 - 2|AUC - 0.5| of a real-vs-synthetic classifier
    alpha_precision: float | None = None  # integrated, Alaa et al. 2022
    beta_recall: float | None = None
    efficacy_metric: str | None = None
    efficacy_real: float | None = None
    efficacy_synthetic: float | None = None
    closer_to_train: float | None = None
    dcr_ratio: float | None = None
    exact_copy_rate: float | None = None
    loss_history: list[dict[str, float]] = []
    marginals_png: str | None = None
    notes: list[str] = []  # what could not be measured in a run that otherwise succeeded
    error: str | None = None
    spec: RunSpec | None = None  # what was asked: --resume matches on it, tables on its seed


class Candidate(Protocol):
    """A synthesizer as the benchmark drives it: SynthGen's or a peer's."""

    def fit(self, train: pd.DataFrame, metadata: Metadata) -> None: ...
    def sample(self, num_rows: int, seed: int) -> pd.DataFrame: ...
    def save(self, path: Path) -> int: ...
    def loss_history(self) -> list[dict[str, float]]: ...
    def epochs_run(self) -> int | None: ...
    def train_seconds_per_epoch(self) -> float | None: ...


class SynthGenCandidate:
    """A SynthGen model; its training callback records when each epoch ended."""

    def __init__(self, spec: RunSpec) -> None:
        from synthgen_core.models.registry import create, model_class

        options: dict[str, Any] = {"seed": spec.seed}
        if spec.model != "gaussian_copula":
            options["device"] = spec.device
            if spec.epochs is not None:  # the autoregressive model stops early below it
                options["max_epochs" if spec.model == "autoregressive" else "epochs"] = spec.epochs
        accepted = model_class(spec.model).config_type.__struct_fields__
        options |= {name: value for name, value in spec.options.items() if name in accepted}
        self.model = create(spec.model, **options)
        self.epoch_ends: list[float] = []

    def fit(self, train: pd.DataFrame, metadata: Metadata) -> None:
        def record(progress: Any) -> bool:
            self.epoch_ends.append(progress.elapsed)
            return False

        self.model.fit(train, metadata, callback=record)

    def sample(self, num_rows: int, seed: int) -> pd.DataFrame:
        return self.model.sample(num_rows, seed=seed)

    def save(self, path: Path) -> int:
        self.model.save(path)
        return path.stat().st_size

    def loss_history(self) -> list[dict[str, float]]:
        return list(getattr(self.model, "loss_history_", []))

    def epochs_run(self) -> int | None:
        return len(self.epoch_ends) if hasattr(self.model, "loss_history_") else None

    def train_seconds_per_epoch(self) -> float | None:
        return self.epoch_ends[-1] / len(self.epoch_ends) if self.epoch_ends else None


def timed(run: Callable[[], T]) -> tuple[T, float]:
    """``run()``'s result and its wall-clock seconds."""
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def sample_timed(model: Candidate, num_rows: int, seed: int) -> tuple[pd.DataFrame, float]:
    """The rows to score and the median rows/s of three timed calls, after a warm-up call.

    The first call into a freshly fitted model pays one-off costs (lazy imports, the
    allocator's first pages) that say nothing about throughput, and a single timing on a
    shared machine is at the mercy of its neighbours: both implementations get the same
    warm-up and the same median.
    """
    model.sample(min(num_rows, SAMPLE_WARMUP_ROWS), seed + 100)
    synthetic, first = timed(lambda: model.sample(num_rows, seed + 1))
    _, second = timed(lambda: model.sample(num_rows, seed + 2))
    _, third = timed(lambda: model.sample(num_rows, seed + 3))
    return synthetic, num_rows / statistics.median([first, second, third])


def max_rss_mb() -> float:
    """This process' peak resident memory so far, in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def sdmetrics_metadata(metadata: Metadata) -> dict[str, Any]:
    """SDMetrics' (and SDV's) single-table metadata, from SynthGen's column kinds."""
    sdtypes = {"constant": "categorical"}
    columns: dict[str, Any] = {}
    for column in metadata.columns:
        entry = {"sdtype": sdtypes.get(column.kind.value, column.kind.value)}
        if column.kind.value == "datetime" and column.datetime_format:
            entry["datetime_format"] = column.datetime_format
        columns[column.name] = entry
    return {"columns": columns}


def sdmetrics_quality(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata) -> float:
    """SDMetrics' QualityReport score: the independent reference for our own score."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sdmetrics' own deprecations, not ours
        from sdmetrics.reports.single_table import QualityReport

        report = QualityReport()
        report.generate(real, synthetic, sdmetrics_metadata(metadata), verbose=False)
    return float(report.get_score())


def candidate(spec: RunSpec) -> Candidate:
    if spec.implementation == "synthgen":
        return SynthGenCandidate(spec)
    from benchmarks.peers import peer_candidate

    return peer_candidate(spec)


def score(
    result: Measurement, table: datasets.Table, synthetic: pd.DataFrame, plot_path: str | None
) -> None:
    """Fill the quality, efficacy and privacy figures of ``result``."""
    from synthgen_core.errors import SynthGenError
    from synthgen_core.evaluation import evaluate

    # The efficacy learners can fail where the rest of the report cannot (a class with one
    # synthetic row, say): the run then keeps its other figures and says why efficacy is
    # missing, instead of losing the whole measurement.
    def report(target: str | None) -> Any:
        return evaluate(table.train, synthetic, table.metadata, target, table.holdout)

    try:
        evaluation = report(table.target)
    except (SynthGenError, ValueError) as error:  # e.g. a synthetic target with one class
        result.notes.append(f"no ML efficacy: {type(error).__name__}: {error}")
        evaluation = report(None)
    result.quality, result.quality_thresholded = evaluation.score_all_pairs, evaluation.score
    result.quality_sdmetrics = sdmetrics_quality(table.train, synthetic, table.metadata)
    result.detection = evaluation.detection
    result.alpha_precision, result.beta_recall = evaluation.alpha_precision, evaluation.beta_recall
    if evaluation.efficacy is not None:
        metric = "r2" if evaluation.efficacy.task == "regression" else "f1_macro"
        result.efficacy_metric = metric
        result.efficacy_real = evaluation.efficacy.real.get(metric)
        result.efficacy_synthetic = evaluation.efficacy.synthetic.get(metric)
    if evaluation.privacy is not None:
        result.closer_to_train = evaluation.privacy.closer_to_train
        result.dcr_ratio = evaluation.privacy.dcr_ratio
        result.exact_copy_rate = evaluation.privacy.exact_copy_rate
    if plot_path is not None:
        result.marginals_png = str(evaluation.plot(plot_path))


def measure(spec: RunSpec) -> Measurement:
    """Fit, sample, save and score once; the caller's process must be fresh (see above)."""
    table = datasets.load(spec.dataset, spec.rows, spec.seed)
    model = candidate(spec)
    result = Measurement(
        dataset=table.name,
        model=spec.model,
        implementation=spec.implementation,
        rows_train=len(table.train),
        rows_holdout=len(table.holdout),
        columns=table.train.shape[1],
        spec=spec,
    )
    baseline = max_rss_mb()
    _, result.fit_seconds = timed(lambda: model.fit(table.train, table.metadata))
    result.epochs = model.epochs_run()
    if result.epochs:
        result.seconds_per_epoch = result.fit_seconds / result.epochs
    result.train_seconds_per_epoch = model.train_seconds_per_epoch()
    result.sample_rows = spec.sample_rows or len(table.train)
    synthetic, result.sample_rows_per_second = sample_timed(model, result.sample_rows, spec.seed)
    result.peak_rss_mb = max_rss_mb()
    result.fit_rss_delta_mb = result.peak_rss_mb - baseline
    with tempfile.TemporaryDirectory() as scratch:
        result.model_file_bytes = model.save(Path(scratch) / "model")
    result.loss_history = model.loss_history()
    score(result, table, synthetic, spec.plot_path)
    return result


def run_isolated(spec: RunSpec, log: Path, timeout: float | None = None) -> Measurement:
    """Run :func:`measure` in a new interpreter; a failure becomes ``Measurement.error``."""
    spec_path, result_path = log.with_suffix(".spec.json"), log.with_suffix(".result.json")
    spec_path.write_bytes(msgspec.json.encode(spec))
    result_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "benchmarks.measure", str(spec_path), str(result_path)]
    env = dict(os.environ)
    if spec.threads is not None:
        # Read by PyTorch, OpenBLAS and MKL at start-up, so both implementations obey it.
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[name] = str(spec.threads)
    with log.open("wb") as output:
        try:
            subprocess.run(
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return _failed(spec, f"timed out after {timeout} s (log: {log})")
    if result_path.exists():
        return msgspec.json.decode(result_path.read_bytes(), type=Measurement)
    tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
    return _failed(spec, f"{tail[0]} (log: {log})")


def _failed(spec: RunSpec, error: str) -> Measurement:
    return Measurement(
        dataset=datasets.display_name(spec.dataset),
        model=spec.model,
        implementation=spec.implementation,
        error=error,
        spec=spec,
    )


def main(argv: list[str]) -> None:
    spec_path, result_path = Path(argv[0]), Path(argv[1])
    spec = msgspec.json.decode(spec_path.read_bytes(), type=RunSpec)
    result_path.write_bytes(msgspec.json.encode(measure(spec)))


if __name__ == "__main__":
    main(sys.argv[1:])
