"""``/health`` (the process answers) and ``/ready`` (database and Redis answer); no key needed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import msgspec
from litestar import MediaType, Response, get
from litestar.datastructures import State

from synthgen_service.store.engine import ping

logger = logging.getLogger("synthgen_service")


class Health(msgspec.Struct, kw_only=True):
    status: str


class Readiness(msgspec.Struct, kw_only=True):
    status: str
    database: str
    redis: str


@get("/health", operation_id="health", tags=["health"])
async def health() -> Health:
    return Health(status="ok")


async def _check(name: str, probe: Awaitable[object]) -> str:
    """'ok', or 'unavailable' (logged) — readiness reports, it does not raise."""
    try:
        await probe
    except Exception as exc:  # any failure means "not ready"; the reason goes to the log
        logger.warning("%s not ready: %s", name, type(exc).__name__)
        return "unavailable"
    return "ok"


@get("/ready", operation_id="ready", tags=["health"])
async def ready(state: State) -> Response[Readiness]:
    """200 when the database and Redis both answer, else 503 saying which one does not."""
    database = await _check("database", ping(state.engine))
    redis = await _check("redis", state.queue.ping())
    ok = database == redis == "ok"
    body = Readiness(status="ready" if ok else "unavailable", database=database, redis=redis)
    return Response(body, status_code=200 if ok else 503, media_type=MediaType.JSON)


__all__ = ["health", "ready"]
