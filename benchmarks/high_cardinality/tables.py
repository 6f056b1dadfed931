"""The benchmark's tables: adult with a 15,000-level Zipf column, and with zip codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.datasets import DATA_DIR

ADULT_COLUMNS = ["age", "workclass", "education", "sex", "hours-per-week", "income"]
#: Zipf exponent of ``store``: drawing 10,000 rows from its frequencies meets about 1,540 levels.
STORE_EXPONENT = 1.37


def adult(n_rows: int, seed: int, columns: list[str] | None = ADULT_COLUMNS) -> pd.DataFrame:
    """``n_rows`` of adult (all columns for None), drawn with replacement past its size."""
    frame = pd.read_csv(DATA_DIR / "adult.csv", usecols=columns)
    replace = n_rows > len(frame)
    return frame.sample(n=n_rows, replace=replace, random_state=seed).reset_index(drop=True)


def large_table(n_rows: int = 200_000, levels: int = 15_000, seed: int = 0) -> pd.DataFrame:
    """Adult plus ``store``: every level once, the rest Zipf, shifted for high incomes."""
    frame = adult(n_rows, seed)
    rng = np.random.default_rng(seed)
    weights = np.arange(1, levels + 1, dtype=np.float64) ** -STORE_EXPONENT
    rank = rng.choice(levels, n_rows, p=weights / weights.sum())  # (N,)
    high = frame["income"].str.contains(">").to_numpy()
    rank = np.where(high, (rank + 7) % levels, rank)  # richer rows favour other stores
    rank[rng.permutation(n_rows)[:levels]] = np.arange(levels)  # every level seen
    names = np.array([f"store {k:05d}" for k in range(levels)], dtype=object)
    frame["store"] = names[rank]
    return frame


def zip_table(n_rows: int = 5_000, seed: int = 0) -> pd.DataFrame:
    """All of adult plus ``zip``: five-digit codes (some with a leading zero), ~2,400 seen.

    The codes and their popularity are fixed; ``seed`` draws the rows.
    """
    frame = adult(n_rows, seed, columns=None)
    fixed = np.random.default_rng(1)
    pool = fixed.permutation(fixed.choice(np.arange(1_000, 99_999), 12_000, replace=False))
    weights = np.arange(1, len(pool) + 1, dtype=np.float64) ** -0.88
    rank = np.random.default_rng(seed + 1).choice(len(pool), n_rows, p=weights / weights.sum())
    frame["zip"] = pd.Series(pool[rank]).map("{:05d}".format).to_numpy()
    return frame


def table(case: str, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """The case's table and the name of its high-cardinality column."""
    if case == "large":
        return large_table(seed=seed), "store"
    return zip_table(seed=seed), "zip"
