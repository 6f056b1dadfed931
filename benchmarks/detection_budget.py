"""``python -m benchmarks detection-budget``: cheaper detection budgets against a strict one.

Detection is most of a report's time, and its budget (rows, splits, trees) sets both its
cost and how hard it looks. This study scores candidate budgets against a strict reference
detector (every row up to 100,000 per table, 5-fold cross-validation, 150 trees at learning
rate 0.1) on several synthetic stand-ins of every shared dataset, each with a different
detectability:

* ``resampled``: every column drawn independently from the real one (easy to detect);
* ``copula``: SynthGen's Gaussian copula, fitted on the table (in between);
* ``noisy``: the real rows with a little noise (numbers and datetimes moved by 0.1 of their
  standard deviation, 5% of the categories swapped with another row's);
* ``holdout``: half the real rows against the other half (should score about 1);
* ``blend``: half the real rows against the other half with every second row replaced by
  a ``resampled`` one (in between, about 0.5: half the rows are real).

A budget may score the tables as more alike than the reference does (a weaker classifier
finds less): **bias** is the mean of its score minus the reference's, so a positive bias is
leniency. Each candidate runs with several seeds, on one thread, timed in the same run.

    python -m benchmarks detection-budget [--tables adult,taxis] [--seeds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

import synthgen_core as sg
from benchmarks import datasets
from benchmarks.evaluation_speed import load, machine, table_names
from synthgen_core.evaluation.columns import Column, describe, encode_columns
from synthgen_core.evaluation.detection import DEFAULT_BUDGET, Budget, detection
from synthgen_core.metadata import Metadata
from synthgen_core.metadata.kinds import ColumnKind

#: The strict detector every budget is compared with.
REFERENCE = Budget(rows_per_table=100_000, folds=5, fits=5, trees=150, learning_rate=0.1)
#: Three-fold cross-validation with every fold scored: what a cheaper budget must match.
THREE_FOLD = Budget(rows_per_table=25_000, folds=3, fits=3, trees=30, learning_rate=0.3, bins=255)
CANDIDATES: dict[str, Budget] = {
    "3-fold (25k, 3 of 3 folds, 30 trees)": THREE_FOLD,
    "default (25k, 1 of 3 folds, 30 trees)": DEFAULT_BUDGET,
    "25k, 3 of 3 folds, 30 trees, 63 bins": replace(THREE_FOLD, bins=63),
    "25k, 1 of 3 folds, 30 trees, 63 bins": replace(THREE_FOLD, fits=1, bins=63),
    "25k, 1 of 3 folds, 30 trees, 31 bins": replace(THREE_FOLD, fits=1, bins=31),
    "25k, 1 of 3 folds, 40 trees, 63 bins": replace(THREE_FOLD, fits=1, trees=40, bins=63),
    "25k, 1 of 2 folds, 30 trees, 63 bins": replace(THREE_FOLD, folds=2, fits=1, bins=63),
    "25k, 1 of 3 folds, 20 trees, lr 0.4, 63 bins": replace(
        THREE_FOLD, fits=1, trees=20, learning_rate=0.4, bins=63
    ),
    "25k, 1 of 3 folds, 30 trees, 15 leaves, 63 bins": replace(
        THREE_FOLD, fits=1, leaves=15, bins=63
    ),
    "15k, 1 of 3 folds, 30 trees, 63 bins": replace(
        THREE_FOLD, rows_per_table=15_000, fits=1, bins=63
    ),
    "10k, 1 of 3 folds, 30 trees": replace(THREE_FOLD, rows_per_table=10_000, fits=1),
}
SOURCES = ("resampled", "copula", "noisy", "holdout", "blend")
#: Noisy copy: numbers move by this share of their spread, and this share of categories swap.
NOISE = 0.1
SWAPPED = 0.05


def resampled(real: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {c: real[c].to_numpy()[rng.integers(0, len(real), len(real))] for c in real}
    )


def noisy(real: pd.DataFrame, metadata: Metadata, rng: np.random.Generator) -> pd.DataFrame:
    """The real rows, each number nudged and a few categories taken from another row."""
    out = real.copy()
    for spec in metadata.columns:
        column = real[spec.name]
        if spec.kind is ColumnKind.NUMERICAL and pd.api.types.is_numeric_dtype(column):
            spread = float(np.nanstd(column.to_numpy(dtype=float))) or 1.0
            out[spec.name] = column + rng.normal(0.0, NOISE * spread, len(real))
        elif pd.api.types.is_datetime64_any_dtype(column):
            spread = pd.Timedelta(column.std()).total_seconds() or 1.0
            seconds = rng.normal(0.0, NOISE * spread, len(real)).round()
            out[spec.name] = column + pd.to_timedelta(seconds, unit="s")
        else:
            swap = rng.random(len(real)) < SWAPPED
            other = column.to_numpy()[rng.integers(0, len(real), len(real))]
            out[spec.name] = np.where(swap, other, column.to_numpy())
    return out


def source(name: str, real: pd.DataFrame, metadata: Metadata) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(real, synthetic) for one stand-in; ``holdout`` and ``blend`` halve the real table."""
    rng = np.random.default_rng(0)
    if name == "resampled":
        return real, resampled(real, rng)
    if name == "noisy":
        return real, noisy(real, metadata, rng)
    if name == "copula":
        model = sg.create("gaussian_copula", seed=0).fit(real, metadata, verbose=False)
        return real, model.sample(len(real), seed=1)
    order = rng.permutation(len(real))
    half = len(real) // 2
    parts = [real.iloc[rows].reset_index(drop=True) for rows in (order[:half], order[half:])]
    if name == "blend":
        drawn = resampled(parts[0], rng).iloc[: len(parts[1])]
        kept = [parts[1].iloc[::2], drawn.iloc[1::2]]  # every second row real, every other drawn
        parts[1] = pd.concat(kept, ignore_index=True)
    return parts[0], parts[1]


def timed(columns: list[Column], seed: int, budget: Budget) -> dict[str, float]:
    start = time.perf_counter()
    result = detection(columns, seed, budget)
    seconds = time.perf_counter() - start
    assert result is not None
    return {"score": result.score, "auc": result.auc, "seconds": seconds}


def measure(table: str, seeds: int, sources: list[str]) -> list[dict[str, Any]]:
    """Every budget, and the reference, on each stand-in of one table."""
    real, metadata = load(table)
    rows = []
    for name in sources:
        used, synthetic = source(name, real, metadata)
        columns = encode_columns(used, synthetic, describe(used, metadata))
        base = {"table": table, "source": name, "rows": len(used)}
        rows.append({**base, "config": "reference", "seed": 0, **timed(columns, 0, REFERENCE)})
        for config, budget in CANDIDATES.items():
            for seed in range(seeds):
                rows.append(
                    {**base, "config": config, "seed": seed, **timed(columns, seed, budget)}
                )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def summary(rows: list[dict[str, Any]]) -> str:
    """Per budget: cost against the 3-fold one, and distance and bias from it and the reference."""
    frame = pd.DataFrame(rows)
    key = ["table", "source"]
    reference = frame[frame["config"] == "reference"].set_index(key)["score"]
    candidates = frame[frame["config"] != "reference"].join(reference.rename("ref"), on=key)
    candidates["diff"] = candidates["score"] - candidates["ref"]
    three_fold = candidates[candidates["config"] == next(iter(CANDIDATES))]
    three_fold_seconds = three_fold.groupby(key)["seconds"].median().sum()
    candidates = candidates.join(
        three_fold.groupby(key)["score"].mean().rename("three_fold"), on=key
    )
    candidates["change"] = candidates["score"] - candidates["three_fold"]
    lines = [
        "| budget | s, all inputs | cheaper than 3-fold | vs reference: mean abs diff | "
        "max abs diff | bias | vs 3-fold: mean abs diff | max abs diff | bias |",
        "|---" * 9 + "|",
    ]
    for config, group in candidates.groupby("config", sort=False):
        seconds = group.groupby(key)["seconds"].median().sum()
        cells = [f"{config}", f"{seconds:.2f}", f"{three_fold_seconds / seconds:.1f}x"]
        for diff in (group["diff"], group["change"]):
            cells += [f"{diff.abs().mean():.4f}", f"{diff.abs().max():.4f}", f"{diff.mean():+.4f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def scores(rows: list[dict[str, Any]], configs: list[str]) -> str:
    """Reference score and each budget's mean score over seeds, per table and stand-in."""
    frame = pd.DataFrame(rows)
    wide = frame.pivot_table(index=["table", "source"], columns="config", values="score")
    wide = wide[["reference", *configs]].reindex(
        pd.MultiIndex.from_frame(frame[["table", "source"]].drop_duplicates())
    )
    lines = ["| table | source | " + " | ".join(wide.columns) + " |"]
    lines.append("|---" * (2 + len(wide.columns)) + "|")
    for (table, name), values in zip(wide.index.tolist(), wide.to_numpy(), strict=True):
        lines.append(f"| {table} | {name} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    rows: list[dict[str, Any]] = []
    with threadpool_limits(limits=1):
        for table in args.tables:
            rows += measure(table, args.seeds, args.sources)
    print(summary(rows))
    print(scores(rows, [c for c in CANDIDATES if not c.startswith("default")][:5]))
    if args.json is not None:
        budgets = {name: asdict(budget) for name, budget in CANDIDATES.items()}
        out = {"machine": machine(), "reference": asdict(REFERENCE), "budgets": budgets}
        args.json.write_text(json.dumps({**out, "rows": rows}, indent=2))
    return 0


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "detection-budget",
        help="compare cheaper detection budgets with a strict reference detector",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--tables",
        type=table_names,
        default=list(datasets.DATASETS),
        help=f"comma list, NAME:ROWS for a sample (default: {','.join(datasets.DATASETS)})",
    )
    parser.add_argument(
        "--sources",
        type=lambda text: [name for name in text.split(",") if name in SOURCES],
        default=list(SOURCES),
        help=f"comma list (default: {','.join(SOURCES)})",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds per candidate budget")
    parser.add_argument("--json", type=Path, default=None, help="write every score here")
    parser.set_defaults(handler=run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.detection_budget")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["detection-budget", *(argv or sys.argv[1:])])
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
