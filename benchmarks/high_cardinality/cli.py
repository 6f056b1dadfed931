"""The command line: ``python -m benchmarks.high_cardinality`` or ``python -m benchmarks
high-cardinality``, then ``timing``, ``schemes``, ``kinds`` (all but ``kinds`` by default)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import benchmarks.high_cardinality as package
from benchmarks.high_cardinality.quality import schemes
from benchmarks.high_cardinality.timing import compare_kinds, measure_fit, timing
from benchmarks.measure import ROOT


def add_parser(commands: Any) -> None:
    """Register ``high-cardinality`` with ``python -m benchmarks``."""
    parser = commands.add_parser(
        "high-cardinality",
        help="high-cardinality columns: cost with and without, quality of the groupings",
        description=package.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "out" / "high-cardinality"
    )
    steps = parser.add_subparsers(dest="step")
    fit = steps.add_parser("fit", help="one fit (run in a fresh process by 'timing')")
    fit.add_argument("case", choices=("large", "zip"))
    fit.add_argument("model", choices=("ctgan", "tvae"))
    fit.add_argument("--epochs", type=int, default=2)
    fit.add_argument("--with-column", action="store_true")
    fit.add_argument("--kind", choices=("high_cardinality", "categorical"))
    kinds = steps.add_parser("kinds", help="the zip column as high_cardinality and categorical")
    kinds.add_argument("--epochs", type=int, default=30)
    timed = steps.add_parser("timing", help="fit time, time per epoch, peak RSS, with/without")
    timed.add_argument("--epochs", type=int, default=3)
    timed.add_argument("--repeats", type=int, default=2)
    grouped = steps.add_parser("schemes", help="quality of the groupings of the level tail")
    grouped.add_argument(
        "--model", default="gaussian_copula", choices=("gaussian_copula", "tvae", "ctgan")
    )
    grouped.add_argument("--epochs", type=int, default=5)
    grouped.add_argument("--rows", type=int, default=200_000)


def run(args: argparse.Namespace) -> int:
    """Run the chosen step (``timing`` and ``schemes`` when none) and print its JSON."""
    if args.step == "fit":
        fitted = measure_fit(args.case, args.model, args.with_column, args.epochs, args.kind)
        print(json.dumps(fitted))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    if args.step in (None, "timing"):
        results["timing"] = timing(
            getattr(args, "epochs", 3), getattr(args, "repeats", 2), args.out
        )
    if args.step == "kinds":
        results["kinds"] = compare_kinds(args.epochs, args.out)
    if args.step in (None, "schemes"):
        model = getattr(args, "model", "gaussian_copula")
        results["schemes"] = schemes(
            model, getattr(args, "epochs", 5), getattr(args, "rows", 200_000)
        )
    text = json.dumps(results, indent=1)
    (args.out / f"{args.step or 'all'}.json").write_text(text)
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.high_cardinality",
        description=package.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
