"""Dataset, dataset-version and upload bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec


class QualityIssue(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One data-quality finding; names columns, never quotes cell values."""

    kind: str
    message: str
    column: str | None = None


class Quality(msgspec.Struct, kw_only=True):
    overall_score: float
    issues: list[QualityIssue]


class ColumnRead(msgspec.Struct, kw_only=True):
    name: str
    kind: str


class UploadRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    dataset_id: uuid.UUID
    dataset_version_id: uuid.UUID
    artifact_id: uuid.UUID
    version: int
    row_count: int
    columns: list[ColumnRead]
    quality: Quality


class VersionSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    dataset_version_id: uuid.UUID
    version: int
    row_count: int
    filename: str
    created_at: datetime


class VersionRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    dataset_version_id: uuid.UUID
    dataset_id: uuid.UUID
    dataset_name: str
    project_id: uuid.UUID
    version: int
    row_count: int
    filename: str
    file_format: str
    artifact_id: uuid.UUID
    columns: list[ColumnRead]
    quality: Quality
    created_at: datetime
    #: Constraints every row of this version keeps, each with its evidence; pass the
    #: ``constraint`` of any of them in a model's ``config.constraints``.
    suggested_constraints: list[dict[str, Any]] = []


class DatasetRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    dataset_id: uuid.UUID
    project_id: uuid.UUID
    name: str
    description: str | None
    created_at: datetime
    versions: list[VersionSummary]


class DatasetDeleted(msgspec.Struct, kw_only=True):
    ok: bool
    dataset_id: uuid.UUID


__all__ = [
    "ColumnRead",
    "DatasetDeleted",
    "DatasetRead",
    "Quality",
    "QualityIssue",
    "UploadRead",
    "VersionRead",
    "VersionSummary",
]
