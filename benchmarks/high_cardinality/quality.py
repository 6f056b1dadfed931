"""SDMetrics' scores of the column and its pairs, and the groupings of the level tail."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from benchmarks.high_cardinality.tables import large_table

SCORE_ROWS = 10_000
#: Rows scored per grouping: more than SCORE_ROWS, so sampling noise hides less.
SCHEME_ROWS = 50_000
IntArray = npt.NDArray[np.int64]


def column_quality(real: pd.DataFrame, synthetic: pd.DataFrame, column: str) -> dict[str, float]:
    """SDMetrics' shape score of ``column`` and its pair score with every other column."""
    import warnings

    from sdmetrics.column_pairs import ContingencySimilarity
    from sdmetrics.single_column import TVComplement

    scores: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sdmetrics' own deprecations, not ours
        scores["shape"] = float(TVComplement.compute(real[column], synthetic[column]))
        for other in real.columns.drop(column):
            numeric = [other] if pd.api.types.is_numeric_dtype(real[other]) else None
            scores[f"pair:{other}"] = float(
                ContingencySimilarity.compute(
                    real[[column, other]],
                    synthetic[[column, other]],
                    continuous_column_names=numeric,
                )
            )
    pairs = [value for key, value in scores.items() if key.startswith("pair:")]
    scores["pairs_mean"] = float(np.mean(pairs))
    return scores


def reference_quality(real: pd.DataFrame, column: str, rows: int = SCORE_ROWS) -> dict[str, float]:
    """The scores of ``rows`` real rows drawn with replacement: a perfect generator's.

    With thousands of levels even rows drawn from the real frequencies score well below 1:
    this is the ceiling to read the models' scores against.
    """
    return column_quality(real, real.sample(n=rows, replace=True, random_state=0), column)


# -- groupings of the tail -----------------------------------------------------------------

#: name -> (head, buckets, how the tail is grouped)
SCHEMES: dict[str, tuple[int, int, str]] = {
    "ranked 32+31": (32, 31, "ranked"),
    "ranked 16+47": (16, 47, "ranked"),
    "ranked 64+63": (64, 63, "ranked"),
    "hashed 32+31": (32, 31, "hashed"),
}


def hash_levels(
    counts: IntArray, keys: npt.NDArray[np.uint64], head: int, buckets: int
) -> IntArray:
    """The alternative to the kind's grouping: the same head, the tail hashed into buckets.

    ``keys`` are stable per-level hashes (``pd.util.hash_array`` of the levels).
    """
    from synthgen_core.kinds.high_cardinality import group_levels

    codes = group_levels(counts, head, buckets)
    tail = codes >= head
    if len(codes) <= head + buckets or not tail.any():
        return codes  # every level has a code of its own
    slot = np.asarray(keys, dtype=np.uint64)[tail] % np.uint64(buckets)
    codes[tail] = head + np.unique(slot, return_inverse=True)[1]
    return codes


def scheme_codes(levels: pd.Series, scheme: str) -> tuple[np.ndarray, IntArray, IntArray]:
    """The column's distinct levels, each row's level position and each level's code."""
    from synthgen_core.kinds.high_cardinality import group_levels

    head, buckets, how = SCHEMES[scheme]
    categories = np.asarray(sorted(pd.unique(levels)), dtype=object)
    positions = pd.Index(categories).get_indexer(levels.to_numpy(dtype=object)).astype(np.int64)
    counts = np.bincount(positions, minlength=len(categories))
    if how == "hashed":
        keys = pd.util.hash_array(categories)
        return categories, positions, hash_levels(counts, keys, head, buckets)
    return categories, positions, group_levels(counts, head, buckets)


def measure_scheme(
    real: pd.DataFrame, column: str, scheme: str, model: str, epochs: int
) -> dict[str, Any]:
    """Fit ``model`` on the column coded by ``scheme``, decode as the kind does, score it."""
    from synthgen_core.kinds.high_cardinality import draw_levels, level_codes
    from synthgen_core.models.registry import create

    categories, positions, codes = scheme_codes(real[column], scheme)
    coded = real.assign(**{column: [f"code {c:03d}" for c in codes[positions]]})
    options: dict[str, Any] = (
        {"seed": 0} if model == "gaussian_copula" else {"seed": 0, "epochs": epochs}
    )
    start = time.perf_counter()
    fitted = create(model, **options).fit(coded)
    seconds = time.perf_counter() - start
    synthetic = fitted.sample(SCHEME_ROWS, seed=1)
    drawn = synthetic[column].str.slice(5).to_numpy(dtype=np.int64)
    counts = np.bincount(positions, minlength=len(categories))
    levels = draw_levels(level_codes(counts, codes), drawn, np.random.default_rng(2))
    synthetic[column] = categories[levels]
    return {
        "scheme": scheme,
        "model": model,
        "codes": int(codes.max()) + 1,
        "fit_seconds": round(seconds, 1),
        "distinct": int(synthetic[column].nunique()),
        **column_quality(real, synthetic, column),
    }


def schemes(model: str, epochs: int, rows: int) -> dict[str, Any]:
    import torch

    torch.set_num_threads(1)
    real = large_table(n_rows=rows)
    measured = [measure_scheme(real, "store", name, model, epochs) for name in SCHEMES]
    reference = reference_quality(real, "store", SCHEME_ROWS)
    return {"schemes": measured, "real_reference": reference}
