"""``python -m benchmarks evaluation-speed``: the full report next to SDMetrics' QualityReport.

Each table's real rows are scored against as many synthetic rows made by resampling every
column independently (a benchmark input, not a model: it keeps marginals and breaks trends).
SynthGen is timed for its full default report, ``evaluate(real, synthetic, metadata)``:
quality (column shapes, pair trends), detection, alpha-precision and beta-recall,
diagnostics and privacy; efficacy needs a ``target`` and closer-to-train a ``holdout``, so
neither is in the default. SDMetrics is timed for its QualityReport alone (column shapes and
pair trends), given the same column kinds. SynthGen's report is also timed without the
row-level measures (``evaluate(..., detection=False, precision_recall=False)``: quality,
diagnostics and privacy), which is what the speed-up is held to; the seconds detection,
precision and recall add are held to a budget of their own. Both sides run on one
thread, best of ``--repeats`` interleaved runs, so a busy host slows them alike. Metadata
detection is left out of both: each takes the kinds as an input. The parts of SynthGen's
report are also timed one by one (best of the same runs), which shows where its time goes.
The two quality scores must agree to 1e-6, or to 1e-3 on tables over 50,000 rows, where
SDMetrics scores category pairs on a random 50,000-row sample and SynthGen on every row.

    python -m benchmarks evaluation-speed [--tables adult,taxis:1500] [--repeats 3]

Exits 1 when SynthGen's report without the row-level measures is less than
``--min-speedup`` (5x) as fast as the QualityReport on some table, or they add more than
``--max-detection-seconds`` (1 s) to a report; 2 when a quality score differs from
SDMetrics'.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from benchmarks import datasets
from synthgen_core.evaluation import Report, evaluate
from synthgen_core.evaluation.columns import Column, describe, encode_columns
from synthgen_core.evaluation.detection import detection
from synthgen_core.evaluation.diagnostics import diagnostics
from synthgen_core.evaluation.plots import marginal
from synthgen_core.evaluation.precision_recall import precision_recall
from synthgen_core.evaluation.privacy import privacy
from synthgen_core.evaluation.shapes import column_shapes
from synthgen_core.evaluation.trends import pair_trends
from synthgen_core.metadata import Metadata
from synthgen_core.metadata.kinds import UNLEARNED_KINDS, ColumnKind

#: Every shared dataset, then two small tables (``NAME:ROWS`` is a seeded subsample).
DEFAULT_TABLES = (*datasets.DATASETS, "adult:3000", "taxis:1500")
LIBRARIES = ("numpy", "scipy", "scikit-learn", "pandas", "sdmetrics")
#: SDMetrics' QualityReport samples this many rows for ContingencySimilarity above it.
SDMETRICS_SAMPLED_ROWS = 50_000
Run = Callable[[], object]


def resampled(real: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = {c: real[c].to_numpy()[rng.integers(0, len(real), len(real))] for c in real}
    return pd.DataFrame(rows)


def load(table: str) -> tuple[pd.DataFrame, Metadata]:
    """A shared dataset, or ``NAME:ROWS`` for a seeded subsample of one, with its kinds.

    Datetime columns are parsed here, as the datasets' README reads taxis: SDMetrics parses
    datetime strings its own way, and the comparison is of the scores, not of the parsers.
    """
    name, _, rows = table.partition(":")
    frame = datasets.read(name, int(rows) if rows else None)
    metadata = datasets.metadata(name, frame)
    for spec in metadata.columns:
        if spec.kind is ColumnKind.DATETIME:
            frame[spec.name] = pd.to_datetime(frame[spec.name], format=spec.datetime_format)
    return frame, metadata


def sdmetrics_quality_report() -> Any:
    """SDMetrics' QualityReport class (MIT; benchmarks and tests only)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from sdmetrics.reports.single_table import QualityReport

        return QualityReport


def sdmetrics_quality(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = [s for s in metadata.columns if s.kind not in UNLEARNED_KINDS]
        sd_meta = {"columns": {s.name: {"sdtype": s.kind.value} for s in scored}}
        names = [s.name for s in scored]
        report = sdmetrics_quality_report()()
        report.generate(real[names], synthetic[names], sd_meta, verbose=False)
        return float(report.get_score())


def parts(real: pd.DataFrame, synthetic: pd.DataFrame, metadata: Metadata) -> dict[str, Run]:
    """Each part of the default report as ``evaluate`` runs it, on columns encoded once."""
    columns: list[Column] = encode_columns(real, synthetic, describe(real, metadata))
    return {
        "encode": lambda: encode_columns(real, synthetic, describe(real, metadata)),
        "shapes": lambda: column_shapes(columns),
        "trends": lambda: pair_trends(columns),
        "diagnostics": lambda: diagnostics(columns),
        "detection": lambda: detection(columns, 0),
        "privacy": lambda: privacy(columns, np.random.default_rng(0)),
        "precision_recall": lambda: precision_recall(columns, np.random.default_rng(0)),
        "marginals": lambda: [marginal(column) for column in columns],
    }


def best_times(runs: dict[str, Run], repeats: int) -> tuple[dict[str, float], dict[str, object]]:
    """Best time and last result of each run, the runs interleaved within each repeat."""
    best = dict.fromkeys(runs, float("inf"))
    results: dict[str, object] = {}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            results[name] = run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best, results


def measure(table: str, repeats: int) -> dict[str, Any]:
    real, metadata = load(table)
    real = real[[str(name) for name in real.columns]]
    synthetic = resampled(real)
    runs: dict[str, Run] = {
        "synthgen_full_report": lambda: evaluate(real, synthetic, metadata),
        "synthgen_without_detection": lambda: evaluate(
            real, synthetic, metadata, detection=False, precision_recall=False
        ),
        "sdmetrics_quality_report": lambda: sdmetrics_quality(real, synthetic, metadata),
        **parts(real, synthetic, metadata),
    }
    seconds, results = best_times(runs, repeats)
    report, sd_score = results["synthgen_full_report"], results["sdmetrics_quality_report"]
    assert isinstance(report, Report)
    assert isinstance(sd_score, float)
    ours, theirs = seconds.pop("synthgen_full_report"), seconds.pop("sdmetrics_quality_report")
    without = seconds.pop("synthgen_without_detection")
    return {
        "table": table,
        "rows": len(real),
        "columns": real.shape[1],
        "synthgen_full_report_s": round(ours, 4),
        "synthgen_without_detection_s": round(without, 4),
        "sdmetrics_quality_report_s": round(theirs, 4),
        "speedup": round(theirs / ours, 2),
        "speedup_without_detection": round(theirs / without, 2),
        "detection_extra_s": round(ours - without, 4),
        "parts_s": {name: round(value, 4) for name, value in seconds.items()},
        "synthgen_score": report.score,
        "sdmetrics_score": sd_score,
    }


#: The parts that make the quality score, the one number both sides compute.
QUALITY_PARTS = ("encode", "shapes", "trends")


def markdown(rows: list[dict[str, Any]]) -> str:
    """One line per table; "quality speed-up" sets the QualityReport against the parts of
    SynthGen's report that compute the same score."""
    names = list(rows[0]["parts_s"])
    lines = [
        "| table | rows | cols | SDMetrics QualityReport s | SynthGen without detection s | "
        "speed-up without detection | detection adds s | SynthGen full report s | speed-up | "
        "quality speed-up | " + " | ".join(f"{name} s" for name in names) + " |",
        "|---" * (10 + len(names)) + "|",
    ]
    for row in rows:
        quality = sum(row["parts_s"][name] for name in QUALITY_PARTS)
        cells = [row["table"], f"{row['rows']:,}", str(row["columns"])]
        cells += [
            f"{row['sdmetrics_quality_report_s']:.3f}",
            f"{row['synthgen_without_detection_s']:.3f}",
            f"{row['speedup_without_detection']:.2f}x",
            f"{row['detection_extra_s']:.3f}",
            f"{row['synthgen_full_report_s']:.3f}",
            f"{row['speedup']:.2f}x",
            f"{row['sdmetrics_quality_report_s'] / quality:.1f}x",
        ]
        cells += [f"{row['parts_s'][name]:.3f}" for name in names]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "threads_per_side": 1,
        "python": platform.python_version(),
        "libraries": versions,
    }


def run(args: argparse.Namespace) -> int:
    sdmetrics_quality_report()  # imported before any timing
    started = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    load = [os.getloadavg()[0]]  # a busy host slows both sides; this says how busy
    rows = []
    with threadpool_limits(limits=1):  # BLAS and OpenMP: one thread for each side
        for table in args.tables:
            rows.append(measure(table, args.repeats))
            print(json.dumps(rows[-1]), flush=True)
            load.append(os.getloadavg()[0])
    print(markdown(rows))
    print(f"1-minute load average during the run: {min(load):.1f} to {max(load):.1f}")
    if args.json is not None:
        out = {"started": started, "machine": machine(), "load_average": load, "tables": rows}
        args.json.write_text(json.dumps({**out, "repeats": args.repeats}, indent=2))
    if not all(scores_agree(row) for row in rows):
        return 2
    fast = min(row["speedup_without_detection"] for row in rows) >= args.min_speedup
    bounded = max(row["detection_extra_s"] for row in rows) <= args.max_detection_seconds
    return 0 if fast and bounded else 1


def scores_agree(row: dict[str, Any]) -> bool:
    tolerance = 1e-3 if row["rows"] > SDMETRICS_SAMPLED_ROWS else 1e-6
    ours = row["synthgen_score"]
    return ours is not None and abs(ours - row["sdmetrics_score"]) <= tolerance


def table_names(text: str) -> list[str]:
    tables = [table.strip() for table in text.split(",") if table.strip()]
    for table in tables:
        name, colon, rows = table.partition(":")
        if name not in datasets.DATASETS or (colon and not rows.isdigit()):
            raise argparse.ArgumentTypeError(
                f"--tables: {table!r} is not one of {','.join(datasets.DATASETS)}, "
                "optionally with :ROWS (e.g. adult:3000)"
            )
    return tables


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "evaluation-speed",
        help="time the full evaluation report against SDMetrics' QualityReport",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--tables",
        type=table_names,
        default=list(DEFAULT_TABLES),
        help=f"comma list (default: {','.join(DEFAULT_TABLES)})",
    )
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs; best counts")
    parser.add_argument(
        "--min-speedup",
        type=float,
        default=5.0,
        help="least speed-up of the report without detection over the QualityReport",
    )
    parser.add_argument(
        "--max-detection-seconds",
        type=float,
        default=1.0,
        help="most seconds detection may add to a report",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.set_defaults(handler=run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.evaluation_speed")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["evaluation-speed", *(argv or sys.argv[1:])])
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
