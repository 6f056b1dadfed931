"""The any-order transformer: one network for every column order, and a cache that gives
the same distribution as a full pass."""

from __future__ import annotations

import numpy as np
import torch

from synthgen_core.models.autoregressive.ordinal import ordinal_features
from synthgen_core.models.autoregressive.transformer import AnyOrderTransformer
from tests.core.models.autoregressive.small_networks import random_tokens, small_network

VOCAB = [3, 5, 4]
POSITIONS = [None, np.linspace(0.0, 1.0, 5), np.array([0.0, 0.5, 1.0, np.nan])]


def _network(seed: int = 0) -> AnyOrderTransformer:
    return small_network(VOCAB, POSITIONS, "transformer", seed=seed)


def _tokens(rows: int = 8) -> torch.Tensor:
    return random_tokens(VOCAB, rows)


@torch.no_grad()
def test_cached_steps_give_the_logits_of_a_full_pass():
    network, tokens = _network(), _tokens()
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        order_tensor = torch.tensor(order)
        full = network.column_losses(tokens, order_tensor)  # (C,) per column
        cache = network.new_cache(len(tokens))
        inputs = network.first_input(len(tokens), order[0])
        stepped = torch.empty(len(VOCAB))
        for position, column in enumerate(order):
            hidden = network.step(inputs, cache)
            logits = network.logits(hidden, column)
            stepped[column] = torch.nn.functional.cross_entropy(logits, tokens[:, column])
            if position + 1 < len(order):
                inputs = network.next_input(column, tokens[:, column], order[position + 1])
        torch.testing.assert_close(stepped, full, rtol=1e-4, atol=1e-5)


@torch.no_grad()
def test_each_column_sees_only_the_columns_read_before_it():
    network, tokens = _network(), _tokens()
    order = [2, 0, 1]
    changed = tokens.clone()
    changed[:, 0] = (changed[:, 0] + 1) % VOCAB[0]  # column 0 is read second

    def logits_of(rows: torch.Tensor) -> list[torch.Tensor]:
        cache = network.new_cache(len(rows))
        inputs, out = network.first_input(len(rows), order[0]), []
        for position, column in enumerate(order):
            out.append(network.logits(network.step(inputs, cache), column))
            if position + 1 < len(order):
                inputs = network.next_input(column, rows[:, column], order[position + 1])
        return out

    before, after = logits_of(tokens), logits_of(changed)
    assert torch.equal(before[0], after[0])  # column 2, read first: sees nothing
    assert torch.equal(before[1], after[1])  # column 0 itself: sees only column 2
    assert not torch.allclose(before[2], after[2])  # column 1 reads column 0


def test_ordinal_features_are_smooth_bumps_and_zero_elsewhere():
    features = ordinal_features(POSITIONS, VOCAB).numpy()
    assert features.shape[0] == sum(VOCAB)
    assert not features[:3].any()  # categories: no position
    assert not features[-1].any()  # the missing token: no position
    numbers = features[3:8]
    neighbours = (numbers[:-1] * numbers[1:]).sum(axis=1)
    assert np.all(neighbours > 0)  # neighbouring bins share features
    assert np.argmax(numbers[0]) == 0 and np.argmax(numbers[-1]) == features.shape[1] - 1


def test_a_seed_gives_the_same_weights():
    first, again = _network(3).state_dict(), _network(3).state_dict()
    assert first.keys() == again.keys()
    assert all(torch.equal(first[name], again[name]) for name in first)
    assert not torch.equal(_network(4).head.weight, first["head.weight"])
