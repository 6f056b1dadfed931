"""Background jobs (train / generate), scoped to the owner of their project.

Cancellation is cooperative: a pending job is cancelled at once (no worker holds it), a running
one only gets ``cancel_requested`` and the worker stops it at its next progress callback.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.store.payloads import (
    GenerateJob,
    Payload,
    TrainJob,
    decode_payload,
    encode_payload,
)
from synthgen_service.store.status import JobStatus, JobType, ModelStatus
from synthgen_service.store.tables import Job, Model, Project, utcnow


class JobRow(NamedTuple):
    job: Job
    model_name: str
    model_type: str
    project_name: str


class JobFilter(NamedTuple):
    project_id: uuid.UUID | None = None
    model_id: uuid.UUID | None = None
    status: str | None = None


async def create(
    session: AsyncSession, *, model_id: uuid.UUID, project_id: uuid.UUID, payload: Payload
) -> Job:
    """A pending job whose ``config`` is ``payload``, encoded (its type sets the job's)."""
    row = Job(
        model_id=model_id,
        project_id=project_id,
        job_type=JobType.TRAIN if isinstance(payload, TrainJob) else JobType.GENERATE,
        status=JobStatus.PENDING,
        config=encode_payload(payload),
    )
    session.add(row)
    await session.flush()
    return row


def _owned(owner: str) -> sa.Select[Job, str, str, str]:
    return (
        sa.select(Job, Model.name, Model.model_type, Project.name)
        .join(Model, Model.id == Job.model_id)
        .join(Project, Project.id == Job.project_id)
        .where(Project.owner == owner)
    )


async def get(session: AsyncSession, owner: str, job_id: uuid.UUID) -> JobRow | None:
    row = (await session.execute(_owned(owner).where(Job.id == job_id))).one_or_none()
    return None if row is None else JobRow(*row)


async def page(
    session: AsyncSession, owner: str, where: JobFilter, limit: int, offset: int
) -> tuple[list[JobRow], int]:
    """One page of the owner's jobs matching ``where``, newest first.

    Without their reports, which lists never show and which are the rows' largest values.
    """
    stmt = _owned(owner)
    if where.project_id is not None:
        stmt = stmt.where(Job.project_id == where.project_id)
    if where.model_id is not None:
        stmt = stmt.where(Job.model_id == where.model_id)
    if where.status is not None:
        stmt = stmt.where(Job.status == where.status)
    total = await session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    ordered = stmt.order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)
    ordered = ordered.options(orm.defer(Job.report, raiseload=True))
    rows = (await session.execute(ordered)).all()
    return [JobRow(*row) for row in rows], int(total or 0)


async def for_model(session: AsyncSession, model_id: uuid.UUID) -> list[Job]:
    stmt = sa.select(Job).where(Job.model_id == model_id).order_by(Job.created_at, Job.id)
    return list(await session.scalars(stmt))


async def generated_before(session: AsyncSession, job_id: uuid.UUID, model_id: uuid.UUID) -> int:
    """Rows the model's generate jobs created before this one asked for, whatever their status.

    Earlier by creation time, then id: a job's count never changes once it exists.
    """
    created = sa.select(Job.created_at).where(Job.id == job_id).scalar_subquery()
    stmt = sa.select(Job.config).where(
        Job.model_id == model_id,
        Job.job_type == JobType.GENERATE,
        sa.or_(Job.created_at < created, sa.and_(Job.created_at == created, Job.id < job_id)),
    )
    configs = (await session.scalars(stmt)).all()
    return sum(decode_payload(GenerateJob, config).num_rows for config in configs)


async def cancel(session: AsyncSession, job: Job) -> bool:
    """Cancel a pending job now (True), or ask the worker to stop a running one (False).

    A training job cancelled before it started leaves its model ``cancelled`` too, since no
    worker will ever move that model out of ``pending``.
    """
    job.cancel_requested = True
    if job.status != JobStatus.PENDING:
        await session.flush()
        return False
    job.status = JobStatus.CANCELLED
    job.finished_at = utcnow()
    job.error = "cancelled before it started"
    if job.job_type == JobType.TRAIN:
        await session.execute(
            sa.update(Model)
            .where(Model.id == job.model_id, Model.status == ModelStatus.PENDING)
            .values(status=ModelStatus.CANCELLED, error="training cancelled before it started")
        )
    await session.flush()
    return True


async def cancel_unfinished(session: AsyncSession, model_ids: Collection[uuid.UUID]) -> list[Job]:
    """Cancel every pending or running job of these models; returns the jobs touched."""
    stmt = sa.select(Job).where(
        Job.model_id.in_(model_ids), Job.status.in_([JobStatus.PENDING, JobStatus.RUNNING])
    )
    touched = list(await session.scalars(stmt))
    for job in touched:
        await cancel(session, job)
    return touched


async def lock_for_removal(session: AsyncSession, model_ids: Collection[uuid.UUID]) -> None:
    """Row-lock these models' jobs until the transaction ends (see ``Removal.delete_rows``).

    SQLite locks the whole database on write and ignores ``FOR UPDATE``.
    """
    if model_ids:
        await session.execute(
            sa.select(Job.id).where(Job.model_id.in_(model_ids)).order_by(Job.id).with_for_update()
        )


async def latest_reports(
    session: AsyncSession, model_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """Each model's quality report from its most recent completed generation, if any.

    The caller passes ids it got from the owner-scoped ``models.page``.
    """
    stmt = (
        sa.select(Job.model_id, Job.report)
        .where(
            Job.model_id.in_(model_ids),
            Job.job_type == JobType.GENERATE,
            Job.status == JobStatus.COMPLETED,
        )
        .order_by(Job.finished_at)
    )
    rows = (await session.execute(stmt)).all()
    return {model_id: report for model_id, report in rows if report}  # newest wins


async def latest_scores(
    session: AsyncSession, model_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, float | None]:
    """Each model's quality score from its most recent completed generation, if any.

    Lists show the score alone: reading it out of the JSON in the database spares parsing
    every report whole (with its per-column distributions) for a page of 50 models.
    """
    score = Job.report["score"].as_float()
    stmt = (
        sa.select(Job.model_id, score)
        .where(
            Job.model_id.in_(model_ids),
            Job.job_type == JobType.GENERATE,
            Job.status == JobStatus.COMPLETED,
            Job.report.is_not(None),
        )
        .order_by(Job.finished_at)
    )
    return {model_id: value for model_id, value in (await session.execute(stmt)).all()}


__all__ = [
    "JobFilter",
    "JobRow",
    "cancel",
    "cancel_unfinished",
    "create",
    "for_model",
    "generated_before",
    "get",
    "latest_reports",
    "latest_scores",
    "lock_for_removal",
    "page",
]
