"""Projects, always scoped to their owner: another owner's project does not exist here."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.store.tables import Project


async def create(session: AsyncSession, owner: str, name: str, description: str | None) -> Project:
    row = Project(owner=owner, name=name, description=description)
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, owner: str, project_id: uuid.UUID) -> Project | None:
    stmt = sa.select(Project).where(Project.id == project_id, Project.owner == owner)
    return (await session.scalars(stmt)).one_or_none()


async def page(
    session: AsyncSession, owner: str, limit: int, offset: int
) -> tuple[list[Project], int]:
    """One page of the owner's projects, newest first, and the total count."""
    where = Project.owner == owner
    total = await session.scalar(sa.select(sa.func.count()).select_from(Project).where(where))
    stmt = (
        sa.select(Project)
        .where(where)
        .order_by(Project.created_at.desc(), Project.id)
        .limit(limit)
        .offset(offset)
    )
    return list(await session.scalars(stmt)), int(total or 0)


async def delete(session: AsyncSession, project_id: uuid.UUID) -> None:
    """Delete the project row; datasets, models and jobs follow by ON DELETE CASCADE."""
    await session.execute(sa.delete(Project).where(Project.id == project_id))


__all__ = ["create", "delete", "get", "page"]
