"""The shared epoch loop: callbacks see progress and can stop, budgets and divergence."""

from __future__ import annotations

import pytest
import torch

from synthgen_core.errors import TrainingError
from synthgen_core.nn.training import TrainingProgress, run_epochs


def _constant_losses(epoch: int) -> dict[str, torch.Tensor]:
    return {"loss": torch.tensor(1.0 / (epoch + 1))}


def test_every_epoch_runs_and_its_losses_are_recorded():
    history = run_epochs(4, _constant_losses)
    assert history == [{"loss": pytest.approx(1 / k)} for k in (1, 2, 3, 4)]


def test_the_callback_sees_each_epoch_and_can_stop_training():
    seen: list[TrainingProgress] = []

    def stop_after_two(progress: TrainingProgress) -> bool:
        seen.append(progress)
        return progress.epoch == 2

    history = run_epochs(10, _constant_losses, callback=stop_after_two)
    assert len(history) == 2
    assert [p.epoch for p in seen] == [1, 2]
    assert all(p.total_epochs == 10 for p in seen)
    assert seen[-1].elapsed >= seen[0].elapsed
    assert seen[0].eta_seconds == pytest.approx(seen[0].elapsed * 9)


def test_a_time_budget_stops_after_the_epoch_that_crosses_it():
    assert len(run_epochs(50, _constant_losses, max_seconds=1e-9)) == 1


def test_a_diverged_loss_raises_instead_of_leaving_broken_weights():
    def diverging(epoch: int) -> dict[str, torch.Tensor]:
        return {"loss": torch.tensor(float("nan") if epoch == 2 else 1.0)}

    with pytest.raises(TrainingError, match="epoch 3"):
        run_epochs(10, diverging)
