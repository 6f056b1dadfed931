"""``python -m benchmarks transform-speed``: SynthGen's TableTransformer against the reference.

Times fit+transform of a table (default adult) by SynthGen's ``TableTransformer`` and by
the reference CTGAN ``ctgan.data_transformer.DataTransformer`` (BSL-licensed: imported only
here, only for timing, from the optional ``ctgan`` package). Without it, ``--proxy`` times
what dominates the reference's cost instead: scikit-learn's BayesianGaussianMixture with
the reference's settings, fitted and applied on every full continuous column, one at a
time. Both sides run under the same ``--threads`` limit (default 1).

    python -m benchmarks transform-speed [--data PATH] [--repeat N] [--proxy] [--threads N]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from benchmarks.datasets import DATA_DIR
from synthgen_core.metadata import Metadata
from synthgen_core.transform import TableTransformer

ADULT = DATA_DIR / "adult.csv"


def best_time(run: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in seconds (the least disturbed by other processes)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def ours(df: pd.DataFrame) -> Callable[[], object]:
    def run() -> object:
        return TableTransformer(Metadata.detect(df), seed=0).fit_transform(df)

    return run


def reference(df: pd.DataFrame) -> Callable[[], object] | None:
    try:
        from ctgan.data_transformer import DataTransformer  # BSL: benchmark only
    except ImportError:
        return None
    discrete = Metadata.detect(df).discrete_columns

    def run() -> object:
        transformer = DataTransformer()
        transformer.fit(df, discrete_columns=discrete)
        return transformer.transform(df)

    return run


def proxy(df: pd.DataFrame) -> Callable[[], object]:
    from sklearn.mixture import BayesianGaussianMixture

    continuous = Metadata.detect(df).continuous_columns

    def run() -> object:
        for name in continuous:
            column = df[[name]].to_numpy(dtype=np.float64)
            mixture = BayesianGaussianMixture(
                n_components=10,
                weight_concentration_prior_type="dirichlet_process",
                weight_concentration_prior=0.001,
                n_init=1,
                random_state=0,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ConvergenceWarning, as the reference's run
                mixture.fit(column)
            mixture.predict_proba(column)
        return None

    return run


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "transform-speed",
        help="time SynthGen's table transformer against the reference CTGAN one",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, default=ADULT, help="CSV table (default: adult)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours; the best counts")
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="without ctgan installed, time the reference's mixture fits",
    )
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for each side")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    df = pd.read_csv(args.data)
    with threadpool_limits(limits=args.threads):
        ours_s = best_time(ours(df), args.repeat)
        print(f"SynthGen TableTransformer fit+transform: {ours_s:.2f} s ({len(df)} rows)")
        run_reference = reference(df)
        label = "reference CTGAN DataTransformer"
        if run_reference is None:
            print("ctgan is not installed (pip install ctgan) - reference not timed")
            if not args.proxy:
                return 0
            run_reference, label = proxy(df), "proxy: sklearn BGM per full column"
        reference_s = best_time(run_reference, 1)
    print(f"{label} fit+transform: {reference_s:.2f} s")
    print(f"speed-up: {reference_s / ours_s:.1f}x")
    return 0
