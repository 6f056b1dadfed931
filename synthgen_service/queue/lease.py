"""Claiming a job for one run and recording how the run ended; the database is the truth.

A job may be delivered more than once (a worker died, Redis was restarted, recovery put it
back), so every run starts with :func:`claim`: it skips finished and vanished jobs, honours
a cancel that came before the start, fails a job that has already been lost ``max_tries``
times, and otherwise bumps ``attempts``. That attempt number is the run's lease: every later
write is guarded by it (the SQL lives in :mod:`synthgen_service.store.leases`), so a run that
lost its lease (another worker took the job over, the model was deleted) changes nothing.
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path
from typing import Any

from synthgen_core.errors import SynthGenError
from synthgen_service.artifacts import DISK_FULL_MESSAGE, disk_full
from synthgen_service.queue.runtime import Runtime
from synthgen_service.store import leases
from synthgen_service.store.leases import MODEL_STATUS_AFTER, Lease, NewArtifact
from synthgen_service.store.status import JobStatus

logger = logging.getLogger("synthgen.worker")


def lost_message(runs: int) -> str:
    return (
        f"the job was interrupted {runs} time(s) (its worker stopped or lost contact) and was "
        "not retried again; check the worker logs (memory, restarts) and submit it again"
    )


def error_message(exc: BaseException, data_dir: Path | None = None) -> str:
    """What the user reads: our own errors verbatim, anything else by type only (no cell values).

    Library messages may quote a file path; paths inside the server's ``data_dir`` mean
    nothing to a user, so they are shortened to the file name.
    """
    if isinstance(exc, SynthGenError):
        message = str(exc)
        if data_dir is not None:
            root = re.escape(str(data_dir.resolve()))
            message = re.sub(root + r"/[^'\"\s]*/", "", message)
        return message
    if isinstance(exc, MemoryError):
        return "the worker ran out of memory; use fewer rows or a smaller batch_size"
    if disk_full(exc):
        return f"{DISK_FULL_MESSAGE}, then submit the job again"
    return (
        f"the job failed with an unexpected error ({type(exc).__name__}); "
        "the worker log has the details, try again or report it if it persists"
    )


async def claim(rt: Runtime, job_id: uuid.UUID) -> Lease | None:
    """Start a run of the job, or return ``None`` when there is nothing (more) to run."""
    async with rt.sessions.begin() as session:
        found = await leases.find(session, job_id)
        if found is None:
            return None
        job, owner = found
        if job.cancel_requested:
            await leases.refuse(session, job, JobStatus.CANCELLED, "cancelled before it started")
        elif job.attempts >= rt.options.max_tries:
            await leases.refuse(session, job, JobStatus.FAILED, lost_message(job.attempts))
        else:
            return await leases.take(session, job, owner)
    logger.info("job %s not started: %s", job.id, job.status)
    return None


async def complete(
    rt: Runtime,
    lease: Lease,
    job_values: dict[str, Any],
    *,
    artifact: NewArtifact | None = None,
    model_values: dict[str, Any] | None = None,
) -> bool:
    """Mark the run completed unless it lost its lease or was cancelled meanwhile."""
    async with rt.sessions.begin() as session:
        return await leases.complete(session, lease, job_values, artifact, model_values)


async def end(rt: Runtime, lease: Lease, status: JobStatus, error: str) -> bool:
    """Record a failed or cancelled run (a training job takes its model along)."""
    async with rt.sessions.begin() as session:
        ended = await leases.end(session, lease, status, error)
    if ended:
        logger.info("job %s %s", lease.job_id, status)
    return ended


async def release(rt: Runtime, lease: Lease) -> None:
    """Hand an interrupted run back (worker shutdown): pending again, for the next worker."""
    async with rt.sessions.begin() as session:
        await leases.release(session, lease)


async def discard(rt: Runtime, artifact_id: uuid.UUID) -> None:
    """Remove a file a run published but could not record (unless a row claims it)."""
    async with rt.sessions() as session:
        recorded = await leases.is_recorded(session, artifact_id)
    if not recorded:
        rt.files.delete([artifact_id])


__all__ = [
    "MODEL_STATUS_AFTER",
    "Lease",
    "NewArtifact",
    "claim",
    "complete",
    "discard",
    "end",
    "error_message",
    "lost_message",
    "release",
]
