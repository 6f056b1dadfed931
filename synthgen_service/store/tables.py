"""The relational schema: one SQLAlchemy 2 table class per stored noun.

Portable between SQLite and PostgreSQL: UUIDs use ``sa.Uuid``, JSON uses ``sa.JSON`` and times
go through :class:`UTCDateTime`, which stores naive UTC (SQLite has no time zones) and always
hands back aware UTC datetimes. The Alembic revision in ``migrations/`` mirrors this file.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database (same on SQLite and Postgres)."""

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON()}


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(sa.Uuid(), primary_key=True, default=uuid.uuid4)


def _created() -> Mapped[datetime]:
    return mapped_column(default=utcnow, nullable=False)


def _fk(target: str, *, nullable: bool = False) -> Mapped[Any]:
    return mapped_column(
        sa.Uuid(), sa.ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=True
    )


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[uuid.UUID] = _id()
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    owner: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)
    created_at: Mapped[datetime] = _created()
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Artifact(Base):
    __tablename__ = "artifacts"
    id: Mapped[uuid.UUID] = _id()
    owner: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    path: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    size: Mapped[int] = mapped_column(sa.BigInteger(), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    created_at: Mapped[datetime] = _created()


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[uuid.UUID] = _id()
    owner: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    created_at: Mapped[datetime] = _created()


class Dataset(Base):
    __tablename__ = "datasets"
    id: Mapped[uuid.UUID] = _id()
    project_id: Mapped[uuid.UUID] = _fk("projects.id")
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    created_at: Mapped[datetime] = _created()


class DatasetVersion(Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "version"),)
    id: Mapped[uuid.UUID] = _id()
    dataset_id: Mapped[uuid.UUID] = _fk("datasets.id")
    version: Mapped[int] = mapped_column(nullable=False)
    filename: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    file_format: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    row_count: Mapped[int] = mapped_column(sa.BigInteger(), nullable=False)
    columns: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON(), nullable=False)
    table_metadata: Mapped[dict[str, Any]] = mapped_column(nullable=False)
    quality: Mapped[dict[str, Any]] = mapped_column(nullable=False)
    #: Constraints detected at upload (JSON list); null for versions uploaded before.
    suggested_constraints: Mapped[list[dict[str, Any]] | None] = mapped_column(
        sa.JSON(), nullable=True
    )
    artifact_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid(), nullable=False)
    created_at: Mapped[datetime] = _created()


class Model(Base):
    __tablename__ = "models"
    id: Mapped[uuid.UUID] = _id()
    project_id: Mapped[uuid.UUID] = _fk("projects.id")
    dataset_version_id: Mapped[uuid.UUID] = _fk("dataset_versions.id")
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    model_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    config: Mapped[dict[str, Any]] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(sa.String(32), nullable=False, index=True)
    error: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    progress: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    model_artifact_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    #: The metadata the trained model holds (what its ``sample`` checks conditions against);
    #: null until training completes, and for models trained before it was kept.
    learned_metadata: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[uuid.UUID] = _id()
    model_id: Mapped[uuid.UUID] = _fk("models.id")
    project_id: Mapped[uuid.UUID] = _fk("projects.id")
    job_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, index=True)
    config: Mapped[dict[str, Any]] = mapped_column(nullable=False)
    progress: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    error: Mapped[str | None] = mapped_column(sa.Text(), nullable=True)
    output_artifact_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid(), nullable=True)
    report: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    cancel_requested: Mapped[bool] = mapped_column(default=False, nullable=False)
    created_at: Mapped[datetime] = _created()
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(nullable=True)


__all__ = [
    "ApiKey",
    "Artifact",
    "Base",
    "Dataset",
    "DatasetVersion",
    "Job",
    "Model",
    "Project",
    "UTCDateTime",
    "utcnow",
]
