"""TableTokenizer: one token per learned column, and the table back from tokens."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from synthgen_core.errors import DataError, NotFittedError
from synthgen_core.metadata import Metadata
from synthgen_core.transform.tokens import TableTokenizer
from tests.strategies import ID_COLUMNS, frames, maker_of


def fitted(df: pd.DataFrame, max_bins: int = 100) -> TableTokenizer:
    return TableTokenizer(Metadata.detect(df), max_bins=max_bins).fit(df)


@settings(max_examples=80, deadline=None)
@given(frames())
def test_small_tables_round_trip_exactly_through_tokens(df: pd.DataFrame) -> None:
    # Every value seen twice, at most 25 distinct: every number is an exact token.
    metadata = Metadata.detect(df)
    df = pd.concat([df, df], ignore_index=True)
    tokenizer = TableTokenizer(metadata).fit(df)
    tokens = tokenizer.encode(df)
    assert tokens.shape == (len(df), len(tokenizer.columns))
    assert (tokens < np.array(tokenizer.vocab_sizes)).all() and (tokens >= 0).all()
    out = tokenizer.decode(tokens, np.random.default_rng(0))
    for name in df.columns:
        if maker_of(name) in ID_COLUMNS:
            assert out[name].is_unique
        else:
            pd.testing.assert_series_equal(out[name], df[name], check_exact=True)


@settings(max_examples=30, deadline=None)
@given(frames(min_rows=30, max_rows=60))
def test_state_survives_json_and_tokens_survive_decoding(df: pd.DataFrame) -> None:
    tokenizer = fitted(df, max_bins=4)  # few bins: most numbers are drawn inside a bin
    restored = TableTokenizer.from_dict(json.loads(json.dumps(tokenizer.to_dict())))
    tokens = tokenizer.encode(df)
    np.testing.assert_array_equal(restored.encode(df), tokens)
    decoded = restored.decode(tokens, np.random.default_rng(1))
    np.testing.assert_array_equal(restored.encode(decoded), tokens)


def test_a_value_names_the_bin_it_falls_in():
    df = pd.DataFrame({"x": np.linspace(0.0, 1.0, 500), "c": ["a", "b"] * 250})
    tokenizer = fitted(df, max_bins=10)
    tokens = tokenizer.encode(df.head(3))
    assert tokenizer.token_of("x", 0.123) == tokens[0, 0] + 1  # the second of ten bins


def test_unfitted_and_mis_shaped_input_are_refused():
    df = pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"]})
    with pytest.raises(NotFittedError):
        TableTokenizer(Metadata.detect(df)).columns  # noqa: B018
    with pytest.raises(DataError, match="shape"):
        fitted(df).decode(np.zeros((2, 5), dtype=np.int64), np.random.default_rng(0))
