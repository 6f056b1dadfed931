"""Training progress a person can follow: a bar in a terminal, log lines everywhere else.

A fit at the default 300 epochs takes minutes, so ``fit`` shows where it is unless told not
to (``verbose=False`` on ``fit`` or on the model). When stderr is an interactive terminal and
the fit runs on the main thread it draws a tqdm bar (epoch, losses, ETA); otherwise (a script
under cron, a notebook, a test, the service's worker threads, whose bars would cut through
the server's own output) it writes nothing to the streams and logs one INFO line on the
``synthgen_core.training`` logger every :data:`LOG_EVERY_SECONDS`, plus the first and the
last epoch, which shows only where the application configured logging. Losses are the only
numbers shown: no cell value of the table ever reaches a bar or a log line.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from synthgen_core.nn.training import TrainingCallback, TrainingProgress

if TYPE_CHECKING:
    from tqdm import tqdm

LOGGER = logging.getLogger("synthgen_core.training")
#: At most one log line per this many seconds of training (the first and last always).
LOG_EVERY_SECONDS = 10.0


def _losses(progress: TrainingProgress) -> str:
    return ", ".join(f"{name} {value:.3f}" for name, value in progress.losses.items())


class ProgressBar:
    """A callback drawing a tqdm bar over the epochs; one-pass models get no bar."""

    def __init__(self, label: str | None = None, file: TextIO | None = None) -> None:
        self.label = label
        self.file = file
        self.bar: tqdm[Any] | None = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, progress: TrainingProgress) -> bool:
        if progress.total_epochs <= 1:
            return False  # a one-pass model: nothing worth a bar
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                desc=self.label,
                total=progress.total_epochs,
                unit="epoch",
                file=self.file or sys.stderr,
            )
        self.bar.set_postfix({name: f"{value:.3f}" for name, value in progress.losses.items()})
        self.bar.update(progress.epoch - self.bar.n)
        return False

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class ProgressLog:
    """A callback logging an INFO line every :data:`LOG_EVERY_SECONDS` of training."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.logged_at: float | None = None
        self.last: TrainingProgress | None = None
        self.last_logged: TrainingProgress | None = None

    def __call__(self, progress: TrainingProgress) -> bool:
        if progress.total_epochs <= 1:
            return False
        self.last = progress
        due = self.logged_at is None or progress.elapsed - self.logged_at >= LOG_EVERY_SECONDS
        if due or progress.epoch == progress.total_epochs:
            self._log(progress)
        return False

    def close(self) -> None:
        """Log the epoch training stopped at (early stopping, a time budget) if not yet."""
        if self.last is not None and self.last is not self.last_logged:
            self._log(self.last)

    def _log(self, progress: TrainingProgress) -> None:
        LOGGER.info(
            "%s: epoch %d/%d (%s), %.1f s elapsed, about %.0f s left",
            self.label,
            progress.epoch,
            progress.total_epochs,
            _losses(progress),
            progress.elapsed,
            progress.eta_seconds,
        )
        self.logged_at, self.last_logged = progress.elapsed, progress


def interactive() -> bool:
    """Whether a person watches stderr: a terminal (not a pipe or a file), on the main thread."""
    stream = sys.stderr
    if threading.current_thread() is not threading.main_thread():
        return False
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


@contextmanager
def reporting(
    label: str, callback: TrainingCallback | None, verbose: bool
) -> Iterator[TrainingCallback | None]:
    """``callback`` with the progress display in front of it; the display closes on exit."""
    if not verbose:
        yield callback
        return
    display = ProgressBar(label) if interactive() else ProgressLog(label)

    def report(progress: TrainingProgress) -> bool | None:
        display(progress)
        return None if callback is None else callback(progress)

    try:
        yield report
    finally:
        display.close()
