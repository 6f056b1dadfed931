"""``python -m benchmarks sampling-speed``: rows per second of a saved autoregressive model.

Samples ``--rows`` rows from a model file ``--repeat`` times and prints the best rate.
Times are the process's CPU time, not wall time, so that other processes on a shared
machine disturb them less.

    python -m benchmarks sampling-speed --model adult.synthgen [--rows N] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import torch
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from synthgen_core import load
from synthgen_core.models.base import Synthesizer


def rows_per_second(model: Synthesizer, rows: int) -> float:
    """One draw of ``rows`` rows: rows per CPU second."""
    start = time.process_time()
    model.sample(rows, seed=0)
    return rows / (time.process_time() - start)


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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    model = load(args.model)
    if model.model_type != "autoregressive":
        print(f"{args.model} holds a {model.model_type} model; this times autoregressive ones")
        return 2
    with threadpool_limits(limits=args.threads):
        torch.set_num_threads(args.threads)
        model.sample(1_000, seed=0)  # warm-up: allocator, kernels
        best = max(rows_per_second(model, args.rows) for _ in range(args.repeat))
    print(f"sampling: {best:,.0f} rows/s ({args.rows:,} rows, best of {args.repeat})")
    return 0
