"""``/health`` (the process answers) and ``/ready`` (database and Redis answer); no key needed.

``/ready`` also counts the workers with a current heartbeat (:mod:`~synthgen_service.queue.
liveness`). None alive does not make an API process unready, since it still serves every
read and queues every job, but the body says that jobs will wait: ``workers: 0`` and a
``warning``. Monitor that field to alert on a deployment without workers.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import msgspec
from litestar import MediaType, Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from synthgen_service.queue.liveness import live_workers, no_worker_message
from synthgen_service.store.engine import ping

logger = logging.getLogger("synthgen_service")


class Health(msgspec.Struct, kw_only=True):
    status: str


class Readiness(msgspec.Struct, kw_only=True):
    """``status`` is ``ready`` or ``unavailable``; ``database``/``redis`` ``ok`` or not."""

    status: str
    database: str
    redis: str
    #: Workers with a current heartbeat on this deployment's queue (0 when Redis is down).
    workers: int
    #: Present when jobs cannot make progress although the API is ready (no worker alive).
    warning: str | None = None


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


async def _workers(state: State) -> int:
    try:
        return await live_workers(state.queue, state.settings.queue_name)
    except Exception as exc:  # Redis failed between the ping and the count: report none
        logger.warning("worker count unavailable: %s", type(exc).__name__)
        return 0


@get(
    "/ready",
    operation_id="ready",
    tags=["health"],
    responses={
        503: ResponseSpec(
            data_container=Readiness,
            description="The database or Redis does not answer; the body says which.",
        )
    },
)
async def ready(state: State) -> Response[Readiness]:
    """200 when the database and Redis both answer, else 503 saying which one does not."""
    database = await _check("database", ping(state.engine))
    redis = await _check("redis", state.queue.ping())
    workers = await _workers(state) if redis == "ok" else 0
    ok = database == redis == "ok"
    body = Readiness(
        status="ready" if ok else "unavailable",
        database=database,
        redis=redis,
        workers=workers,
        warning=None if workers or redis != "ok" else no_worker_message(state.settings.queue_name),
    )
    return Response(body, status_code=200 if ok else 503, media_type=MediaType.JSON)


__all__ = ["health", "ready"]
