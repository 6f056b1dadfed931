"""The generator frozen for sampling computes the trained generator's eval-mode function."""

from __future__ import annotations

import pytest
import torch

from synthgen_core.models.ctgan.frozen import CPU_PRODUCT_ROWS, FrozenGenerator
from synthgen_core.models.ctgan.networks import Generator, build

CPU = torch.device("cpu")


def _trained_generator(noise_dim: int, conditions: int) -> Generator:
    generator = build(
        lambda: Generator(noise_dim, conditions, [16, 8], 11),
        CPU,
        torch.Generator().manual_seed(0),
    )
    with torch.no_grad():  # running statistics and affine parameters away from their defaults
        for _ in range(3):
            category = torch.randint(conditions, (64,)) if conditions else None
            generator(torch.randn(64, noise_dim) * 3 + 1, category)
        for parameter in generator.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.1)
    return generator.eval()


@pytest.mark.parametrize("conditions", [0, 7])
def test_frozen_generator_matches_the_eval_mode_generator(conditions: int) -> None:
    generator = _trained_generator(5, conditions)
    noise = torch.randn(40, 5)
    category = torch.randint(conditions, (40,)) if conditions else None
    with torch.no_grad():
        expected = generator(noise, category)
    frozen = FrozenGenerator(generator)
    torch.testing.assert_close(frozen(noise, category), expected, rtol=1e-5, atol=1e-5)


def test_frozen_generator_hands_over_columns_in_the_asked_order_in_any_number_of_blocks() -> None:
    generator = _trained_generator(5, 7)
    rows = 3 * CPU_PRODUCT_ROWS + 17  # several blocks, the last one short
    noise = torch.randn(rows, 5)
    category = torch.randint(7, (rows,))
    with torch.no_grad():
        expected = generator(noise, category)
    order = torch.randperm(11, generator=torch.Generator().manual_seed(1))
    frozen = FrozenGenerator(generator, output_order=order)
    torch.testing.assert_close(frozen(noise, category), expected[:, order], rtol=1e-5, atol=1e-5)
