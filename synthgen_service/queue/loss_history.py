"""A training's loss history, bounded, for the loss curve on the model's page.

A training may run thousands of epochs, and its progress JSON is written every heartbeat
and read on every poll of the model page, so the history keeps at most
:data:`MAX_POINTS` epochs: when it is full, every other kept epoch is dropped and from
then on only every second (fourth, ...) epoch is kept. The kept epochs stay evenly spread
over the whole run, and the newest epoch is always the last point.
"""

from __future__ import annotations

import msgspec

#: The most epochs a history holds (per loss series).
MAX_POINTS = 200


class LossHistory(msgspec.Struct, kw_only=True):
    """Each loss series at the kept epochs; ``None`` where a series had no value."""

    epochs: list[int]
    series: dict[str, list[float | None]]


class LossRecorder:
    """Keeps a training's per-epoch losses within :data:`MAX_POINTS` (one thread only)."""

    def __init__(self, max_points: int = MAX_POINTS) -> None:
        assert max_points >= 4, "a curve needs a few points"
        assert max_points % 2 == 0, "halving needs an even count"
        self.max_points = max_points
        self._stride, self._seen = 1, 0
        self._kept: list[tuple[int, dict[str, float]]] = []
        self._newest: tuple[int, dict[str, float]] | None = None

    def add(self, epoch: int, losses: dict[str, float]) -> LossHistory:
        """Record one epoch; returns the history to show now."""
        self._newest = (epoch, losses)
        if self._seen % self._stride == 0:
            self._kept.append(self._newest)
            if len(self._kept) >= self.max_points:  # one place stays free for the newest
                self._kept, self._stride = self._kept[::2], self._stride * 2
        self._seen += 1
        return self.history()

    def history(self) -> LossHistory:
        points = list(self._kept)
        if self._newest is not None and (not points or points[-1] is not self._newest):
            points.append(self._newest)
        names = list(dict.fromkeys(name for _, losses in points for name in losses))
        return LossHistory(
            epochs=[epoch for epoch, _ in points],
            series={name: [_rounded(losses.get(name)) for _, losses in points] for name in names},
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


__all__ = ["MAX_POINTS", "LossHistory", "LossRecorder"]
