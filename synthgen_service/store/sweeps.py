"""The SQL of recovery's sweep: stale runs and pending jobs that may have left the queue.

See :mod:`synthgen_service.queue.recovery` for why; every write here is guarded by the
status and attempt number the sweep read, so two sweeps (or a sweep and the run itself)
never both move a job on.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.store.leases import MODEL_STATUS_AFTER, set_model
from synthgen_service.store.status import JobStatus, JobType
from synthgen_service.store.tables import Job, utcnow


class StaleJob(NamedTuple):
    id: uuid.UUID
    model_id: uuid.UUID
    job_type: str
    attempts: int
    cancel_requested: bool


async def stale_running(session: AsyncSession, cutoff: datetime) -> list[StaleJob]:
    """``running`` jobs without a sign of life (heartbeat, start, creation) since ``cutoff``."""
    last_sign = sa.func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
    stmt = sa.select(Job.id, Job.model_id, Job.job_type, Job.attempts, Job.cancel_requested).where(
        Job.status == JobStatus.RUNNING, last_sign < cutoff
    )
    return [StaleJob(*row) for row in (await session.execute(stmt)).all()]


async def settle(
    session: AsyncSession, job: StaleJob, status: JobStatus, error: str | None
) -> bool:
    """Move a stale job to ``status`` (its model along); False if someone got there first."""
    finished_at = None if status == JobStatus.PENDING else utcnow()
    result = await session.execute(
        sa.update(Job)
        .where(Job.id == job.id, Job.status == JobStatus.RUNNING, Job.attempts == job.attempts)
        .values(status=status, error=error, heartbeat_at=None, finished_at=finished_at)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        return False
    if job.job_type == JobType.TRAIN:
        await set_model(session, job.model_id, status=MODEL_STATUS_AFTER[status], error=error)
    return True


async def pending_since(
    session: AsyncSession, cutoff: datetime, limit: int
) -> list[tuple[uuid.UUID, JobType]]:
    """The oldest ``pending`` jobs created by ``cutoff`` and not cancelled, at most ``limit``."""
    stmt = (
        sa.select(Job.id, Job.job_type)
        .where(
            Job.status == JobStatus.PENDING,
            Job.cancel_requested.is_(False),
            Job.created_at <= cutoff,
        )
        .order_by(Job.created_at)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return [(job_id, JobType(job_type)) for job_id, job_type in rows]


__all__ = ["StaleJob", "pending_since", "settle", "stale_running"]
