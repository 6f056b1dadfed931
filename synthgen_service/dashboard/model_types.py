"""The model-types page: every type the registry offers, with its options and defaults.

The same list as ``GET /api/synthgen/model-types`` (plugins included), read from the
registry on each request; each option shows the default training would use, as the train
form fills it in, and what it does. Working out every type's options and defaults costs a
few registry look-ups per type (each scans the installed plugins), so the cards are kept
per set of type ids: a plugin installed or removed changes the set, and the page with it.
"""

from __future__ import annotations

from functools import lru_cache

import msgspec
from litestar import get
from litestar.response import Template

from synthgen_core.models.registry import ModelTypeInfo, model_types, validate_config
from synthgen_service.dashboard.options import API_ONLY, Option, form_options
from synthgen_service.dashboard.web import Viewer, page


class TypeCard(msgspec.Struct, kw_only=True):
    """One model type as the page shows it."""

    info: ModelTypeInfo
    options: list[Option]
    #: Options only the REST API takes (they have no text form).
    api_only: list[str]


def _card(info: ModelTypeInfo) -> TypeCard:
    return TypeCard(
        info=info,
        options=form_options(info.id),
        api_only=[name for name in validate_config(info.id, {}) if name in API_ONLY],
    )


@lru_cache(maxsize=4)
def _cards(ids: tuple[str, ...]) -> tuple[TypeCard, ...]:
    return tuple(_card(info) for info in model_types() if info.id in ids)


def type_cards() -> tuple[TypeCard, ...]:
    """Every model type the registry offers now, in its order."""
    return _cards(tuple(info.id for info in model_types()))


@get("/dashboard/model-types", include_in_schema=False)
async def model_types_page(viewer: Viewer) -> Template:
    return page("model_types.html", viewer, cards=type_cards())


__all__ = ["TypeCard", "model_types_page", "type_cards"]
