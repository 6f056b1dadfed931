"""``python -m benchmarks run``: every (dataset, model, seed) for SynthGen and its peers.

``python -m benchmarks transform-speed`` times one component, the table transformer,
against the reference one (see :data:`SUBCOMMANDS`).

Each run is a fresh process (see :mod:`benchmarks.measure`), one after the other, so runs
never compete for the cores or share a memory high-water mark. Results, the Markdown table
and the plots land in ``--out`` (default ``benchmarks/out/<UTC time>``).

A full grid at the default epochs takes many hours of CPU, so ``results.json`` is rewritten
after every run: an interrupted grid keeps what it measured, and ``--resume`` with the same
``--out`` runs only what is missing (or failed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import shlex
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from benchmarks import (
    constraints,
    dashboard_speed,
    datasets,
    detection_budget,
    evaluation_speed,
    peers,
    report,
    sampling_speed,
    transform_speed,
)
from benchmarks.high_cardinality import cli as high_cardinality
from benchmarks.measure import ROOT, Measurement, RunSpec, run_isolated

MODELS = ("gaussian_copula", "ctgan", "copulagan", "tvae", "autoregressive")
PEERS = ("sdv",)
#: --quick: small enough for a laptop or CI in a few minutes, big enough to exercise it all.
QUICK_DATASETS = ("adult",)
QUICK_ROWS = 1_000
QUICK_EPOCHS = 1
#: The other subcommands: each registers its parser with a ``handler`` that returns the exit
#: code. ``run`` compares the models (and SDV's) end to end; these time one component each.
SUBCOMMANDS: list[Callable[[Any], None]] = [
    transform_speed.add_parser,
    constraints.add_parser,
    evaluation_speed.add_parser,
    detection_budget.add_parser,
    high_cardinality.add_parser,
    dashboard_speed.add_parser,
    sampling_speed.add_parser,
]


def _names(text: str, known: tuple[str, ...], option: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"{option}: unknown {unknown or 'empty list'}; choose from {','.join(known)}"
        )
    return names


def _datasets(text: str) -> list[str]:
    """Shared dataset names, or users' tables as ``FILE.csv[:TARGET]`` (checked here)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    shared = [name for name in names if name in datasets.DATASETS]
    try:
        own = [name for name in names if name not in shared and datasets.user_table(name)]
    except SystemExit as error:
        raise argparse.ArgumentTypeError(f"--datasets: {error}") from None
    unknown = [name for name in names if name not in shared and name not in own]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"--datasets: unknown {unknown or 'empty list'}; choose from "
            f"{','.join(datasets.DATASETS)}, or give FILE.csv or FILE.csv:TARGET_COLUMN"
        )
    return names


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--seeds: {text!r} is not a comma list of integers"
        ) from None
    if not seeds or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"--seeds: {text!r} needs distinct integers, e.g. 0,1,2")
    return seeds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    grid = commands.add_parser("run", help="measure every (dataset, model[, peer]) run")
    grid.add_argument(
        "--datasets",
        type=_datasets,
        help=f"comma list of {','.join(datasets.DATASETS)} (default: all; --quick: "
        f"{','.join(QUICK_DATASETS)}), or your own tables as FILE.csv[:TARGET_COLUMN] "
        "(the target enables the ML-efficacy check)",
    )
    grid.add_argument(
        "--models",
        type=lambda t: _names(t, MODELS, "--models"),
        default=list(MODELS),
        help="comma list (default: all five)",
    )
    grid.add_argument(
        "--epochs",
        type=int,
        help=f"epochs of the neural models (default: theirs, 300; --quick: {QUICK_EPOCHS})",
    )
    grid.add_argument(
        "--peers",
        type=lambda t: _names(t, PEERS, "--peers"),
        default=[],
        help="peer implementations measured side by side (sdv)",
    )
    grid.add_argument("--device", default="auto", help="cpu, cuda or auto (default)")
    grid.add_argument(
        "--rows",
        type=int,
        help=f"subsample each table to this many rows first (--quick: {QUICK_ROWS})",
    )
    grid.add_argument(
        "--sample-rows",
        type=int,
        help="rows to generate and score (default: as many as the training rows)",
    )
    grid.add_argument("--quick", action="store_true", help="a tiny smoke run of the harness")
    grid.add_argument(
        "--seeds",
        "--seed",
        type=_seeds,
        default=[0],
        help="comma list: each seed is a full repeat (split, both fits, scoring); default 0",
    )
    grid.add_argument(
        "--threads",
        type=int,
        help="CPU threads for every run, ours and the peer's (default: the libraries' own); "
        "1 gives stable figures on a shared machine",
    )
    grid.add_argument(
        "--model-options",
        type=_options,
        default={},
        help="JSON object of extra SynthGen options, e.g. '{\"validation_fraction\": 0.1}'; "
        "each model takes those it accepts",
    )
    grid.add_argument("--timeout", type=float, help="seconds allowed per run (default: none)")
    grid.add_argument("--out", type=Path, help="output folder (default: benchmarks/out/<time>)")
    grid.add_argument(
        "--resume",
        action="store_true",
        help="add to the run in --out: keep its results, and run only what this command "
        "asks for that it has not measured successfully",
    )
    grid.set_defaults(handler=run)
    for register in SUBCOMMANDS:
        register(commands)
    return parser


def _options(text: str) -> dict[str, Any]:
    try:
        options = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not JSON: {error}") from None
    if not isinstance(options, dict):
        raise argparse.ArgumentTypeError("give a JSON object of option names and values")
    return options


def plan(args: argparse.Namespace) -> list[RunSpec]:
    """Every run, SynthGen first in each (dataset, model) so ratios read in order."""
    names = args.datasets or (list(QUICK_DATASETS) if args.quick else list(datasets.DATASETS))
    epochs = args.epochs if args.epochs is not None else (QUICK_EPOCHS if args.quick else None)
    rows = args.rows if args.rows is not None else (QUICK_ROWS if args.quick else None)
    specs = []
    for dataset, model, seed in itertools.product(names, args.models, args.seeds):
        for implementation in ["synthgen", *args.peers]:
            plot = None
            if implementation == "synthgen" and dataset == names[0] and seed == args.seeds[0]:
                name = datasets.display_name(dataset)  # a user's table: its file's stem
                plot = str(args.out / f"marginals_{name}_{model}.png")
            specs.append(
                RunSpec(
                    dataset=dataset,
                    model=model,
                    implementation=implementation,
                    epochs=epochs,
                    rows=rows,
                    sample_rows=args.sample_rows,
                    device=args.device,
                    seed=seed,
                    plot_path=plot,
                    threads=args.threads,
                    options=args.model_options,
                )
            )
    return specs


def _is_peer(spec: RunSpec) -> bool:
    return spec.implementation != "synthgen"


def _label(spec: RunSpec) -> str:
    return f"{spec.dataset} {spec.model} {spec.implementation} seed {spec.seed}"


def _progress(index: int, total: int, item: Measurement, seconds: float) -> None:
    if item.error:
        status = f"error: {item.error}"
    else:
        status = f"fit {item.fit_seconds:.1f} s, SDMetrics quality {item.quality_sdmetrics:.3f}"
    where = _label(item.spec) if item.spec else f"{item.dataset} {item.model}"
    print(f"[{index}/{total}] {where}: {status} ({seconds:.0f} s)", flush=True)


#: What must match for runs of two sessions to sit in one table: ratios between machines
#: (or between library versions) mean nothing.
SAME_MACHINE_FIELDS = ("cpu", "threads", "gpu", "python", "libraries")


def previous_runs(out: Path, here: report.Machine) -> list[Measurement]:
    """Every run of an earlier ``results.json`` in ``out``, measured on a machine like ``here``."""
    path = out / "results.json"
    if not path.exists():
        raise SystemExit(f"--resume: no {path}; give the --out folder of the run to resume")
    try:
        earlier = msgspec.json.decode(path.read_bytes(), type=report.Results)
    except msgspec.DecodeError as error:
        raise SystemExit(f"--resume: {path} is not a benchmark results file: {error}") from None
    differs = [
        f"{field} {getattr(earlier.machine, field)!r} there, {getattr(here, field)!r} here"
        for field in SAME_MACHINE_FIELDS
        if getattr(earlier.machine, field) != getattr(here, field)
    ]
    if differs:
        raise SystemExit(
            f"--resume: {path} was measured on another machine ({'; '.join(differs)}); "
            "its figures cannot share a table with this machine's: give a new --out"
        )
    return earlier.measurements


def _key(spec: RunSpec) -> bytes:
    """What a run measured: everything it was asked but where its plot went."""
    return msgspec.json.encode(msgspec.structs.replace(spec, plot_path=None), order="sorted")


def run(args: argparse.Namespace) -> int:
    started = datetime.now(UTC)
    if args.resume and args.out is None:
        raise SystemExit("--resume needs --out: the folder of the run to resume")
    args.out = args.out or ROOT / "benchmarks" / "out" / started.strftime("%Y%m%dT%H%M%SZ")
    args.out = args.out.resolve()
    (args.out / "logs").mkdir(parents=True, exist_ok=True)
    specs = plan(args)
    here = report.machine()
    earlier = previous_runs(args.out, here) if args.resume else []
    asked = {_key(spec) for spec in specs}
    done = {_key(m.spec): m for m in earlier if m.spec and m.error is None}
    results = report.Results(
        command=shlex.join(["python", "-m", "benchmarks", *sys.argv[1:]]),
        started=started.isoformat(timespec="seconds").replace("+00:00", "Z"),
        machine=here,
        # runs of the folder that this command does not ask for stay in its record
        measurements=[m for m in earlier if m.spec is None or _key(m.spec) not in asked],
    )
    # a peer synthesizer standing beside two models (SDV CTGAN) is fitted once per run
    peer_fits = {peers.fit_key(m.spec): m for m in done.values() if m.spec and _is_peer(m.spec)}
    for index, spec in enumerate(specs, 1):
        if _key(spec) in done:
            results.measurements.append(done[_key(spec)])
            print(f"[{index}/{len(specs)}] {_label(spec)}: kept from the earlier run", flush=True)
            continue
        if _is_peer(spec) and peers.fit_key(spec) in peer_fits:
            shared = peer_fits[peers.fit_key(spec)]
            results.measurements.append(peers.shared_fit(shared, spec))
            print(
                f"[{index}/{len(specs)}] {_label(spec)}: the fit of its {shared.model} row",
                flush=True,
            )
            report.write_json(results, args.out)
            continue
        dataset = datasets.display_name(spec.dataset)
        name = f"{dataset}_{spec.model}_{spec.implementation}_seed{spec.seed}"
        begin = time.perf_counter()
        results.measurements.append(
            run_isolated(spec, args.out / "logs" / f"{name}.log", args.timeout)
        )
        _progress(index, len(specs), results.measurements[-1], time.perf_counter() - begin)
        if _is_peer(spec) and results.measurements[-1].error is None:
            peer_fits[peers.fit_key(spec)] = results.measurements[-1]
        report.write_json(results, args.out)  # an interrupted grid keeps what it measured
    paths = report.write(results, args.out)
    print(report.markdown(results))
    print("wrote", ", ".join(str(path.relative_to(args.out)) for path in paths), "in", args.out)
    return 1 if any(item.error for item in results.measurements) else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
