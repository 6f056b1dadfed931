"""The bounded loss history a training's progress carries for the loss curve."""

from __future__ import annotations

import pytest

from synthgen_service.queue.loss_history import MAX_POINTS, LossRecorder


def test_a_short_training_keeps_every_epoch_in_order() -> None:
    recorder = LossRecorder()
    for epoch in range(1, 4):
        history = recorder.add(epoch, {"generator": 1.0 / epoch, "discriminator": -0.1 * epoch})
    assert history.epochs == [1, 2, 3]
    assert history.series == {
        "generator": [1.0, 0.5, pytest.approx(0.333333)],
        "discriminator": [-0.1, -0.2, pytest.approx(-0.3)],
    }


@pytest.mark.parametrize("epochs", [199, 200, 201, 1_000, 12_345])
def test_a_long_training_stays_bounded_evenly_spread_and_ends_at_the_newest(epochs: int) -> None:
    recorder = LossRecorder()
    for epoch in range(1, epochs + 1):
        history = recorder.add(epoch, {"loss": float(epoch)})
    assert len(history.epochs) <= MAX_POINTS
    assert len(history.epochs) >= min(epochs, MAX_POINTS // 2)
    assert history.epochs[0] == 1 and history.epochs[-1] == epochs
    steps = {b - a for a, b in zip(history.epochs[:-2], history.epochs[1:-1], strict=True)}
    assert len(steps) <= 1  # evenly spread (the newest may come sooner)
    assert history.series["loss"] == [float(epoch) for epoch in history.epochs]


def test_a_series_that_appears_later_has_gaps_before() -> None:
    recorder = LossRecorder()
    recorder.add(1, {"loss": 2.0})
    history = recorder.add(2, {"loss": 1.0, "validation": 1.5})
    assert history.series == {"loss": [2.0, 1.0], "validation": [None, 1.5]}
