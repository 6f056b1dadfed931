"""Artifact rows: who owns a file, what it is and where (relative to the data dir) it lives."""

from __future__ import annotations

import uuid
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.store.tables import Artifact


async def add(
    session: AsyncSession,
    *,
    artifact_id: uuid.UUID,
    owner: str,
    kind: str,
    path: str,
    size: int,
    content_type: str,
) -> Artifact:
    row = Artifact(
        id=artifact_id, owner=owner, kind=kind, path=path, size=size, content_type=content_type
    )
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, owner: str, artifact_id: uuid.UUID) -> Artifact | None:
    stmt = sa.select(Artifact).where(Artifact.id == artifact_id, Artifact.owner == owner)
    return (await session.scalars(stmt)).one_or_none()


async def delete(session: AsyncSession, artifact_ids: Collection[uuid.UUID]) -> None:
    """Delete the rows (the caller removes the files after the commit)."""
    if artifact_ids:
        await session.execute(sa.delete(Artifact).where(Artifact.id.in_(artifact_ids)))


__all__ = ["add", "delete", "get"]
