"""A running average of a network's weights: the network that is validated and kept.

Each optimiser step moves the weights by what its one batch says; near the end of training
they wander around the region of low loss rather than settle in it. An exponential moving
average of the weights over the last steps (Polyak averaging) sits near the middle of that
region, and its conditional distributions are often smoother and better calibrated than
those of the last step's weights. The optimiser keeps stepping the live network; the average
is a second network beside it, which a trainer can validate and keep in its place (the
autoregressive model keeps whichever of the two reads its validation rows better).

The first updates weigh the live weights more (``(1 + t) / (10 + t)`` caps the decay at step
``t``), so a fresh average is not dominated by the random initial weights.
"""

from __future__ import annotations

import copy
from typing import Any, Generic, TypeVar

import torch
from torch import nn

M = TypeVar("M", bound=nn.Module)

#: The decay is capped at ``(1 + t) / (10 + t)`` at update ``t``.
WARMUP_OFFSET = 10


class WeightAverage(Generic[M]):
    """An exponential moving average of ``module``'s parameters, as a module of its own."""

    def __init__(self, module: M, decay: float) -> None:
        if not 0.0 < decay < 1.0:
            raise ValueError(f"decay must lie in (0, 1), got {decay}")
        self.module = module
        self.decay = decay
        self.averaged: M = copy.deepcopy(module).requires_grad_(False)
        self.updates = 0

    @torch.no_grad()
    def update(self) -> None:
        """Move the average towards the live weights after one optimiser step."""
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (WARMUP_OFFSET + self.updates))
        for mine, live in zip(self.averaged.parameters(), self.module.parameters(), strict=True):
            mine.lerp_(live.detach(), 1.0 - decay)
        for kept, current in zip(self.averaged.buffers(), self.module.buffers(), strict=True):
            kept.copy_(current)

    def checkpoint_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        """The averaged weights and the update count, so a resumed fit averages on."""
        return {"updates": self.updates}, dict(self.averaged.state_dict())

    def restore_checkpoint_state(
        self, values: dict[str, Any], tensors: dict[str, torch.Tensor]
    ) -> None:
        self.updates = int(values["updates"])
        self.averaged.load_state_dict(tensors, strict=True)
