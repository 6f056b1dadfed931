"""Inverted dropout whose masks come from an explicit generator.

``nn.Dropout`` draws from the global RNG, so a seeded fit would depend on, and disturb,
whatever else uses it. Here the mask comes from the fit's own ``torch.Generator``.
"""

from __future__ import annotations

import torch


def seeded_dropout(
    x: torch.Tensor, rate: float, *, training: bool, generator: torch.Generator | None
) -> torch.Tensor:
    """``x`` with each element zeroed with probability ``rate`` and the rest scaled up."""
    if not training or rate == 0.0:
        return x
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= rate
    return x * keep / (1.0 - rate)
