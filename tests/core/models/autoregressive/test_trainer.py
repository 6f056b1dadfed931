"""The trainer keeps whichever of the live and the averaged weights validates better."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from synthgen_core.models.autoregressive.trainer import AutoregressiveTrainer
from synthgen_core.models.config import AutoregressiveConfig

from .small_networks import random_tokens, small_network

VOCAB = [3, 5, 4]
POSITIONS: list[np.ndarray | None] = [None, np.linspace(0.0, 1.0, 5), None]


def _trainer(decay: float, *, validation: bool = True) -> AutoregressiveTrainer:
    network = small_network(VOCAB, POSITIONS, "mlp").train()
    tokens = random_tokens(VOCAB, 400)
    return AutoregressiveTrainer(
        network,
        tokens[:320],
        tokens[320:] if validation else None,
        config=AutoregressiveConfig(weight_average_decay=decay, learning_rate=0.05),
        generator=torch.Generator().manual_seed(0),
        order_rng=np.random.default_rng(0),
    )


def _state(network: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in network.parameters()])


@pytest.mark.parametrize("epochs", [1, 4])
def test_the_kept_weights_are_the_better_of_live_and_averaged(epochs: int) -> None:
    trainer = _trainer(0.99)
    assert trainer.average is not None
    for epoch in range(epochs):
        reported = trainer.run_epoch(epoch)["validation"]
    live = trainer._validation_loss(trainer.network)
    averaged = trainer._validation_loss(trainer.average.averaged)
    assert not torch.equal(_state(trainer.network), _state(trainer.average.averaged))
    torch.testing.assert_close(reported, torch.minimum(live, averaged))
    better = trainer.average.averaged if averaged <= live else trainer.network
    assert torch.equal(_state(trainer.evaluated), _state(better))
    torch.testing.assert_close(trainer._validation_loss(trainer.evaluated), reported)


def test_without_validation_rows_the_average_is_kept_and_without_averaging_the_live_weights():
    averaging = _trainer(0.99, validation=False)
    averaging.run_epoch(0)
    assert averaging.average is not None and averaging.evaluated is averaging.average.averaged
    plain = _trainer(0.0)
    plain.run_epoch(0)
    assert plain.average is None and plain.evaluated is plain.network
