"""The job queue: arq on Redis (an external one, or the embedded one).

``QueueFactory`` is how the app gets its arq pool: ``create_app(settings, queue=...)`` takes any
callable that turns settings into an async context manager yielding an ``ArqRedis``.
:func:`redis_queue` connects to ``settings.redis_url``; the embedded Redis provides another.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from arq.connections import ArqRedis, RedisSettings, create_pool

from synthgen_service.queue.serialization import job_deserializer, job_serializer
from synthgen_service.settings import Settings

QueueFactory = Callable[[Settings], AbstractAsyncContextManager[ArqRedis]]


async def connect(redis_settings: RedisSettings, queue_name: str) -> ArqRedis:
    """An arq pool using our serializer and queue name."""
    return await create_pool(
        redis_settings,
        job_serializer=job_serializer,
        job_deserializer=job_deserializer,
        default_queue_name=queue_name,
    )


@asynccontextmanager
async def redis_queue(settings: Settings) -> AsyncIterator[ArqRedis]:
    """The pool for ``settings.redis_url`` (an external Redis), closed on exit."""
    if settings.redis_url is None:
        raise ValueError("redis_queue needs settings.redis_url; use the embedded queue instead")
    pool = await connect(RedisSettings.from_dsn(settings.redis_url), settings.queue_name)
    try:
        yield pool
    finally:
        await pool.aclose()


__all__ = ["QueueFactory", "connect", "redis_queue"]
