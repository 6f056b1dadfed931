"""Training checkpoints: the worker's scratch files, kept on its disk rather than as artifacts.

A checkpoint is working state of one training run, not a result: the library's training
loop rewrites it every few epochs or seconds (atomically, by path) and reads it back only
when a retry of the same job resumes (``synthgen_core.nn.checkpoint``). Sending it to the
artifact store on every save would cost an upload per save for a file nobody downloads,
so it stays a file under ``<data_dir>/checkpoints``. With a data dir shared by every worker
(docs/deploy.md), a retry on another host resumes from it; with a local one, a retry on
another host starts again from epoch 0, which costs time but loses nothing.

The file is named after the job. The worker removes it when a run ends in any way but a
shutdown; the API removes it with its model, for a run that died and will not be retried.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path


class Checkpoints:
    """The checkpoint files under one data dir, by job id."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir.resolve() / "checkpoints"

    def path(self, job_id: uuid.UUID) -> Path:
        """Where a training job keeps its checkpoint, so a retry resumes from it."""
        return self.folder / f"{uuid.UUID(str(job_id))}.ckpt"

    def delete(self, job_ids: Iterable[uuid.UUID]) -> None:
        """Remove the jobs' checkpoints (already-missing ones are fine)."""
        for job_id in job_ids:
            self.path(job_id).unlink(missing_ok=True)


__all__ = ["Checkpoints"]
