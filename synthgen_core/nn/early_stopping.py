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
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np
import torch
from torch import nn

from synthgen_core.nn.training import EpochRunner, TrainingCallback, run_epochs

if TYPE_CHECKING:
    from synthgen_core.nn.checkpoint import Stateful, TrainingCheckpoint

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

    def checkpoint_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        """The counters and the best epoch's weights, so a resumed training keeps its best."""
        values = {
            "best_loss": None if math.isinf(self.best_loss) else self.best_loss,
            "best_epoch": self.best_epoch,
            "epochs_seen": self.epochs_seen,
        }
        return values, dict(self._best_state or {})

    def restore_checkpoint_state(
        self, values: dict[str, Any], tensors: dict[str, torch.Tensor]
    ) -> None:
        best = values["best_loss"]
        self.best_loss = math.inf if best is None else float(best)
        self.best_epoch, self.epochs_seen = int(values["best_epoch"]), int(values["epochs_seen"])
        self._best_state = dict(tensors) if tensors else None

    def restore(self) -> None:
        """Put the best epoch's weights back (no-op before any epoch)."""
        if self._best_state is not None:
            self.module.load_state_dict(self._best_state)


class KeepBest(NamedTuple):
    """What a training with optional early stopping ran: its losses and the epoch kept."""

    history: list[dict[str, float]]
    best_epoch: int


def run_keeping_best(
    epochs: int,
    run_epoch: EpochRunner,
    *,
    watch: nn.Module | None,
    patience: int,
    metric: str = "validation",
    parts: Mapping[str, Stateful],
    checkpoint: Callable[..., TrainingCheckpoint | None],
    callback: TrainingCallback | None,
    max_seconds: float | None,
) -> KeepBest:
    """``run_epochs``, stopping early on ``metric`` and restoring ``watch``'s best weights.

    ``watch`` None trains every epoch. ``checkpoint`` receives the parts to save (the
    early-stopping state included) and returns the fit's checkpoint, if any.
    """
    stopping = None if watch is None else EarlyStopping(watch, patience=patience, metric=metric)
    saved = dict(parts) | ({"stopping": stopping} if stopping is not None else {})
    history = run_epochs(
        epochs,
        run_epoch,
        callback=callback,
        max_seconds=max_seconds,
        stop_early=stopping,
        checkpoint=checkpoint(**saved),
    )
    if stopping is None:
        return KeepBest(history, len(history))
    stopping.restore()
    return KeepBest(history, stopping.best_epoch)


Rows = TypeVar("Rows", torch.Tensor, np.ndarray)


def split_validation(
    rows: Rows, fraction: float, rng: np.random.Generator
) -> tuple[Rows, Rows | None]:
    """Training rows and held-out validation rows (None when none are held out)."""
    n_validation = round(fraction * rows.shape[0])
    if n_validation < 1 or n_validation >= rows.shape[0]:
        return rows, None
    order = rng.permutation(rows.shape[0])
    if isinstance(rows, torch.Tensor):
        index = torch.as_tensor(order, device=rows.device)
        return rows[index[n_validation:]], rows[index[:n_validation]]
    return rows[order[n_validation:]], rows[order[:n_validation]]
