"""The epoch loop shared by the neural models, with a callback that can stop training.

A model supplies ``run_epoch(epoch) -> {loss name: tensor}``; the tensors stay on the device
during the epoch and are read once at its end, so a GPU never waits for the host between
steps. After each epoch the callback receives a :class:`TrainingProgress` and returns
``True`` to stop (the service uses this for progress rows and cancellation, the CLI for its
progress bar); ``max_seconds`` stops after the epoch that crosses the budget. A loss that
becomes NaN or infinite raises :class:`TrainingError` rather than leaving broken weights.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from synthgen_core.errors import TrainingError

if TYPE_CHECKING:
    import torch

    from synthgen_core.nn.checkpoint import TrainingCheckpoint


class TrainingProgress(msgspec.Struct, frozen=True, kw_only=True):
    """What a callback learns after each epoch."""

    epoch: int
    total_epochs: int
    losses: dict[str, float]
    elapsed: float
    #: Epochs restored from a checkpoint at the start of this fit (0: trained from scratch).
    resumed_from_epoch: int = 0

    @property
    def eta_seconds(self) -> float:
        """Seconds left at the average pace so far."""
        return self.elapsed / self.epoch * (self.total_epochs - self.epoch)


TrainingCallback = Callable[[TrainingProgress], bool | None]
EpochRunner = Callable[[int], "dict[str, torch.Tensor]"]


def run_epochs(
    epochs: int,
    run_epoch: EpochRunner,
    *,
    callback: TrainingCallback | None = None,
    max_seconds: float | None = None,
    stop_early: Callable[[dict[str, float]], bool] | None = None,
    checkpoint: TrainingCheckpoint | None = None,
) -> list[dict[str, float]]:
    """Run up to ``epochs`` epochs and return the per-epoch losses.

    ``stop_early`` (an :class:`~synthgen_core.nn.early_stopping.EarlyStopping`) sees each
    epoch's losses and ends training when it returns True; the callback still sees that
    epoch. With a ``checkpoint``, training resumes after the epochs its file holds (their
    losses and seconds count as this fit's) and saves every few epochs or seconds, and when
    the callback stops it, so the next fit continues from there.
    """
    resumed = None
    if checkpoint is not None:
        resumed = checkpoint.file.resume(checkpoint.parts, checkpoint.stage)
    first, history, spent = resumed if resumed is not None else (0, [], 0.0)
    start = time.perf_counter() - spent
    for epoch in range(first, epochs):
        losses = {name: float(value) for name, value in run_epoch(epoch).items()}
        history.append(losses)
        elapsed = time.perf_counter() - start
        progress = TrainingProgress(
            epoch=epoch + 1,
            total_epochs=epochs,
            losses=losses,
            elapsed=elapsed,
            resumed_from_epoch=first,
        )
        _check_finite(epoch, losses)  # before the callback: a caller stopping here must not keep it
        stopping = stop_early is not None and stop_early(losses)
        if callback is not None and callback(progress):
            _save(checkpoint, history, elapsed)  # stopped from outside: resumable
            if checkpoint is not None:
                checkpoint.file.interrupted = True
            break
        if stopping or (max_seconds is not None and elapsed >= max_seconds):
            break
        if checkpoint is not None and checkpoint.file.due(epoch + 1):
            _save(checkpoint, history, elapsed)
    return history


def _check_finite(epoch: int, losses: dict[str, float]) -> None:
    if not all(math.isfinite(value) for value in losses.values()):
        raise TrainingError(
            f"training diverged at epoch {epoch + 1}: losses {losses}; lower the learning "
            "rates, or look for extreme values in numerical columns"
        )


def _save(
    checkpoint: TrainingCheckpoint | None, history: list[dict[str, float]], elapsed: float
) -> None:
    if checkpoint is not None:
        checkpoint.file.save(
            checkpoint.parts,
            epoch=len(history),
            history=history,
            elapsed=elapsed,
            seed=checkpoint.seed,
            stage=checkpoint.stage,
        )


def history_from_json(epochs: list[dict[str, float | None]]) -> list[dict[str, float]]:
    """A loss history read back from a model file's JSON header.

    JSON has no NaN, so a non-finite loss is written as ``null``; it comes back as NaN.
    """
    return [
        {
            str(name): float("nan") if value is None else float(value)
            for name, value in epoch.items()
        }
        for epoch in epochs
    ]
