"""The SQL of a job's runs: claiming a job, and every write a run makes while it holds it.

A run's lease is the job's ``attempts`` value it set when it claimed the job: every later
write is an ``UPDATE ... WHERE attempts = <ours> AND status = 'running'`` (see
:meth:`Lease.owns`), so a run that lost its lease (recovery handed the job to another
worker, the model was deleted) changes nothing and learns so from the row count. A
training job carries its model along: the model's status follows the job's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.store.status import JobStatus, JobType, ModelStatus
from synthgen_service.store.tables import Artifact, Job, Model, Project, utcnow

CLAIMABLE = (JobStatus.PENDING, JobStatus.RUNNING)
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
    #: The job's stored request (``jobs.config``), decoded by the task that runs it.
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


async def find(session: AsyncSession, job_id: uuid.UUID) -> tuple[Job, str] | None:
    """The job and its owner, while it may still run (pending, or running but lost)."""
    stmt = (
        sa.select(Job, Project.owner)
        .join(Project, Project.id == Job.project_id)
        .where(Job.id == job_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    if row is None or row[0].status not in CLAIMABLE:
        return None
    return row[0], row[1]


async def take(session: AsyncSession, job: Job, owner: str) -> Lease | None:
    """Bump ``attempts`` if nobody else did since ``job`` was read (optimistic lock)."""
    now = utcnow()
    taken = await session.execute(
        sa.update(Job)
        .where(Job.id == job.id, Job.attempts == job.attempts, Job.status.in_(CLAIMABLE))
        .values(status=JobStatus.RUNNING, attempts=job.attempts + 1, error=None)
        .values(started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)  # keep ``job`` as read
    )
    if _rowcount(taken) != 1:
        return None
    kind = JobType(job.job_type)
    if kind == JobType.TRAIN:
        await set_model(session, job.model_id, status=ModelStatus.TRAINING, error=None)
    attempt = job.attempts + 1
    return Lease(job.id, job.model_id, job.project_id, owner, kind, attempt, dict(job.config))


async def refuse(session: AsyncSession, job: Job, status: JobStatus, error: str) -> None:
    """End a job that will not start (cancelled, or lost too often) with ``error``."""
    job.status, job.error, job.finished_at, job.heartbeat_at = status, error, utcnow(), None
    if job.job_type == JobType.TRAIN:
        await set_model(session, job.model_id, status=MODEL_STATUS_AFTER[status], error=error)


async def complete(
    session: AsyncSession,
    lease: Lease,
    job_values: dict[str, Any],
    artifact: NewArtifact | None,
    model_values: dict[str, Any] | None,
) -> bool:
    """Mark the run completed unless it lost its lease or was cancelled meanwhile."""
    now = utcnow()
    done = await session.execute(
        sa.update(Job)
        .where(lease.owns(), Job.cancel_requested.is_(False))
        .values(status=JobStatus.COMPLETED, finished_at=now, heartbeat_at=now, **job_values)
    )
    if _rowcount(done) != 1:
        return False
    if artifact is not None and not await is_recorded(session, artifact.artifact_id):
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
        await set_model(session, lease.model_id, **model_values)
    return True


async def end(session: AsyncSession, lease: Lease, status: JobStatus, error: str) -> bool:
    """Record a failed or cancelled run (a training job takes its model along)."""
    now = utcnow()
    result = await session.execute(
        sa.update(Job)
        .where(lease.owns())
        .values(status=status, error=error, finished_at=now, heartbeat_at=now)
    )
    if _rowcount(result) != 1:
        return False
    if lease.job_type == JobType.TRAIN:
        await set_model(session, lease.model_id, status=MODEL_STATUS_AFTER[status], error=error)
    return True


async def release(session: AsyncSession, lease: Lease) -> None:
    """Hand an interrupted run back: pending again, for the next worker."""
    result = await session.execute(
        sa.update(Job).where(lease.owns()).values(status=JobStatus.PENDING, heartbeat_at=None)
    )
    if _rowcount(result) == 1 and lease.job_type == JobType.TRAIN:
        await set_model(session, lease.model_id, status=ModelStatus.PENDING)


async def beat(session: AsyncSession, lease: Lease, progress: dict[str, Any] | None) -> bool | None:
    """Heartbeat (and progress) of a run; returns its cancel flag, ``None`` if it lost the job.

    A training's progress is copied to its model, which the model detail shows.
    """
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if progress is not None:
        values["progress"] = progress
    result = await session.execute(
        sa.update(Job).where(lease.owns()).values(values).returning(Job.cancel_requested)
    )
    cancel = result.scalar_one_or_none()
    if cancel is not None and progress is not None and lease.job_type == JobType.TRAIN:
        await set_model(session, lease.model_id, progress=progress)
    return cancel


async def is_recorded(session: AsyncSession, artifact_id: uuid.UUID) -> bool:
    return await session.get(Artifact, artifact_id) is not None


async def set_model(session: AsyncSession, model_id: uuid.UUID, **values: Any) -> None:
    await session.execute(sa.update(Model).where(Model.id == model_id).values(**values))


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


__all__ = [
    "CLAIMABLE",
    "MODEL_STATUS_AFTER",
    "Lease",
    "NewArtifact",
    "beat",
    "complete",
    "end",
    "find",
    "is_recorded",
    "refuse",
    "release",
    "set_model",
    "take",
]
