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


async def hold_owner(session: AsyncSession, owner: str) -> None:
    """Until this transaction ends, no other one may count or add ``owner``'s trainings.

    PostgreSQL: a transaction-scoped advisory lock on the owner. SQLite serves one process,
    whose requests :class:`~synthgen_service.limits.TrainingSlots` already admits in turn.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = f"synthgen.trainings.{owner}"
    await session.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
    )


__all__ = ["hold_owner", "unfinished_trainings"]
