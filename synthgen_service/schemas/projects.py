"""Project request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from synthgen_service.schemas.common import Description, Name


class ProjectCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None


class ProjectUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Fields left out (UNSET) keep their value; ``description: null`` clears it."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType | None = msgspec.UNSET


class ProjectRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    description: str | None
    created_at: datetime


class ProjectDeleted(msgspec.Struct, kw_only=True):
    ok: bool
    project_id: uuid.UUID


__all__ = ["ProjectCreate", "ProjectDeleted", "ProjectRead", "ProjectUpdate"]
