"""Early stopping on a validation loss, keeping the best epoch's weights.

A model trained past its best epoch starts to memorise its training rows: its samples then
sit closer to them than real unseen rows do. Watching the loss on rows held out of training
stops that, and restoring the weights of the best epoch undoes the epochs spent waiting to
be sure. Each epoch that does not improve also halves the learning rate (when the trainer
offers one), so a plateau caused by a step too large gets a chance to resolve before the
patience runs out.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import torch
from torch import nn

#: A loss must fall by this much (relative) to count as an improvement.
MIN_RELATIVE_IMPROVEMENT = 1e-4


class EarlyStopping:
    """Call after each epoch with its losses; True means stop. Then :meth:`restore`."""

    def __init__(
        self,
        module: nn.Module,
        *,
        patience: int,
        metric: str = "validation",
        on_plateau: Callable[[], None] | None = None,
    ) -> None:
        self.module = module
        self.patience = patience
        self.metric = metric
        self.on_plateau = on_plateau
        self.best_loss = math.inf
        self.best_epoch = 0  # 1-based, as TrainingProgress counts; 0 before any epoch
        self.epochs_seen = 0
        self._best_state: dict[str, torch.Tensor] | None = None

    def __call__(self, losses: dict[str, float]) -> bool:
        """Record one epoch's losses; whether to stop training now."""
        self.epochs_seen += 1
        loss = losses[self.metric]
        if self._improves(loss):
            self.best_loss, self.best_epoch = loss, self.epochs_seen
            self._best_state = copy.deepcopy(self.module.state_dict())
            return False
        if self.on_plateau is not None:
            self.on_plateau()
        return self.epochs_seen - self.best_epoch >= self.patience

    def _improves(self, loss: float) -> bool:
        if math.isinf(self.best_loss):
            return True
        return loss < self.best_loss - MIN_RELATIVE_IMPROVEMENT * abs(self.best_loss)

    def restore(self) -> None:
        """Put the best epoch's weights back (no-op before any epoch)."""
        if self._best_state is not None:
            self.module.load_state_dict(self._best_state)
