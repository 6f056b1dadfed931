"""Claiming a job for one run and recording how the run ended; the database is the truth.

A job may be delivered more than once (a worker died, Redis was restarted, recovery put it
back), so every run starts with :func:`claim`: it skips finished and vanished jobs, honours
a cancel that came before the start, fails a job that has already been lost ``max_tries``
times, and otherwise bumps ``attempts``. That attempt number is the run's lease: every later
write is an ``UPDATE ... WHERE attempts = <ours> AND status = 'running'``, so a run that
lost its lease (another worker took the job over, the model was deleted) changes nothing.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from synthgen_core.errors import SynthGenError
from synthgen_service.artifacts import DISK_FULL_MESSAGE, disk_full
from synthgen_service.queue.runtime import Runtime
from synthgen_service.store.tables import (
    Artifact,
    Job,
    JobStatus,
    JobType,
    Model,
    ModelStatus,
    Project,
    utcnow,
)

logger = logging.getLogger("synthgen.worker")

_CLAIMABLE = (JobStatus.PENDING, JobStatus.RUNNING)
#: What a training job's end means for its model.
MODEL_STATUS_AFTER = {
    JobStatus.PENDING: ModelStatus.PENDING,
    JobStatus.CANCELLED: ModelStatus.CANCELLED,
    JobStatus.FAILED: ModelStatus.FAILED,
}


@dataclass(frozen=True)
class Lease:
    """One run of one job: the attempt number guards every write the run makes."""

    job_id: uuid.UUID
    model_id: uuid.UUID
    project_id: uuid.UUID
    owner: str
    job_type: JobType
    attempt: int
    config: dict[str, Any]

    def owns(self) -> sa.ColumnElement[bool]:
        """SQL condition: the job row is still this run's (running, same attempt)."""
        return sa.and_(
            Job.id == self.job_id, Job.attempts == self.attempt, Job.status == JobStatus.RUNNING
        )


@dataclass(frozen=True)
class NewArtifact:
    """An artifact row to insert when a run completes (its file is already in place)."""

    artifact_id: uuid.UUID
    kind: str
    path: str
    size: int
    content_type: str


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
        stmt = (
            sa.select(Job, Project.owner)
            .join(Project, Project.id == Job.project_id)
            .where(Job.id == job_id)
        )
        row = (await session.execute(stmt)).one_or_none()
        if row is None or row[0].status not in _CLAIMABLE:
            return None
        job, owner = row
        if job.cancel_requested or job.attempts >= rt.options.max_tries:
            await _refuse(session, job)
            return None
        if not await _take(session, job):
            return None
        kind, attempt, config = JobType(job.job_type), job.attempts + 1, dict(job.config)
        return Lease(job.id, job.model_id, job.project_id, owner, kind, attempt, config)


async def _take(session: Any, job: Job) -> bool:
    """Bump ``attempts`` if nobody else did since we read the row (optimistic lock)."""
    now = utcnow()
    taken = await session.execute(
        sa.update(Job)
        .where(Job.id == job.id, Job.attempts == job.attempts, Job.status.in_(_CLAIMABLE))
        .values(status=JobStatus.RUNNING, attempts=job.attempts + 1, error=None)
        .values(started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)  # keep ``job`` as read
    )
    if _rowcount(taken) != 1:
        return False
    if job.job_type == JobType.TRAIN:
        await _set_model(session, job.model_id, status=ModelStatus.TRAINING, error=None)
    return True


async def _refuse(session: Any, job: Job) -> None:
    if job.cancel_requested:
        status, error = JobStatus.CANCELLED, "cancelled before it started"
    else:
        status, error = JobStatus.FAILED, lost_message(job.attempts)
    job.status, job.error, job.finished_at, job.heartbeat_at = status, error, utcnow(), None
    if job.job_type == JobType.TRAIN:
        await _set_model(session, job.model_id, status=MODEL_STATUS_AFTER[status], error=error)
    logger.info("job %s not started: %s", job.id, status)


async def complete(
    rt: Runtime,
    lease: Lease,
    job_values: dict[str, Any],
    *,
    artifact: NewArtifact | None = None,
    model_values: dict[str, Any] | None = None,
) -> bool:
    """Mark the run completed unless it lost its lease or was cancelled meanwhile."""
    now = utcnow()
    async with rt.sessions.begin() as session:
        done = await session.execute(
            sa.update(Job)
            .where(lease.owns(), Job.cancel_requested.is_(False))
            .values(status=JobStatus.COMPLETED, finished_at=now, heartbeat_at=now, **job_values)
        )
        if _rowcount(done) != 1:
            return False
        if artifact is not None and await session.get(Artifact, artifact.artifact_id) is None:
            session.add(
                Artifact(
                    id=artifact.artifact_id,
                    owner=lease.owner,
                    kind=artifact.kind,
                    path=artifact.path,
                    size=artifact.size,
                    content_type=artifact.content_type,
                )
            )
        if model_values:
            await _set_model(session, lease.model_id, **model_values)
    return True


async def end(rt: Runtime, lease: Lease, status: JobStatus, error: str) -> bool:
    """Record a failed or cancelled run (a training job takes its model along)."""
    now = utcnow()
    async with rt.sessions.begin() as session:
        result = await session.execute(
            sa.update(Job)
            .where(lease.owns())
            .values(status=status, error=error, finished_at=now, heartbeat_at=now)
        )
        if _rowcount(result) != 1:
            return False
        if lease.job_type == JobType.TRAIN:
            await _set_model(
                session, lease.model_id, status=MODEL_STATUS_AFTER[status], error=error
            )
    logger.info("job %s %s", lease.job_id, status)
    return True


async def release(rt: Runtime, lease: Lease) -> None:
    """Hand an interrupted run back (worker shutdown): pending again, for the next worker."""
    async with rt.sessions.begin() as session:
        result = await session.execute(
            sa.update(Job).where(lease.owns()).values(status=JobStatus.PENDING, heartbeat_at=None)
        )
        if _rowcount(result) == 1 and lease.job_type == JobType.TRAIN:
            await _set_model(session, lease.model_id, status=ModelStatus.PENDING)


def stored_file(rt: Runtime, relative: str, missing: SynthGenError) -> Path:
    """The absolute path of a stored artifact; ``missing`` is raised when the file is gone."""
    path = rt.files.path(relative)
    if not path.is_file():
        raise missing
    return path


async def discard(rt: Runtime, artifact_id: uuid.UUID) -> None:
    """Remove a file a run published but could not record (unless a row claims it)."""
    async with rt.sessions() as session:
        recorded = await session.get(Artifact, artifact_id)
    if recorded is None:
        rt.files.delete([artifact_id])


async def _set_model(session: Any, model_id: uuid.UUID, **values: Any) -> None:
    await session.execute(sa.update(Model).where(Model.id == model_id).values(**values))


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


__all__ = [
    "Lease",
    "NewArtifact",
    "claim",
    "complete",
    "discard",
    "end",
    "error_message",
    "lost_message",
    "release",
    "stored_file",
]
