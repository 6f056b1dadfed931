"""Synthesizer models, scoped to the owner of their project.

Reads return a :class:`ModelRow`: the model plus the dataset name and version number that the
API shows next to it, fetched in the same query.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.store.status import ModelStatus
from synthgen_service.store.tables import (
    Artifact,
    Dataset,
    DatasetVersion,
    Job,
    Model,
    Project,
)


class ModelRow(NamedTuple):
    model: Model
    dataset_id: uuid.UUID
    dataset_name: str
    dataset_version: int


class TrainSource(NamedTuple):
    """What a training job reads: the model's type and options, its data and metadata."""

    model_type: str
    options: dict[str, Any]
    table_metadata: dict[str, Any]
    #: The stored path of the dataset version's file.
    table_path: str


class GenerateSource(NamedTuple):
    """What a generate job reads: the model's state and file, its training data's file."""

    status: str
    #: The stored path of the model file (None until training completed).
    model_path: str | None
    table_metadata: dict[str, Any]
    table_path: str


async def create(
    session: AsyncSession,
    *,
    project_id: uuid.UUID,
    dataset_version_id: uuid.UUID,
    name: str,
    model_type: str,
    config: dict[str, Any],
) -> Model:
    row = Model(
        project_id=project_id,
        dataset_version_id=dataset_version_id,
        name=name,
        model_type=model_type,
        config=config,
        status=ModelStatus.PENDING,
    )
    session.add(row)
    await session.flush()
    return row


def _owned(owner: str) -> sa.Select[Model, uuid.UUID, str, int]:
    return (
        sa.select(Model, Dataset.id, Dataset.name, DatasetVersion.version)
        .join(DatasetVersion, DatasetVersion.id == Model.dataset_version_id)
        .join(Dataset, Dataset.id == DatasetVersion.dataset_id)
        .join(Project, Project.id == Model.project_id)
        .where(Project.owner == owner)
    )


async def get(session: AsyncSession, owner: str, model_id: uuid.UUID) -> ModelRow | None:
    row = (await session.execute(_owned(owner).where(Model.id == model_id))).one_or_none()
    return None if row is None else ModelRow(*row)


async def page(
    session: AsyncSession, owner: str, project_id: uuid.UUID | None, limit: int, offset: int
) -> tuple[list[ModelRow], int]:
    """One page of the owner's models (optionally of one project), newest first."""
    stmt = _owned(owner)
    if project_id is not None:
        stmt = stmt.where(Model.project_id == project_id)
    total = await session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    ordered = stmt.order_by(Model.created_at.desc(), Model.id).limit(limit).offset(offset)
    rows = (await session.execute(ordered)).all()
    return [ModelRow(*row) for row in rows], int(total or 0)


async def ids_where(
    session: AsyncSession,
    *,
    project_id: uuid.UUID | None = None,
    dataset_ids: Collection[uuid.UUID] = (),
) -> list[uuid.UUID]:
    """Ids of the models of a project, or of those trained on any version of some datasets."""
    stmt = sa.select(Model.id)
    if project_id is not None:
        stmt = stmt.where(Model.project_id == project_id)
    else:
        versions = sa.select(DatasetVersion.id).where(DatasetVersion.dataset_id.in_(dataset_ids))
        stmt = stmt.where(Model.dataset_version_id.in_(versions))
    return list(await session.scalars(stmt))


async def artifact_ids(session: AsyncSession, model_ids: Collection[uuid.UUID]) -> list[uuid.UUID]:
    """Model files and job outputs that belong to these models."""
    model_files = sa.select(Model.model_artifact_id).where(Model.id.in_(model_ids))
    outputs = sa.select(Job.output_artifact_id).where(Job.model_id.in_(model_ids))
    found = await session.scalars(sa.union_all(model_files, outputs))
    return [artifact_id for artifact_id in found if artifact_id is not None]


async def delete(session: AsyncSession, model_ids: Collection[uuid.UUID]) -> None:
    """Delete models; their jobs follow by ON DELETE CASCADE."""
    if model_ids:
        await session.execute(sa.delete(Model).where(Model.id.in_(model_ids)))


async def train_source(session: AsyncSession, model_id: uuid.UUID) -> TrainSource | None:
    """The model's type, options, dataset metadata and file (None: the model is gone)."""
    stmt = (
        sa.select(Model.model_type, Model.config, DatasetVersion.table_metadata, Artifact.path)
        .join(DatasetVersion, DatasetVersion.id == Model.dataset_version_id)
        .join(Artifact, Artifact.id == DatasetVersion.artifact_id)
        .where(Model.id == model_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else TrainSource(*row)


async def generate_source(session: AsyncSession, model_id: uuid.UUID) -> GenerateSource | None:
    """The model's status and file, its dataset's metadata and file (None: model gone)."""
    model_file, table_file = sa.orm.aliased(Artifact), sa.orm.aliased(Artifact)
    stmt = (
        sa.select(Model.status, model_file.path, DatasetVersion.table_metadata, table_file.path)
        .outerjoin(model_file, model_file.id == Model.model_artifact_id)
        .join(DatasetVersion, DatasetVersion.id == Model.dataset_version_id)
        .join(table_file, table_file.id == DatasetVersion.artifact_id)
        .where(Model.id == model_id)
    )
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else GenerateSource(*row)


__all__ = [
    "GenerateSource",
    "ModelRow",
    "TrainSource",
    "artifact_ids",
    "create",
    "delete",
    "generate_source",
    "get",
    "ids_where",
    "page",
    "train_source",
]
