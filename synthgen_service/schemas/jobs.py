"""Job bodies (``/api/synthgen/jobs``), field names exactly as in the API spec."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from synthgen_service.store.status import JobStatus, JobType


class JobSummary(msgspec.Struct, kw_only=True):
    """A job as listed inside a model's detail."""

    id: uuid.UUID
    job_type: JobType
    status: JobStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None


class JobListItem(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    model_id: uuid.UUID
    model_name: str
    model_type: str
    job_type: JobType
    status: JobStatus
    config: dict[str, Any]
    created_at: datetime
    project_id: uuid.UUID
    progress: dict[str, Any] | None
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None


class JobRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    model_id: uuid.UUID
    model_name: str
    model_type: str
    project_name: str
    job_type: JobType
    status: JobStatus
    config: dict[str, Any]
    output_artifact_id: uuid.UUID | None
    created_at: datetime
    project_id: uuid.UUID
    progress: dict[str, Any] | None
    error: str | None
    report: dict[str, Any] | None
    attempts: int
    cancel_requested: bool
    started_at: datetime | None
    finished_at: datetime | None
    #: Why a ``pending`` job does not start, e.g. no worker is alive; else null.
    status_detail: str | None = None


__all__ = ["JobListItem", "JobRead", "JobSummary"]
