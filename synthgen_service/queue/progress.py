"""A running job's link to its database row: heartbeat, progress and the cancel flag.

The model trains (or samples) in a worker thread; its callback only drops the newest
progress into a slot and returns the stop flag, so training never waits for the database.
A pump on the event loop writes that slot, the heartbeat and (for training) the model's
progress every ``heartbeat_s`` seconds -- the throttle -- and reads ``cancel_requested``.
Every write is guarded by the run's attempt number: a run that recovery has handed to
another worker, or whose model was deleted, finds no row to update and is told to stop.

Progress JSON (``jobs.progress``, and ``models.progress`` for training)::

    {"phase": "training", "epoch": 3, "total_epochs": 10, "losses": {"generator": 0.41},
     "loss_history": {"epochs": [1, 2, 3], "series": {"generator": [0.9, 0.6, 0.41]}},
     "elapsed_seconds": 12.5, "eta_seconds": 29.1, "fraction": 0.3, "updated_at": "...Z"}
    (plus "resumed_from_epoch": 20 when a retried training resumed from its checkpoint)
    {"phase": "sampling", "rows_written": 100000, "total_rows": 250000,
     "elapsed_seconds": 3.2, "eta_seconds": 4.8, "fraction": 0.4, "updated_at": "...Z"}

``phase`` is one of ``loading``, ``training``, ``saving``, ``sampling``, ``evaluating``,
``done``; fields that do not apply to a job type are absent. ``loss_history`` holds at most
200 epochs (:mod:`~synthgen_service.queue.loss_history`) and stays once training is done.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from enum import StrEnum
from types import TracebackType
from typing import Any

import msgspec
from sqlalchemy.exc import SQLAlchemyError

from synthgen_core.nn.training import TrainingProgress
from synthgen_service.queue.lease import Lease
from synthgen_service.queue.loss_history import LossHistory, LossRecorder
from synthgen_service.queue.periodic import pause, stop_between_beats
from synthgen_service.queue.runtime import Runtime
from synthgen_service.store import leases
from synthgen_service.store.tables import utcnow

logger = logging.getLogger("synthgen.worker")

#: Seconds a job's end waits for a heartbeat write in progress before cancelling it.
STOP_GRACE_S = 10.0


class Phase(StrEnum):
    LOADING = "loading"
    TRAINING = "training"
    SAVING = "saving"
    SAMPLING = "sampling"
    EVALUATING = "evaluating"
    DONE = "done"


class Progress(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What the progress JSON of a job (and of a model in training) holds."""

    phase: Phase
    epoch: int | None = None
    total_epochs: int | None = None
    losses: dict[str, float] | None = None
    #: The losses of past epochs, for the loss curve (bounded, evenly spread).
    loss_history: LossHistory | None = None
    rows_written: int | None = None
    total_rows: int | None = None
    elapsed_seconds: float | None = None
    eta_seconds: float | None = None
    fraction: float | None = None
    #: A training that resumed from a checkpoint: the epochs it did not have to redo.
    resumed_from_epoch: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(self)
        data["updated_at"] = utcnow().isoformat().replace("+00:00", "Z")
        return data


def training_progress(p: TrainingProgress, history: LossHistory | None = None) -> Progress:
    return Progress(
        phase=Phase.TRAINING,
        epoch=p.epoch,
        total_epochs=p.total_epochs,
        losses={name: round(value, 6) for name, value in p.losses.items()},
        loss_history=history,
        elapsed_seconds=round(p.elapsed, 3),
        eta_seconds=round(p.eta_seconds, 3),
        fraction=round(p.epoch / max(p.total_epochs, 1), 4),
        resumed_from_epoch=p.resumed_from_epoch or None,
    )


def sampling_progress(rows_written: int, total_rows: int, elapsed: float) -> Progress:
    rate = rows_written / elapsed if elapsed > 0 else 0.0
    eta = (total_rows - rows_written) / rate if rate > 0 else None
    return Progress(
        phase=Phase.SAMPLING,
        rows_written=rows_written,
        total_rows=total_rows,
        elapsed_seconds=round(elapsed, 3),
        eta_seconds=None if eta is None else round(eta, 3),
        fraction=round(rows_written / max(total_rows, 1), 4),
    )


class StopReason(StrEnum):
    CANCELLED = "cancelled"  # the user asked (cancel endpoint, or deleting the model)
    GONE = "gone"  # the job row vanished or another run owns it now
    SHUTDOWN = "shutdown"  # this worker is stopping


class Monitor:
    """Heartbeat + progress pump + stop flag for one :class:`Lease`."""

    def __init__(self, rt: Runtime, lease: Lease) -> None:
        self.rt, self.lease = rt, lease
        self.reason: StopReason | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest: Progress | None = Progress(phase=Phase.LOADING)
        self._last: Progress = Progress(phase=Phase.LOADING)
        self._pump: asyncio.Task[None] | None = None
        self._pump_done = asyncio.Event()
        self._losses = LossRecorder()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def stop(self, reason: StopReason) -> None:
        if not self._stop.is_set():
            self.reason = reason
            self._stop.set()

    def report(self, progress: Progress) -> bool:
        """Record progress (any thread); returns ``True`` when the job should stop."""
        with self._lock:
            self._latest = self._last = progress
        return self._stop.is_set()

    def enter(self, phase: Phase) -> bool:
        """Move to the next phase, keeping the numbers reported so far."""
        with self._lock:
            progress = msgspec.structs.replace(self._last, phase=phase)
        return self.report(progress)

    def final(self) -> dict[str, Any]:
        """The progress JSON of a completed job: the last report, marked done."""
        with self._lock:
            last = self._last
        fields: dict[str, Any] = {"phase": Phase.DONE, "fraction": 1.0}
        if last.eta_seconds is not None:
            fields["eta_seconds"] = 0.0
        return msgspec.structs.replace(last, **fields).to_json()

    def training_callback(self, progress: TrainingProgress) -> bool:
        """The ``fit(callback=...)`` hook: stops training within one epoch of a cancel."""
        history = self._losses.add(progress.epoch, progress.losses)
        return self.report(training_progress(progress, history))

    async def __aenter__(self) -> Monitor:
        self._pump = asyncio.create_task(self._run(), name=f"heartbeat {self.lease.job_id}")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the pump between two beats, never inside one.

        Cancelling a beat halfway through its transaction can leave the database
        connection neither committed nor returned to the pool. A beat that takes longer
        than :data:`STOP_GRACE_S` (a database that hangs) is cancelled all the same.
        """
        if self._pump is None:
            return
        await stop_between_beats(self._pump, self._pump_done, STOP_GRACE_S)

    async def _run(self) -> None:
        while True:
            try:
                await self.beat()
            except (SQLAlchemyError, OSError) as exc:  # a database blip must not end the pump
                logger.warning(
                    "job %s: heartbeat failed (%s)", self.lease.job_id, type(exc).__name__
                )
            if await pause(self._pump_done, self.rt.options.heartbeat_s):
                return

    async def beat(self) -> None:
        """Write heartbeat and pending progress; pick up a cancel request."""
        with self._lock:
            progress, self._latest = self._latest, None
        shown = None if progress is None else progress.to_json()
        async with self.rt.sessions.begin() as session:
            cancel = await leases.beat(session, self.lease, shown)
        if cancel is None:
            self.stop(StopReason.GONE)
        elif cancel:
            self.stop(StopReason.CANCELLED)


__all__ = [
    "Monitor",
    "Phase",
    "Progress",
    "StopReason",
    "sampling_progress",
    "training_progress",
]
