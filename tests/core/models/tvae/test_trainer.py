from typing import Any

import torch

from synthgen_core.models.config import TVAEConfig
from synthgen_core.models.tvae.networks import build_decoder, build_encoder
from synthgen_core.models.tvae.trainer import TVAETrainer
from synthgen_core.nn.spans import SpanIndex
from synthgen_core.nn.training import run_epochs
from synthgen_core.transform.layout import Layout
from tests.core.layouts import random_rows

CPU = torch.device("cpu")


def _trainer(layout: Layout, data: torch.Tensor, seed: int = 0, **options: Any) -> TVAETrainer:
    config = TVAEConfig(
        batch_size=64, embedding_dim=4, compress_dims=[16], decompress_dims=[16], **options
    )
    generator = torch.Generator().manual_seed(seed)
    index = SpanIndex.from_layout(layout, CPU)
    encoder = build_encoder(layout.width, [16], 4, CPU, generator)
    decoder = build_decoder(
        4, [16], layout.width, num_scalars=index.num_scalars, device=CPU, generator=generator
    )
    return TVAETrainer(
        index.to_grouped(data), encoder, decoder, index=index, config=config, generator=generator
    )


def _structured(layout: Layout, rows: int = 300) -> torch.Tensor:
    """Rows whose first scalar is determined by the 4-way category: there is something to learn."""
    data = random_rows(layout, rows)
    category = data[:, 6:10].argmax(dim=1)
    data[:, 0] = category.float() / 2 - 0.75
    return data


def test_training_lowers_the_loss(mixed_layout: Layout) -> None:
    trainer = _trainer(mixed_layout, _structured(mixed_layout))
    history = run_epochs(40, trainer)
    assert history[-1]["loss"] < history[0]["loss"] - 1.0
    assert history[-1]["reconstruction"] < history[0]["reconstruction"]
    assert set(history[0]) == {"loss", "reconstruction", "kl"}


def test_epoch_losses_are_device_tensors_read_once(mixed_layout: Layout) -> None:
    trainer = _trainer(mixed_layout, _structured(mixed_layout))
    losses = trainer(0)
    assert all(isinstance(value, torch.Tensor) and value.ndim == 0 for value in losses.values())
    assert not any(value.requires_grad for value in losses.values())


def test_same_seed_same_training_and_global_rng_untouched(mixed_layout: Layout) -> None:
    data = _structured(mixed_layout)
    before = torch.get_rng_state()
    first = run_epochs(3, _trainer(mixed_layout, data, seed=1))
    again = run_epochs(3, _trainer(mixed_layout, data, seed=1))
    other = run_epochs(3, _trainer(mixed_layout, data, seed=2))
    assert torch.equal(torch.get_rng_state(), before)
    assert first == again
    assert first != other


def test_sigma_is_learned_without_weight_decay(mixed_layout: Layout) -> None:
    trainer = _trainer(mixed_layout, _structured(mixed_layout), l2scale=0.5)
    weights, sigma = trainer.optimizers
    assert weights.weight_decay == 0.5
    assert all(param is not trainer.decoder.sigma_logit for param in weights.params)
    assert sigma.params == [trainer.decoder.sigma_logit]
    assert sigma.weight_decay == 0.0
    start = trainer.decoder.sigma().detach().clone()
    run_epochs(3, trainer)
    assert not torch.equal(trainer.decoder.sigma().detach(), start)


def test_a_batch_larger_than_the_table_is_one_batch(mixed_layout: Layout) -> None:
    data = random_rows(mixed_layout, 10)
    trainer = _trainer(mixed_layout, data)
    steps = []
    original = trainer.step

    def counting(batch: torch.Tensor) -> torch.Tensor:
        steps.append(batch.shape[0])
        return original(batch)

    trainer.step = counting  # type: ignore[method-assign]
    trainer(0)
    assert steps == [10]
