"""The copula that places binned numbers inside their bins (through TableTokenizer)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from hypothesis import given, settings
from scipy.stats import ks_2samp

from synthgen_core.metadata import Metadata
from synthgen_core.transform.tokens import TableTokenizer
from tests.strategies import frames


def tokenizer(df: pd.DataFrame, *, copula: bool = True) -> TableTokenizer:
    return TableTokenizer(Metadata.detect(df), copula=copula).fit(df)


def related(n_rows: int, noise: float, seed: int = 0) -> pd.DataFrame:
    """Two skewed amounts where ``y`` follows ``x`` closely, and an unrelated ``z``."""
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, 0.6, n_rows)
    return pd.DataFrame(
        {
            "x": x,
            "y": x * np.exp(rng.normal(0.0, noise, n_rows)),
            "z": rng.normal(0.0, 1.0, n_rows),
        }
    )


def decode_own_tokens(df: pd.DataFrame, *, copula: bool, repeat: int = 1) -> pd.DataFrame:
    fitted = tokenizer(df, copula=copula)
    tokens = np.tile(fitted.encode(df), (repeat, 1))
    return fitted.decode(tokens, np.random.default_rng(7))


def test_numbers_keep_moving_together_inside_wide_bins() -> None:
    # 200 rows: 10 bins per column, wide enough that independent draws blur the relation.
    df = related(200, noise=0.1)
    real = df["x"].corr(df["y"])
    independent = decode_own_tokens(df, copula=False)
    placed = decode_own_tokens(df, copula=True)
    assert independent["x"].corr(independent["y"]) < real - 0.04
    assert placed["x"].corr(placed["y"]) > real - 0.03
    assert abs(placed["x"].corr(placed["z"])) < 0.1  # no relation is invented


def test_each_bin_keeps_the_distribution_of_its_values() -> None:
    # The copula only orders a bin's values among its rows: each column's values are
    # distributed as when drawn independently, so the marginals stay exact.
    df = related(400, noise=0.1)
    independent = decode_own_tokens(df, copula=False, repeat=25)
    placed = decode_own_tokens(df, copula=True, repeat=25)
    for column in df.columns:
        assert ks_2samp(independent[column], placed[column]).pvalue > 0.01


def test_missing_values_and_categories_are_left_as_they_are() -> None:
    df = related(300, noise=0.2)
    df.loc[::7, "y"] = np.nan
    df["c"] = np.where(df["x"] > 1, "high", "low")
    fitted = tokenizer(df)
    tokens = fitted.encode(df)
    out = fitted.decode(tokens, np.random.default_rng(0))
    pd.testing.assert_series_equal(out["y"].isna(), df["y"].isna())
    pd.testing.assert_series_equal(out["c"], df["c"])
    np.testing.assert_array_equal(fitted.encode(out), tokens)


def test_the_copula_is_saved_and_older_states_decode_independently() -> None:
    df = related(300, noise=0.1)
    fitted = tokenizer(df)
    state = json.loads(json.dumps(fitted.to_dict()))
    tokens = fitted.encode(df)
    restored = TableTokenizer.from_dict(state)
    pd.testing.assert_frame_equal(
        restored.decode(tokens, np.random.default_rng(3)),
        fitted.decode(tokens, np.random.default_rng(3)),
    )
    del state["copula"]  # as written before the copula existed
    older = TableTokenizer.from_dict(state)
    pd.testing.assert_frame_equal(
        older.decode(tokens, np.random.default_rng(3)),
        tokenizer(df, copula=False).decode(tokens, np.random.default_rng(3)),
    )


@settings(max_examples=30, deadline=None)
@given(frames(min_rows=30, max_rows=80))
def test_every_value_lands_in_the_bin_its_token_names(df: pd.DataFrame) -> None:
    fitted = TableTokenizer(Metadata.detect(df), max_bins=4).fit(df)
    tokens = fitted.encode(df)
    decoded = fitted.decode(np.tile(tokens, (3, 1)), np.random.default_rng(2))
    np.testing.assert_array_equal(fitted.encode(decoded), np.tile(tokens, (3, 1)))
