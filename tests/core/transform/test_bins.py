"""Numeric bins: exact tokens where values repeat, quantile bins that give the marginal back."""

from __future__ import annotations

import json

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from synthgen_core.transform.bins import (
    GRID_POINTS,
    MIN_BIN_ROWS,
    bins_from_dict,
    decode_bins,
    encode_bins,
    fit_bins,
    positions_in_bins,
    token_positions,
    tokens_in_range,
)


def test_few_distinct_values_are_each_an_exact_token():
    values = np.array([3.0, 1.0, 2.0, 3.0, np.nan, 1.0])
    bins = fit_bins("x", values, max_bins=10)
    assert bins.atoms == [1.0, 2.0, 3.0]
    assert bins.n_bins == 0 and bins.has_missing and bins.vocab_size == 4
    tokens = encode_bins(bins, values)
    assert tokens.tolist() == [2, 0, 1, 2, 3, 0]
    back = decode_bins(bins, tokens, np.random.default_rng(0))
    np.testing.assert_array_equal(back, values)


def test_a_point_mass_keeps_an_exact_token_beside_the_bins():
    rng = np.random.default_rng(0)
    amounts = np.where(rng.random(20_000) < 0.9, 0.0, rng.lognormal(8, 1, 20_000))
    amounts[:300] = 15024.0  # a frequent amount among the non-zero ones
    bins = fit_bins("gain", amounts, max_bins=50)
    assert 0.0 in bins.atoms and 15024.0 in bins.atoms
    back = decode_bins(bins, encode_bins(bins, amounts), np.random.default_rng(1))
    assert (back == 0.0).mean() == pytest.approx((amounts == 0.0).mean())
    assert (back == 15024.0).sum() == 300


def test_decoded_bins_reproduce_the_marginal_without_copying_values():
    rng = np.random.default_rng(0)
    values = rng.gamma(2.0, 3.0, 30_000)
    bins = fit_bins("x", values, max_bins=100)
    assert bins.n_atoms == 0 and bins.n_bins == 100
    back = decode_bins(bins, encode_bins(bins, values), np.random.default_rng(1))
    assert stats.ks_2samp(values, back).statistic < 0.01
    assert np.isin(back, values).mean() < 0.01  # drawn inside bins, not looked up
    assert back.min() >= values.min() and back.max() <= values.max()


def test_values_seen_once_are_binned_not_kept_as_exact_tokens():
    values = np.random.default_rng(0).normal(size=40)  # 40 distinct values, under max_bins
    bins = fit_bins("x", values, max_bins=100)
    assert bins.n_atoms == 0 and bins.n_bins == 2
    back = decode_bins(bins, encode_bins(bins, values), np.random.default_rng(1))
    assert not np.isin(back, values).any()
    # most rows sharing their value: exact tokens, the values seen once among them too
    repeated = np.concatenate([values[:30], values[:30], values[30:]])
    assert fit_bins("x", repeated, max_bins=100).n_atoms == 40


def test_small_tables_get_fewer_bins():
    values = np.random.default_rng(0).normal(size=400)
    assert fit_bins("x", values, max_bins=100).n_bins == 400 // 20


def test_values_outside_the_training_range_go_to_the_edge_bins():
    bins = fit_bins("x", np.linspace(0.0, 1.0, 1_000), max_bins=10)
    tokens = encode_bins(bins, np.array([-5.0, 5.0]))
    assert tokens.tolist() == [0, bins.n_bins - 1]


def test_missing_values_unseen_in_training_are_refused():
    bins = fit_bins("x", np.arange(5.0), max_bins=10)
    with pytest.raises(ValueError, match="no missing values"):
        encode_bins(bins, np.array([np.nan]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, 7.5, np.nan])),
        min_size=1,
        max_size=300,
    ),
    st.integers(2, 40),
)
def test_tokens_survive_decoding_and_json(values, max_bins):
    array = np.asarray(values, dtype=np.float64)
    bins = fit_bins("x", array, max_bins=max_bins)
    tokens = encode_bins(bins, array)
    assert tokens.min() >= 0 and tokens.max() < bins.vocab_size
    back = decode_bins(bins, tokens, np.random.default_rng(0))
    np.testing.assert_array_equal(np.isnan(back), np.isnan(array))
    np.testing.assert_array_equal(encode_bins(bins, back), tokens)  # each value stays in its bin
    exact = tokens < bins.n_atoms
    np.testing.assert_array_equal(back[exact], array[exact])
    again = bins_from_dict(json.loads(json.dumps(msgspec.to_builtins(bins))))
    assert again == bins
    assert len(bins.grid) == bins.n_bins and all(len(row) == GRID_POINTS for row in bins.grid)


def test_token_positions_follow_the_values_atoms_and_bins_interleaved():
    rng = np.random.default_rng(0)
    values = np.concatenate([np.full(500, 50.0), rng.uniform(0, 100, 2_000), [np.nan] * 10])
    bins = fit_bins("x", values, max_bins=10)
    positions = token_positions(bins)
    assert len(positions) == bins.vocab_size and np.isnan(positions[-1])
    tokens = encode_bins(bins, np.array([1.0, 30.0, 50.0, 70.0, 99.0]))
    assert np.all(np.diff(positions[tokens]) > 0)  # the atom at 50 sits between its bins
    assert positions[tokens[0]] == 0.0 and positions[tokens[-1]] == 1.0


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0.0, 1.0), width=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1))
def test_a_range_keeps_the_tokens_that_reach_it_and_decodes_inside_it(
    low: float, width: float, seed: int
) -> None:
    """Range conditions: only tokens whose values reach the range, and draws inside it."""
    rng = np.random.default_rng(seed)
    mixed = np.where(rng.random(3000) < 0.2, 0.5, rng.beta(2, 5, 3000))  # a point mass at 0.5
    values = np.asarray(np.round(mixed, 3), dtype=np.float64)
    bins = fit_bins("x", values, max_bins=30)
    # Bounds on training values: a range between two of them may reach no token at all
    # (the tokenizer refuses those with a ConditionError).
    lo = np.quantile(values, low * 0.8, method="lower")
    hi = np.quantile(values, min(low * 0.8 + width, 1.0), method="higher")
    allowed = tokens_in_range(bins, lo, hi)
    held = encode_bins(bins, values[(values >= lo) & (values <= hi)])
    assert allowed[held].all()  # every token a training value in the range had
    tokens = rng.choice(np.flatnonzero(allowed), 2000)
    back = decode_bins(bins, tokens, np.random.default_rng(seed), (lo, hi))
    assert ((back >= lo) & (back <= hi)).all()


def test_a_range_inside_a_bin_follows_the_bins_own_distribution():
    """Cut at the bounds, a bin's draws keep their shape: no pile-up at the edges."""
    values = np.random.default_rng(0).uniform(0.0, 1.0, 4000)
    bins = fit_bins("x", values, max_bins=1)  # one bin over [0, 1]
    back = decode_bins(bins, np.full(20_000, 0), np.random.default_rng(1), (0.25, 0.5))
    assert back.min() >= 0.25 and back.max() <= 0.5
    grid = np.asarray(bins.grid[0])
    levels = np.linspace(0.0, 1.0, GRID_POINTS)
    start, stop = np.interp([0.25, 0.5], grid, levels)

    def truncated(x: np.ndarray) -> np.ndarray:  # the bin's CDF, cut at the bounds
        return (np.interp(x, grid, levels) - start) / (stop - start)

    assert stats.kstest(back, truncated).statistic < 0.015
    assert tokens_in_range(bins, 2.0, 3.0).tolist() == [False]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(-1e3, 1e3, allow_nan=False), st.sampled_from([0.0, np.nan])),
        min_size=1,
        max_size=400,
    ),
    st.integers(2, 30),
)
def test_positions_in_bins_rank_each_value_among_its_bin(values, max_bins):
    array = np.asarray(values, dtype=np.float64)
    bins = fit_bins("x", array, max_bins=max_bins)
    tokens = encode_bins(bins, array)
    positions = positions_in_bins(bins, array)
    in_bin = (tokens >= bins.n_atoms) & (tokens < bins.n_atoms + bins.n_bins)
    assert np.isnan(positions[~in_bin]).all()  # atoms and missing values have no place
    for token in np.unique(tokens[in_bin]):
        mine = tokens == token
        rows = int(mine.sum())
        # a bin's values take the places (k + 0.5) / rows, each once, in the values' order
        np.testing.assert_allclose(np.sort(positions[mine]), (np.arange(rows) + 0.5) / rows)
        order = np.argsort(positions[mine])
        assert np.all(np.diff(array[mine][order]) >= 0)


@pytest.mark.parametrize(
    ("min_bin_rows", "n_bins"), [(MIN_BIN_ROWS, 30), (40, 15), (600, 1), (10_000, 1)]
)
def test_coarser_bins_hold_more_rows_and_keep_the_marginal(min_bin_rows, n_bins):
    values = np.random.default_rng(0).lognormal(3.0, 1.0, 600).round(4)
    bins = fit_bins("x", values, max_bins=100, min_bin_rows=min_bin_rows)
    assert bins.n_atoms == 0 and bins.n_bins == n_bins
    counts = np.bincount(encode_bins(bins, values), minlength=n_bins)
    assert counts.min() >= min(min_bin_rows, len(values))
    back = decode_bins(bins, encode_bins(bins, values), np.random.default_rng(1))
    assert stats.ks_2samp(back, values).pvalue > 0.05
