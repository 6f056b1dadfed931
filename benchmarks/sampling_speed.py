"""``python -m benchmarks sampling-speed``: rows per second of a saved autoregressive model.

Samples ``--rows`` rows from a model file ``--repeat`` times and prints the best rate.
Times are the process's CPU time, not wall time, so that other processes on a shared
machine disturb them less.

With ``--against-sdv-ctgan DATASET`` it also fits SDV's CTGAN on that table's training
rows for one epoch (what it costs to sample does not depend on how long it trained) and
times both in turn, round by round in one process, so a busy machine slows both alike.

    python -m benchmarks sampling-speed --model adult.synthgen [--rows N] [--repeat N]
    python -m benchmarks sampling-speed --model adult.synthgen --against-sdv-ctgan adult
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any, Protocol

import torch
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from synthgen_core import load


class Sampler(Protocol):
    def sample(self, num_rows: int, *, seed: int) -> Any: ...


def rows_per_second(model: Sampler, rows: int) -> float:
    """One draw of ``rows`` rows: rows per CPU second."""
    start = time.process_time()
    model.sample(rows, seed=0)
    return rows / (time.process_time() - start)


def sdv_ctgan(dataset: str) -> Sampler:
    """SDV's CTGAN fitted for one epoch on ``dataset``'s training rows (CPU)."""
    from benchmarks.datasets import load as load_table
    from benchmarks.measure import RunSpec
    from benchmarks.peers import peer_candidate

    table = load_table(dataset)
    spec = RunSpec(dataset=dataset, model="ctgan", implementation="sdv", epochs=1, device="cpu")
    peer = peer_candidate(spec)
    peer.fit(table.train, table.metadata)
    return peer


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "sampling-speed",
        help="time sampling of a saved autoregressive model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", type=Path, required=True, help="autoregressive model file")
    parser.add_argument("--rows", type=int, default=20_000, help="rows per draw")
    parser.add_argument("--repeat", type=int, default=3, help="draws; the best counts")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads")
    parser.add_argument(
        "--against-sdv-ctgan",
        metavar="DATASET",
        help="also time SDV's CTGAN fitted on this dataset, in turn with the model",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    model = load(args.model)
    if model.model_type != "autoregressive":
        print(f"{args.model} holds a {model.model_type} model; this times autoregressive ones")
        return 2
    with threadpool_limits(limits=args.threads):
        torch.set_num_threads(args.threads)
        samplers: dict[str, Sampler] = {"SynthGen": model}
        if args.against_sdv_ctgan:
            samplers["SDV CTGAN"] = sdv_ctgan(args.against_sdv_ctgan)
        rates: dict[str, list[float]] = {name: [] for name in samplers}
        for sampler in samplers.values():
            sampler.sample(1_000, seed=0)  # warm-up: allocator, kernels
        for _ in range(args.repeat):  # in turn, so a busy machine slows both alike
            for name, sampler in samplers.items():
                rates[name].append(rows_per_second(sampler, args.rows))
    for name, measured in rates.items():
        print(
            f"{name} sampling: best {max(measured):,.0f} rows/s, median "
            f"{statistics.median(measured):,.0f} ({args.rows:,} rows, {args.repeat} draws)"
        )
    if len(rates) == 2:
        ours, theirs = rates.values()
        print(
            f"SynthGen / SDV CTGAN: best {max(ours) / max(theirs):.2f}x, "
            f"median {statistics.median(ours) / statistics.median(theirs):.2f}x"
        )
    return 0
