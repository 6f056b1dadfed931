"""Rank noise on binned numbers: only bins move, only to a neighbour, as often as the noise
reaches past a bin's edge, and every bin keeps its share of the rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from synthgen_core.metadata import Metadata
from synthgen_core.models.autoregressive.jitter import BinJitter
from synthgen_core.models.autoregressive.model import Autoregressive
from synthgen_core.models.config import JITTER_TABLE_ROWS
from synthgen_core.transform.tokens import TableTokenizer


def _table(rows: int, seed: int) -> pd.DataFrame:
    """A skewed amount that is 0 in a third of the rows (an atom), some missing; a category."""
    rng = np.random.default_rng(seed)
    amount = np.where(rng.random(rows) < 0.3, 0.0, rng.lognormal(3, 1, rows)).round(2)
    amount[rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame({"amount": amount, "kind": rng.choice(["a", "b", "c"], rows)})


def _jitter(df: pd.DataFrame, rows: float) -> tuple[BinJitter, TableTokenizer, np.ndarray]:
    tokenizer = TableTokenizer(Metadata.detect(df), max_bins=20).fit(df)
    tokens = tokenizer.encode(df)
    jitter = BinJitter(
        tokens,
        tokenizer.bin_positions(df),
        tokenizer.bin_tokens(),
        tokenizer.vocab_sizes,
        rows=rows,
        device=torch.device("cpu"),
    )
    return jitter, tokenizer, tokens


def _apply(jitter: BinJitter, tokens: np.ndarray, seed: int) -> np.ndarray:
    generator = torch.Generator().manual_seed(seed)
    rows = torch.arange(len(tokens))
    return jitter.apply(torch.as_tensor(tokens), rows, generator).numpy()


@settings(max_examples=30, deadline=None)
@given(rows=st.integers(30, 2_000), noise=st.floats(0.5, 50), seed=st.integers(0, 2**31))
def test_only_binned_values_move_and_only_to_a_neighbouring_bin(rows, noise, seed):
    df = _table(rows, seed)
    jitter, tokenizer, tokens = _jitter(df, noise)
    moved = _apply(jitter, tokens, seed)
    column = tokenizer.columns.index("amount")
    span = tokenizer.bin_tokens()[column]
    np.testing.assert_array_equal(np.delete(moved, column, 1), np.delete(tokens, column, 1))
    before, after = tokens[:, column], moved[:, column]
    changed = before != after
    assert np.all(np.abs(after - before) <= 1)
    if changed.any():
        assert span is not None
        assert np.all((before[changed] >= span[0]) & (before[changed] <= span[1]))
        assert np.all((after[changed] >= span[0]) & (after[changed] <= span[1]))


def test_values_cross_an_edge_as_often_as_the_noise_reaches_past_it():
    df = _table(20_000, 0)
    noise = 40.0
    jitter, tokenizer, tokens = _jitter(df, noise)
    column = tokenizer.columns.index("amount")
    first, last = tokenizer.bin_tokens()[column] or (0, 0)
    positions = tokenizer.bin_positions(df)[:, column]
    counts = np.bincount(tokens[:, column])
    in_bin = (tokens[:, column] >= first) & (tokens[:, column] <= last)
    width = noise / counts[tokens[in_bin, column]]  # the noise in units of each bin's rows
    place = positions[in_bin]
    up = stats.norm.sf((1 - place) / width) * (tokens[in_bin, column] < last)
    down = stats.norm.sf(place / width) * (tokens[in_bin, column] > first)
    expected = (up + down).sum()
    moved = [
        (_apply(jitter, tokens, seed)[:, column] != tokens[:, column]).sum() for seed in range(5)
    ]
    assert expected > 500  # enough crossings for a 5% tolerance
    np.testing.assert_allclose(np.mean(moved), expected, rtol=0.05)


def test_every_bin_keeps_its_share_of_the_rows():
    df = _table(20_000, 1)
    jitter, tokenizer, tokens = _jitter(df, 20.0)
    column = tokenizer.columns.index("amount")
    vocab = tokenizer.vocab_sizes[column]
    before = np.bincount(tokens[:, column], minlength=vocab)
    after = np.bincount(_apply(jitter, tokens, 3)[:, column], minlength=vocab)
    assert (before != after).any()  # rows did move...
    np.testing.assert_allclose(after, before, atol=4 * np.sqrt(20.0) + 5)  # ...both ways


def test_no_noise_moves_nothing_and_a_subset_keeps_its_rows_places():
    df = _table(500, 2)
    jitter, _, tokens = _jitter(df, 0.0)
    np.testing.assert_array_equal(_apply(jitter, tokens, 0), tokens)
    noisy, _, _ = _jitter(df, 30.0)
    rows = np.array([5, 3, 400])
    part = noisy.subset(rows)
    np.testing.assert_array_equal(part.positions.numpy(), noisy.positions.numpy()[rows])


def _fit_and_sample(df: pd.DataFrame, **options: object) -> pd.DataFrame:
    # the last step's weights: two epochs of a moving average blur fits that differ a little
    small = {"width": 16, "depth": 1, "heads": 2, "max_epochs": 2, "device": "cpu"}
    small["weight_average_decay"] = 0.0
    small["bin_rows"] = 20  # noise moves values across bins: one bin a column has no edges
    model = Autoregressive(seed=0, **small, **options).fit(df)  # type: ignore[arg-type]
    return model.sample(200, seed=1)


def test_by_default_only_small_tables_are_trained_with_noise():
    # Below JITTER_TABLE_ROWS training rows the noise is on: the fit differs from one
    # without it; from there up the default trains on the table's own tokens.
    small, large = _table(300, 4), _table(int(JITTER_TABLE_ROWS / 0.9) + 50, 5)
    assert not _fit_and_sample(small).equals(_fit_and_sample(small, jitter_rows=0))
    pd.testing.assert_frame_equal(_fit_and_sample(large), _fit_and_sample(large, jitter_rows=0))
    assert not _fit_and_sample(large, jitter_rows=8).equals(_fit_and_sample(large))
