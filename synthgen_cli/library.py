"""The library's commands: ``inspect``, ``fit``, ``sample`` and ``evaluate``.

Each ``add_<name>`` registers its parser and a ``_<name>`` handler that returns an exit
code. Handlers import what they use when they run, so ``synthgen --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthgen_core.errors import ConfigError, DataError
from synthgen_core.models.registry import BUILT_IN_TYPES, DEFAULT_MODEL_TYPE
from synthgen_core.ranges import Range

if TYPE_CHECKING:
    import pandas as pd

    from synthgen_core.metadata import ColumnSpec, Metadata

#: Read by ``fit`` (sign the file) and ``sample`` (refuse files it did not sign), and by
#: the service for the files it keeps.
SIGNING_KEY_VARIABLE = "SYNTHGEN_MODEL_SIGNING_KEY"

# -- inspect -------------------------------------------------------------------------------


def add_inspect(subparsers: Any) -> None:
    command = subparsers.add_parser("inspect", help="show the metadata detected for a table")
    command.add_argument("data", type=Path, help="CSV, Parquet or JSONL table")
    command.add_argument("--json", action="store_true", help="print the metadata as JSON")
    command.add_argument(
        "--constraints",
        action="store_true",
        help="list the constraints every row keeps, with their evidence (--json: as JSON)",
    )
    command.set_defaults(handler=_inspect)


def _inspect(args: argparse.Namespace) -> int:
    from synthgen_core.metadata import Metadata

    table = _read(args.data)
    metadata = Metadata.detect(table)
    if args.constraints:
        print(_suggested(table, metadata, as_json=args.json))
    elif args.json:
        print(json.dumps(metadata.to_dict(), indent=2))
    else:
        print(_describe(metadata))
    return 0


def _suggested(table: pd.DataFrame, metadata: Metadata, *, as_json: bool) -> str:
    """The suggested constraints: JSON ready for a config, or one line each with evidence."""
    from synthgen_core.constraints import suggest_constraints

    found = suggest_constraints(table, metadata)
    if as_json:
        return json.dumps([item.to_dict() for item in found], indent=2)
    if not found:
        return "no constraint holds in every row"
    lines = []
    for item in found:
        shown = json.dumps(item.to_dict()["constraint"])
        lines.append(f"{shown}  # {item.rows_checked:,} rows; {item.evidence}")
    return "\n".join(lines)


def _describe(metadata: Metadata) -> str:
    width = max(len(name) for name in metadata.names)
    lines = [f"{'column':<{width}}  {'kind':<11}  {'dtype':<14}  {'missing':>7}  details"]
    for spec in metadata.columns:
        if spec.categories is not None:
            details = f"{len(spec.categories)} categories"
        elif spec.min_value is not None and spec.max_value is not None:
            details = f"range {_shown(spec, spec.min_value)} .. {_shown(spec, spec.max_value)}"
        else:
            details = spec.datetime_format or spec.id_style or spec.pii_type or ""
        lines.append(
            f"{spec.name:<{width}}  {spec.kind.value:<11}  {spec.dtype:<14}  "
            f"{spec.missing_rate:>7.1%}  {details}"
        )
    return "\n".join(lines)


def _shown(spec: ColumnSpec, bound: float) -> str:
    """A learned bound as the user thinks of it: datetimes as dates, not unit counts."""
    if spec.kind != "datetime":
        return f"{bound:g}"
    import pandas as pd

    from synthgen_core.metadata.datetimes import unit_ns

    return str(pd.Timestamp(int(bound) * unit_ns(spec.precision or "ns")))


# -- fit -----------------------------------------------------------------------------------


def add_fit(subparsers: Any) -> None:
    command = subparsers.add_parser("fit", help="fit a model to a table and save it")
    command.add_argument("data", type=Path, help="CSV, Parquet or JSONL table")
    command.add_argument(
        "--model",
        default=DEFAULT_MODEL_TYPE,
        help=f"model type (default: {DEFAULT_MODEL_TYPE}, as in the library and the REST API): "
        f"{', '.join(BUILT_IN_TYPES)} or a plugin; gaussian_copula fits in seconds",
    )
    command.add_argument(
        "--config",
        default="{}",
        metavar="JSON",
        help="model options as a JSON object, e.g. '{\"epochs\": 50}'",
    )
    command.add_argument("--metadata", type=Path, help="metadata JSON (default: detected)")
    command.add_argument("-o", "--output", type=Path, required=True, help="model file (.sgm)")
    command.set_defaults(handler=_fit)


def _fit(args: argparse.Namespace) -> int:
    from synthgen_core.models.registry import create

    model = create(args.model, **_json_object(args.config, "--config"))
    data = _read(args.data)
    metadata = _read_metadata(args.metadata) if args.metadata else None
    start = time.perf_counter()
    from synthgen_core.nn.progress import ProgressBar

    with ProgressBar() as progress:  # drawn even when stderr is a file: the user asked to fit
        model.fit(data, metadata, callback=progress, verbose=False)
    key = _signing_key()
    model.save(args.output, signing_key=key)
    elapsed = time.perf_counter() - start
    signed = f" (signed with {SIGNING_KEY_VARIABLE})" if key else ""
    print(
        f"fitted {args.model} on {len(data):,} rows in {elapsed:.1f} s; saved {args.output}{signed}"
    )
    return 0


def _signing_key() -> str | None:
    """The key model files are signed with and checked against, read as the service reads it.

    From the environment, not an option: a key on a command line shows in the process list.
    """
    return os.environ.get(SIGNING_KEY_VARIABLE) or None


def _json_object(text: str, option: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{option} is not valid JSON ({error.msg}); give an object such as '{{\"epochs\": 50}}'"
        ) from None
    if not isinstance(value, dict):
        raise ConfigError(f"{option} must be a JSON object of options, got {text!r}")
    return value


def _read_metadata(path: Path) -> Metadata:
    from synthgen_core.metadata import Metadata

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise DataError(
            f"cannot read metadata file {str(path)!r} ({error}); "
            "write one with `synthgen inspect DATA --json`"
        ) from None
    return Metadata.from_dict(raw)


# -- sample --------------------------------------------------------------------------------


def add_sample(subparsers: Any) -> None:
    command = subparsers.add_parser("sample", help="generate rows from a saved model")
    command.add_argument("model", type=Path, help="model file written by `synthgen fit`")
    command.add_argument("-n", "--num-rows", type=int, required=True, help="rows to generate")
    command.add_argument("--seed", type=int, help="random seed (same seed, same rows)")
    command.add_argument(
        "--condition",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help=(
            "fix a column in every row (sex=Female), or hold a numerical or datetime column "
            "within inclusive bounds: age=30..40, age=30.. (30 or more), age=..40, "
            "joined=2020-01-01..2020-12-31; repeat for several"
        ),
    )
    command.add_argument(
        "--first-row",
        type=int,
        default=0,
        metavar="N",
        help="position of these rows in a larger output drawn in pieces: ids continue from N",
    )
    command.add_argument(
        "-o",
        "--output",
        type=Path,
        help="output table, format by extension: .csv, .parquet, .jsonl (default: CSV on stdout)",
    )
    command.set_defaults(handler=_sample)


def _sample(args: argparse.Namespace) -> int:
    from synthgen_core.models.load import load

    model = load(args.model, signing_key=_signing_key())
    conditions = _parse_conditions(args.condition, model.table_metadata_)
    synthetic = model.sample(
        args.num_rows, seed=args.seed, conditions=conditions, first_row=args.first_row
    )
    if args.output is None:
        synthetic.to_csv(sys.stdout, index=False)
    else:
        from synthgen_core.io.tables import write_table

        write_table(synthetic, args.output)
        print(f"wrote {len(synthetic):,} rows to {args.output}", file=sys.stderr)
    return 0


def _parse_conditions(items: list[str], metadata: Metadata) -> dict[str, str | Range]:
    """``COLUMN=VALUE`` strings; values stay strings, the model normalises them per column.

    On a numerical or datetime column, ``LOW..HIGH`` is a range (either side may be empty);
    a category that holds ``..`` stays a category.
    """
    from synthgen_core.sampling.conditions import condition_from_text

    conditions: dict[str, str | Range] = {}
    for item in items:
        column, separator, value = item.partition("=")
        if not separator or not column:
            raise DataError(f"--condition {item!r} must look like COLUMN=VALUE, e.g. sex=Female")
        conditions[column] = condition_from_text(metadata, column, value)
    return conditions


# -- evaluate ------------------------------------------------------------------------------


def add_evaluate(subparsers: Any) -> None:
    command = subparsers.add_parser("evaluate", help="score a synthetic table against the real one")
    command.add_argument("real", type=Path, help="the real (training) table")
    command.add_argument("synthetic", type=Path, help="the synthetic table")
    command.add_argument("--target", help="column to predict for the machine-learning efficacy")
    command.add_argument("--holdout", type=Path, help="real rows the model never saw (privacy)")
    command.add_argument("--json", action="store_true", help="print the full report as JSON")
    command.add_argument(
        "--no-detection",
        dest="detection",
        action="store_false",
        help="skip the real-vs-synthetic classifier (most of the report's time)",
    )
    command.add_argument(
        "--no-precision-recall",
        dest="precision_recall",
        action="store_false",
        help="skip alpha-precision and beta-recall",
    )
    command.add_argument(
        "--plots", type=Path, metavar="DIR", help="write report.png into DIR ('plots' extra)"
    )
    command.set_defaults(handler=_evaluate)


def _evaluate(args: argparse.Namespace) -> int:
    from synthgen_core.evaluation import evaluate
    from synthgen_core.evaluation.plots import pyplot

    if args.plots is not None:
        pyplot()  # no matplotlib: say so before any work, and leave no empty folder behind
    holdout = _read(args.holdout) if args.holdout else None
    report = evaluate(
        _read(args.real),
        _read(args.synthetic),
        target=args.target,
        holdout=holdout,
        detection=args.detection,
        precision_recall=args.precision_recall,
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.summary())
    if args.plots is not None:
        args.plots.mkdir(parents=True, exist_ok=True)
        written = report.plot(args.plots / "report.png")
        print(f"wrote {written}", file=sys.stderr)
    return 0


def _read(path: Path) -> pd.DataFrame:
    from synthgen_core.io.tables import read_table

    return read_table(path)
