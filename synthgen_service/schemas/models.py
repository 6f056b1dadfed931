"""SynthGen model bodies (``/api/synthgen/models``), field names exactly as in the API spec."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from synthgen_service.schemas.common import Name
from synthgen_service.schemas.jobs import JobSummary
from synthgen_service.store.payloads import DEFAULT_ROWS
from synthgen_service.store.status import JobStatus, ModelStatus

ModelTypeId = Annotated[
    str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
]


class ModelCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    project_id: uuid.UUID
    dataset_version_id: uuid.UUID
    name: Name
    model_type: ModelTypeId = "ctgan"
    config: dict[str, Any] = msgspec.field(default_factory=dict)


class ModelCreated(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    model_id: uuid.UUID
    job_id: uuid.UUID
    status: JobStatus


class ModelListItem(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    model_type: str
    status: ModelStatus
    dataset_name: str
    dataset_version: int
    created_at: datetime
    project_id: uuid.UUID
    dataset_id: uuid.UUID
    dataset_version_id: uuid.UUID


class ModelRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    model_type: str
    status: ModelStatus
    config: dict[str, Any]
    dataset_name: str
    dataset_version: int
    dataset_id: uuid.UUID
    created_at: datetime
    project_id: uuid.UUID
    dataset_version_id: uuid.UUID
    error: str | None
    progress: dict[str, Any] | None
    updated_at: datetime
    #: Why a ``pending`` model does not start training, e.g. no worker is alive; else null.
    status_detail: str | None = None


class ModelDetail(msgspec.Struct, kw_only=True):
    model: ModelRead
    jobs: list[JobSummary]


#: Litestar leaves a bound of 0 out of the OpenAPI document (it tests bounds for truth), so
#: ``minimum: 0`` is also given as an extra schema property, which it copies as it is.
_SEED_META = msgspec.Meta(
    ge=0,
    le=2**63 - 1,
    description="Random seed (0 .. 2**63 - 1); the same seed gives the same rows.",
    extra_json_schema={"extra": {"minimum": 0}},
)
RowCount = Annotated[
    int, msgspec.Meta(ge=1, description="Rows to generate (a JSON integer, at least 1).")
]
Seed = Annotated[int, _SEED_META]


Conditions = Annotated[
    dict[str, Any],
    msgspec.Meta(
        description=(
            'Column -> value every generated row holds ({"plan": "pro"}); a numerical '
            "or datetime column also takes an inclusive range, an object with min and/or "
            'max ({"age": {"min": 30, "max": 40}}).'
        )
    ),
]


class GenerateRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Every field is optional; the service refuses ``num_rows`` above its limit with 422."""

    num_rows: RowCount = DEFAULT_ROWS
    seed: Seed | None = None
    conditions: Conditions | None = None


class GenerateCreated(msgspec.Struct, kw_only=True):
    job_id: uuid.UUID
    synthgen_job_id: uuid.UUID
    status: JobStatus


class ModelDeleted(msgspec.Struct, kw_only=True):
    ok: bool
    model_id: uuid.UUID


class ModelTypeRead(msgspec.Struct, kw_only=True):
    id: str
    name: str
    description: str
    speed: str
    quality: str
    best_for: str
    config_schema: dict[str, Any]


class ModelTypes(msgspec.Struct, kw_only=True):
    model_types: list[ModelTypeRead]


__all__ = [
    "GenerateCreated",
    "GenerateRequest",
    "ModelCreate",
    "ModelCreated",
    "ModelDeleted",
    "ModelDetail",
    "ModelListItem",
    "ModelRead",
    "ModelTypeRead",
    "ModelTypes",
]
