"""Datasets and their numbered versions, scoped to the owner of their project."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.store.tables import Dataset, DatasetVersion, Project


async def create(
    session: AsyncSession, project_id: uuid.UUID, name: str, description: str | None
) -> Dataset:
    row = Dataset(project_id=project_id, name=name, description=description)
    session.add(row)
    await session.flush()
    return row


async def add_version(
    session: AsyncSession, dataset_id: uuid.UUID, **fields: Any
) -> DatasetVersion:
    """Append the next version (0, 1, 2 ...); the unique constraint catches a concurrent twin."""
    latest = await session.scalar(
        sa.select(sa.func.max(DatasetVersion.version)).where(
            DatasetVersion.dataset_id == dataset_id
        )
    )
    row = DatasetVersion(
        dataset_id=dataset_id, version=0 if latest is None else latest + 1, **fields
    )
    session.add(row)
    await session.flush()
    return row


def _owned(owner: str) -> sa.Select[Dataset]:
    return (
        sa.select(Dataset)
        .join(Project, Project.id == Dataset.project_id)
        .where(Project.owner == owner)
    )


async def get(session: AsyncSession, owner: str, dataset_id: uuid.UUID) -> Dataset | None:
    return (await session.scalars(_owned(owner).where(Dataset.id == dataset_id))).one_or_none()


async def get_version(
    session: AsyncSession, owner: str, version_id: uuid.UUID
) -> tuple[DatasetVersion, Dataset] | None:
    stmt = (
        sa.select(DatasetVersion, Dataset)
        .join(Dataset, Dataset.id == DatasetVersion.dataset_id)
        .join(Project, Project.id == Dataset.project_id)
        .where(DatasetVersion.id == version_id, Project.owner == owner)
    )
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else (row[0], row[1])


async def versions(
    session: AsyncSession, dataset_ids: Collection[uuid.UUID]
) -> list[DatasetVersion]:
    """All versions of the given datasets, oldest first."""
    stmt = (
        sa.select(DatasetVersion)
        .where(DatasetVersion.dataset_id.in_(dataset_ids))
        .order_by(DatasetVersion.dataset_id, DatasetVersion.version)
    )
    return list(await session.scalars(stmt))


async def page(
    session: AsyncSession, owner: str, project_id: uuid.UUID | None, limit: int, offset: int
) -> tuple[list[Dataset], int]:
    """One page of the owner's datasets (optionally of one project), newest first."""
    stmt = _owned(owner)
    if project_id is not None:
        stmt = stmt.where(Dataset.project_id == project_id)
    total = await session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    ordered = stmt.order_by(Dataset.created_at.desc(), Dataset.id).limit(limit).offset(offset)
    return list(await session.scalars(ordered)), int(total or 0)


async def ids_in_project(session: AsyncSession, project_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = sa.select(Dataset.id).where(Dataset.project_id == project_id)
    return list(await session.scalars(stmt))


async def artifact_ids(
    session: AsyncSession, dataset_ids: Collection[uuid.UUID]
) -> list[uuid.UUID]:
    """The uploaded files of every version of these datasets."""
    stmt = sa.select(DatasetVersion.artifact_id).where(DatasetVersion.dataset_id.in_(dataset_ids))
    return list(await session.scalars(stmt))


async def delete(session: AsyncSession, dataset_ids: Collection[uuid.UUID]) -> None:
    """Delete datasets; versions (and models trained on them) follow by ON DELETE CASCADE."""
    if dataset_ids:
        await session.execute(sa.delete(Dataset).where(Dataset.id.in_(dataset_ids)))


__all__ = [
    "add_version",
    "artifact_ids",
    "create",
    "delete",
    "get",
    "get_version",
    "ids_in_project",
    "page",
    "versions",
]
