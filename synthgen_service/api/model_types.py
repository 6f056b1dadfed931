"""``/api/synthgen/model-types``: the architectures the library offers (plugins included)."""

from __future__ import annotations

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
    found = [
        ModelTypeRead(
            id=info.id,
            name=info.name,
            description=info.description,
            speed=info.speed,
            quality=info.quality,
            best_for=info.best_for,
            config_schema=info.config_schema,
        )
        for info in model_types()
    ]
    return ModelTypes(model_types=found)


__all__ = ["list_model_types"]
