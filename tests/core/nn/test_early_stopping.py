"""Early stopping: stops after ``patience`` epochs without a better validation loss and
puts the best epoch's weights back."""

from __future__ import annotations

import torch
from torch import nn

from synthgen_core.nn.early_stopping import EarlyStopping
from synthgen_core.nn.training import TrainingProgress, run_epochs

VALIDATION = [3.0, 2.0, 2.5, 1.9999, 2.6, 2.7, 1.0]


def test_training_stops_after_patience_and_the_best_weights_come_back():
    layer = nn.Linear(1, 1)
    plateaus: list[int] = []
    stopping = EarlyStopping(layer, patience=3, on_plateau=lambda: plateaus.append(1))

    def run_epoch(epoch: int) -> dict[str, torch.Tensor]:
        with torch.no_grad():
            layer.weight.fill_(float(epoch))  # the weights remember their epoch
        return {"loss": torch.tensor(0.0), "validation": torch.tensor(VALIDATION[epoch])}

    history = run_epochs(len(VALIDATION), run_epoch, stop_early=stopping)
    # 1.9999 is no real improvement on 2.0, so epochs 3-5 are the three without one
    assert len(history) == 5
    assert stopping.best_epoch == 2 and stopping.best_loss == 2.0
    assert len(plateaus) == 3
    stopping.restore()
    assert layer.weight.item() == 1.0  # the weights of epoch 2 (0-based 1)


def test_the_callback_still_sees_the_epoch_that_stops_training():
    layer = nn.Linear(1, 1)
    seen: list[int] = []
    stopping = EarlyStopping(layer, patience=1)

    def record(progress: TrainingProgress) -> bool:
        seen.append(progress.epoch)
        return False

    run_epochs(
        10,
        lambda epoch: {"validation": torch.tensor(1.0)},
        stop_early=stopping,
        callback=record,
    )
    assert seen == [1, 2]
