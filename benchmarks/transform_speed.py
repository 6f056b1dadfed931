"""Time fit+transform of adult: SynthGen's TableTransformer vs the reference CTGAN one.

The reference is ``ctgan.data_transformer.DataTransformer`` (BSL-licensed: imported only
here, only for timing, from the optional ``ctgan`` package). Without it, ``--proxy`` times
what dominates the reference's cost instead: scikit-learn's BayesianGaussianMixture with the
reference's settings, fitted and applied on every full continuous column, one at a time.

    python -m benchmarks.transform_speed [--data PATH] [--repeat N] [--proxy]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from benchmarks.datasets import DATA_DIR
from synthgen_core.metadata import Metadata
from synthgen_core.transform import TableTransformer

ADULT = str(DATA_DIR / "adult.csv")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=ADULT)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="without ctgan installed, time the reference's mixture fits",
    )
    args = parser.parse_args()
    df = pd.read_csv(args.data)
    ours_s = best_time(ours(df), args.repeat)
    print(f"SynthGen TableTransformer fit+transform: {ours_s:.2f} s ({len(df)} rows)")
    run_reference = reference(df)
    label = "reference CTGAN DataTransformer"
    if run_reference is None:
        print("ctgan is not installed (pip install ctgan) - reference not timed")
        if not args.proxy:
            return
        run_reference, label = proxy(df), "proxy: sklearn BGM per full column"
    reference_s = best_time(run_reference, 1)
    print(f"{label} fit+transform: {reference_s:.2f} s")
    print(f"speed-up: {reference_s / ours_s:.1f}x")


if __name__ == "__main__":
    main()
