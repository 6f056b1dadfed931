"""One seed, every random stream.

SynthGen never touches a global RNG (``np.random.seed``/``torch.manual_seed``): two models
in one process, or one model sampled from two threads, must not disturb each other. A seed
becomes a :class:`numpy.random.Generator` and, for the neural models, a ``torch.Generator``
derived from it, so ``sample(n, seed=s)`` is a pure function of the fitted model and ``s``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

Seed = int | None


def numpy_rng(seed: Seed) -> np.random.Generator:
    """A fresh generator; ``None`` draws entropy from the OS."""
    return np.random.default_rng(seed)


def child_seed(rng: np.random.Generator) -> int:
    """A 63-bit seed drawn from ``rng``, to derive an independent stream."""
    return int(rng.integers(0, 2**63 - 1))


def torch_generator(seed: Seed, device: torch.device | str = "cpu") -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded from ``seed`` (entropy when ``None``)."""
    import torch

    generator = torch.Generator(device=device)
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(int(seed) % (2**63 - 1))
    return generator
