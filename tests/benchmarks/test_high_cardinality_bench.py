"""The high-cardinality benchmark: its tables are what it claims, its ratios and scores add up."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.high_cardinality import (
    large_table,
    measure_scheme,
    ratios,
    zip_table,
)
from benchmarks.high_cardinality.quality import hash_levels
from synthgen_core.metadata import ColumnKind, Metadata


def test_the_zip_table_has_about_2400_codes_some_with_leading_zeros() -> None:
    table = zip_table()
    assert len(table) == 5_000 and 2_200 <= table["zip"].nunique() <= 2_600
    assert table["zip"].str.fullmatch(r"\d{5}").all()
    assert table["zip"].str.startswith("0").any()
    assert Metadata.detect(table).column("zip").kind == ColumnKind.HIGH_CARDINALITY


def test_the_large_table_holds_every_level() -> None:
    table = large_table(n_rows=30_000, levels=3_000)
    assert table["store"].nunique() == 3_000
    high = table["income"].str.contains(">")
    # the column depends on income: the most common store differs between the two groups
    assert table["store"][high].mode()[0] != table["store"][~high].mode()[0]


def test_a_grouping_is_scored_on_real_levels_only() -> None:
    table = large_table(n_rows=20_000, levels=2_000)
    scores = measure_scheme(table, "store", "hashed 32+31", "gaussian_copula", epochs=1)
    assert scores["codes"] <= 63
    assert 0.0 <= scores["pairs_mean"] <= 1.0 and 0.0 <= scores["shape"] <= 1.0


@settings(max_examples=30, deadline=None)
@given(counts=st.lists(st.integers(1, 50), min_size=1, max_size=300))
def test_hashed_grouping_keeps_the_head_and_bounds_the_codes(counts: list[int]) -> None:
    keys = pd.util.hash_array(np.asarray([f"level {i}" for i in range(len(counts))], dtype=object))
    codes = hash_levels(np.asarray(counts, dtype=np.int64), keys, 8, 16)
    assert codes.max() + 1 <= min(len(counts), 24)
    assert set(codes.tolist()) == set(range(codes.max() + 1))


def _fit(case: str, model: str, with_column: bool, epoch: float, fit: float) -> dict[str, Any]:
    return {
        "case": case,
        "model": model,
        "with_column": with_column,
        "seconds_per_epoch": epoch,
        "fit_seconds": fit,
        "fit_peak_rss_mb": 100,
    }


def test_ratios_take_each_sides_least_time_over_the_repeats() -> None:
    results = [
        _fit("zip", "ctgan", False, 2.0, 10.0),
        _fit("zip", "ctgan", True, 3.0, 12.0),
        _fit("zip", "ctgan", False, 1.0, 20.0),
        _fit("zip", "ctgan", True, 9.0, 30.0),
    ]
    assert ratios(results) == [
        {"case": "zip", "model": "ctgan", "fit_ratio": 1.2, "epoch_ratio": 3.0, "peak_rss_mb": 100}
    ]
