"""``python -m benchmarks constraints``: violations, quality and sampling speed with constraints.

For each model type, on a table whose real rows keep the constraints (default: taxis,
``pickup <= dropoff``, ``fare <= total``, non-negative amounts, and each zone with its
borough), one model is fitted with the constraints and one without, with the same
options. Reported per model type:

* violations in ``--rows`` (default 1,000,000) rows sampled with constraints, counted by
  plain pandas checks written here, and in as many rows sampled without (for contrast);
* SDMetrics' QualityReport score of as many rows as the real table, with and without;
* sampling rows/s with constraints over rows/s without: best of ``--repeat`` timed draws of
  ``--speed-rows`` rows each, both sides in this process under ``--threads`` (default 1).

    python -m benchmarks constraints [--data PATH] [--models a,b] [--epochs N] [--rows N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

import synthgen_core as sg
from benchmarks.datasets import DATA_DIR
from synthgen_core.models.base import Synthesizer

TAXIS = DATA_DIR / "taxis.csv"
MODEL_TYPES = ("gaussian_copula", "ctgan", "copulagan", "tvae", "autoregressive")
CONSTRAINTS: list[dict[str, Any]] = [
    {"kind": "inequality", "low": "pickup", "high": "dropoff"},
    {"kind": "inequality", "low": "fare", "high": "total"},
    {"kind": "positive", "column": "distance"},
    {"kind": "positive", "column": "tip"},
    {"kind": "positive", "column": "tolls"},
    {"kind": "fixed_combinations", "columns": ["pickup_zone", "pickup_borough"]},
    {"kind": "fixed_combinations", "columns": ["dropoff_zone", "dropoff_borough"]},
]


def violations(sample: pd.DataFrame, real: pd.DataFrame) -> dict[str, int]:
    """Rows breaking each constraint of :data:`CONSTRAINTS`, checked with plain pandas."""
    counts: dict[str, int] = {}
    for rule in CONSTRAINTS:
        if rule["kind"] == "inequality":
            low, high = _comparable(sample[rule["low"]]), _comparable(sample[rule["high"]])
            counts[f"{rule['low']}<={rule['high']}"] = int((low > high).sum())
        elif rule["kind"] == "positive":
            counts[f"{rule['column']}>=0"] = int((sample[rule["column"]] < 0).sum())
        else:
            names = rule["columns"]
            seen = pd.MultiIndex.from_frame(real[names].astype(str))
            drawn = pd.MultiIndex.from_frame(sample[names].astype(str))
            counts["+".join(names)] = int((~drawn.isin(seen)).sum())
    return counts


def _comparable(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        return pd.to_datetime(series, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    return series


def options(model_type: str, epochs: int) -> dict[str, Any]:
    if model_type == "gaussian_copula":
        return {}
    if model_type == "autoregressive":
        return {"max_epochs": epochs}
    return {"epochs": epochs}


def quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    metadata = sg.Metadata.detect(real)
    columns: dict[str, dict[str, Any]] = {}
    for spec in metadata.columns:
        if spec.kind == "datetime":
            columns[spec.name] = {"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M:%S"}
        elif spec.kind == "numerical":
            columns[spec.name] = {"sdtype": "numerical"}
        else:
            columns[spec.name] = {"sdtype": "categorical"}
    report.generate(real, synthetic, {"columns": columns}, verbose=False)
    return float(report.get_score())


def rows_per_second(model: Synthesizer, rows: int, repeat: int) -> float:
    best = float("inf")
    for attempt in range(repeat):
        start = time.perf_counter()
        model.sample(rows, seed=attempt)
        best = min(best, time.perf_counter() - start)
    return rows / best


def measure(model_type: str, real: pd.DataFrame, args: argparse.Namespace) -> dict[str, Any]:
    chosen = options(model_type, args.epochs)
    plain = sg.create(model_type, seed=0, verbose=False, **chosen).fit(real)
    kept = sg.create(model_type, seed=0, verbose=False, constraints=CONSTRAINTS, **chosen)
    kept.fit(real)
    speed_plain = rows_per_second(plain, args.speed_rows, args.repeat)
    speed_kept = rows_per_second(kept, args.speed_rows, args.repeat)
    return {
        "model_type": model_type,
        "violations_with": violations(kept.sample(args.rows, seed=11), real),
        "violations_without": violations(plain.sample(args.rows, seed=11), real),
        "quality_with": quality(real, kept.sample(len(real), seed=5)),
        "quality_without": quality(real, plain.sample(len(real), seed=5)),
        "rows_per_s_with": speed_kept,
        "rows_per_s_without": speed_plain,
        "speed_ratio": speed_kept / speed_plain,
    }


def table(results: list[dict[str, Any]], rows: int) -> str:
    lines = [
        f"| model | violations in {rows:,} rows with | ... without | quality with | "
        "quality without | rows/s with | rows/s without | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for item in results:
        lines.append(
            f"| {item['model_type']} | {sum(item['violations_with'].values()):,} | "
            f"{sum(item['violations_without'].values()):,} | {item['quality_with']:.4f} | "
            f"{item['quality_without']:.4f} | {item['rows_per_s_with']:,.0f} | "
            f"{item['rows_per_s_without']:,.0f} | {item['speed_ratio']:.2f} |"
        )
    return "\n".join(lines)


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "constraints",
        help="violations, quality and sampling speed with constraints against without",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, default=TAXIS, help="CSV table (default: taxis)")
    parser.add_argument("--models", default=",".join(MODEL_TYPES), help="model types, a,b")
    parser.add_argument("--epochs", type=int, default=30, help="epochs of the neural models")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows checked per model")
    parser.add_argument("--speed-rows", type=int, default=100_000, help="rows per timed draw")
    parser.add_argument("--repeat", type=int, default=3, help="timed draws; the best counts")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads")
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    real = pd.read_csv(args.data)
    results = []
    with threadpool_limits(limits=args.threads):
        for model_type in args.models.split(","):
            results.append(measure(model_type.strip(), real, args))
            print(json.dumps(results[-1]), flush=True)
    print(table(results, args.rows))
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0
