"""Sampling runs one step per shared prefix and gets the numbers of a step for every row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from synthgen_core.models.autoregressive.model import Autoregressive
from synthgen_core.models.autoregressive.prefixes import MAX_PREFIX_SHARE, Prefixes, shared_step
from synthgen_core.models.autoregressive.transformer import AnyOrderTransformer
from tests.core.models.autoregressive.small_networks import random_tokens, small_network

VOCAB = [2, 3, 50, 4]
POSITIONS = [None, None, np.linspace(0.0, 1.0, 50), None]


def _network() -> AnyOrderTransformer:
    return small_network(VOCAB, POSITIONS, "transformer")


def _tokens(rows: int = 64) -> torch.Tensor:
    return random_tokens(VOCAB, rows)


def _run(network: AnyOrderTransformer, tokens: torch.Tensor, *, shared: bool) -> list[torch.Tensor]:
    """Outputs of every position in the table's order, teacher-forced on ``tokens``."""
    cache = network.new_cache(len(tokens))
    inputs = network.first_input(len(tokens), 0)
    prefixes: Prefixes | None = Prefixes.start(len(tokens), tokens.device) if shared else None
    outputs = []
    for column in range(network.n_columns):
        if prefixes is None:
            outputs.append(network.step(inputs, cache))
        else:
            outputs.append(shared_step(network, inputs, cache, prefixes))
            prefixes = prefixes.extend(tokens[:, column], VOCAB[column])
        if column + 1 < network.n_columns:
            inputs = network.next_input(column, tokens[:, column], column + 1)
    return [*outputs, *cache.keys, *cache.values]


@torch.no_grad()
def test_one_step_per_prefix_gives_every_row_the_plain_step_s_states() -> None:
    network, tokens = _network(), _tokens()
    for plain, shared in zip(
        _run(network, tokens, shared=False), _run(network, tokens, shared=True), strict=True
    ):
        torch.testing.assert_close(shared, plain, rtol=1e-5, atol=1e-5)


def test_prefixes_count_the_distinct_token_prefixes_until_too_many() -> None:
    tokens = _tokens()
    prefixes = Prefixes.start(len(tokens), tokens.device).extend(tokens[:, 0], VOCAB[0])
    assert prefixes is not None and prefixes.count == 2
    prefixes = prefixes.extend(tokens[:, 1], VOCAB[1])
    assert prefixes is not None and prefixes.count == 6
    rows = prefixes.representatives()
    pairs = {tuple(row) for row in tokens[:, :2].tolist()}
    assert {tuple(row) for row in tokens[rows, :2].tolist()} == pairs
    for group, row in enumerate(rows.tolist()):  # every row of a group holds its prefix
        members = tokens[prefixes.group == group, :2]
        assert bool((members == tokens[row, :2]).all())
    assert len(set(tokens[:, 2].tolist())) > MAX_PREFIX_SHARE * len(tokens) / 6
    assert prefixes.extend(tokens[:, 2], VOCAB[2]) is None  # near-unique: not shared


def test_a_seed_gives_the_same_rows_and_another_seed_other_rows() -> None:
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"a": rng.choice(["x", "y"], 400), "b": rng.normal(size=400).round(2)})
    model = Autoregressive(max_epochs=2, seed=0, width=16, depth=1, heads=2).fit(table)
    first = model.sample(300, seed=5)
    pd.testing.assert_frame_equal(first, model.sample(300, seed=5))
    assert not first.equals(model.sample(300, seed=6))
