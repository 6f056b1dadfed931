"""Counts that the service's per-owner limits are checked against."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.store.status import JobStatus, JobType
from synthgen_service.store.tables import Job, Project


async def unfinished_trainings(session: AsyncSession, owner: str) -> int:
    """Training jobs of ``owner``'s projects that are pending or running."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(Job)
        .join(Project, Project.id == Job.project_id)
        .where(
            Project.owner == owner,
            Job.job_type == JobType.TRAIN,
            Job.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
        )
    )
    return int(await session.scalar(stmt) or 0)


__all__ = ["unfinished_trainings"]
