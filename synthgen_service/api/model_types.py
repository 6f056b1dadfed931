"""``/api/synthgen/model-types``: the architectures the library offers (plugins included)."""

from __future__ import annotations

import msgspec
from litestar import get

from synthgen_core.models.registry import model_types
from synthgen_service.api.responses import error_responses
from synthgen_service.schemas.models import ModelTypeRead, ModelTypes


@get(
    "/api/synthgen/model-types",
    operation_id="listModelTypes",
    tags=["models"],
    responses=error_responses("listModelTypes"),
)
async def list_model_types() -> ModelTypes:
    found = msgspec.convert(model_types(), list[ModelTypeRead], from_attributes=True)
    return ModelTypes(model_types=found)


__all__ = ["list_model_types"]
