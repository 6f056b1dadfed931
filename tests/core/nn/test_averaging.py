"""The moving average of a network's weights that the autoregressive model keeps."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from synthgen_core.nn.averaging import WARMUP_OFFSET, WeightAverage


def _network(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 2))


def _set(module: nn.Module, value: float) -> None:
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.fill_(value)


def test_the_average_follows_the_closed_form_with_its_warmup() -> None:
    network = _network()
    average = WeightAverage(network, decay=0.9)
    expected = next(iter(network.parameters())).detach().clone()
    for step, value in enumerate([1.0, -2.0, 0.5, 3.0, 3.0, 3.0], start=1):
        _set(network, value)
        average.update()
        decay = min(0.9, (1 + step) / (WARMUP_OFFSET + step))
        expected = decay * expected + (1 - decay) * value
    torch.testing.assert_close(next(iter(average.averaged.parameters())), expected)


def test_the_average_settles_on_weights_that_stop_moving_and_leaves_them_alone() -> None:
    network = _network()
    average = WeightAverage(network, decay=0.5)
    _set(network, 2.0)
    for _ in range(60):
        average.update()
    for mine in average.averaged.parameters():
        torch.testing.assert_close(mine, torch.full_like(mine, 2.0))
        assert not mine.requires_grad  # the optimiser never steps the average
    for live in network.parameters():
        assert live.requires_grad and bool((live == 2.0).all())


def test_a_restored_average_continues_as_the_uninterrupted_one() -> None:
    network = _network()
    whole = WeightAverage(network, decay=0.95)
    steps = [0.3, -1.0, 2.0, 0.1]
    for value in steps[:2]:
        _set(network, value)
        whole.update()
    values, tensors = whole.checkpoint_state()
    resumed = WeightAverage(_network(seed=7), decay=0.95)
    resumed.module = network
    resumed.restore_checkpoint_state(values, tensors)
    for value in steps[2:]:
        _set(network, value)
        whole.update()
        resumed.update()
    for mine, theirs in zip(
        resumed.averaged.parameters(), whole.averaged.parameters(), strict=True
    ):
        torch.testing.assert_close(mine, theirs)


@pytest.mark.parametrize("decay", [0.0, 1.0, -0.1])
def test_a_decay_outside_zero_to_one_is_refused(decay: float) -> None:
    with pytest.raises(ValueError, match=r"decay must lie in \(0, 1\)"):
        WeightAverage(_network(), decay=decay)
