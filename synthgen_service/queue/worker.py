"""The arq worker: the two SynthGen tasks, the recovery cron, start-up and shutdown.

One definition serves every way a worker runs: ``synthgen worker`` (a process of its own),
the embedded worker inside ``synthgen serve`` and the burst workers of the tests. Start-up
opens the database, sizes torch's thread pool for this process's CPU share, runs a
recovery sweep and starts the worker's heartbeat (:mod:`liveness`) before taking jobs.
Payloads go through the msgspec serializer (no pickle).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq import cron, func
from arq.connections import ArqRedis, RedisSettings
from arq.cron import CronJob
from arq.worker import Function, Worker
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from synthgen_service.queue.enqueue import GENERATE_FUNCTION, TRAIN_FUNCTION
from synthgen_service.queue.generate import synthgen_generate
from synthgen_service.queue.liveness import Heartbeat
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.recovery import recover, recovery_cron
from synthgen_service.queue.runtime import CTX_KEY, Runtime, configure_torch, runtime
from synthgen_service.queue.serialization import job_deserializer, job_serializer
from synthgen_service.queue.train import synthgen_train
from synthgen_service.settings import Settings

logger = logging.getLogger("synthgen.worker")

#: Where the worker's context keeps its :class:`Heartbeat`.
HEARTBEAT_KEY = "synthgen_heartbeat"


def functions(options: WorkerOptions) -> list[Function]:
    """The two tasks, with arq's own retry limit one above ours.

    So our claim is what fails a job that was lost too often (with a message a user can
    read), never arq giving up silently.
    """
    return [
        func(
            synthgen_train,
            name=TRAIN_FUNCTION,
            timeout=options.job_timeout_s,
            max_tries=options.max_tries + 1,
        ),
        func(
            synthgen_generate,
            name=GENERATE_FUNCTION,
            timeout=options.job_timeout_s,
            max_tries=options.max_tries + 1,
        ),
    ]


def cron_jobs(options: WorkerOptions) -> list[CronJob]:
    """The recovery sweep every ``recovery_every_s`` seconds (arq cron has 1 s resolution)."""
    every = options.recovery_every_s
    if every < 60:
        return [cron(recovery_cron, second=set(range(0, 60, every)), timeout=300)]
    minutes = max(1, every // 60)
    return [cron(recovery_cron, minute=set(range(0, 60, minutes)), second=0, timeout=300)]


def redis_settings(url: str) -> RedisSettings:
    """``url`` with retries, so a Redis restart is survived instead of ending the worker."""
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 30
    settings.retry_on_error = [RedisConnectionError, RedisTimeoutError]
    settings.retry = Retry(ExponentialBackoff(cap=2.0, base=0.1), retries=20)
    return settings


def worker_kwargs(settings: Settings, options: WorkerOptions) -> dict[str, Any]:
    """Keyword arguments for :class:`arq.worker.Worker` (add ``redis_settings``/``redis_pool``)."""

    async def startup(ctx: dict[str, Any]) -> None:
        await asyncio.to_thread(configure_torch, options)  # importing torch takes seconds
        ctx[CTX_KEY] = rt = await Runtime.open(settings, options)
        await recover(rt, ctx["redis"])
        ctx[HEARTBEAT_KEY] = heartbeat = Heartbeat(ctx["redis"], settings.queue_name)
        await heartbeat.start()  # from here on /ready counts this worker

    async def shutdown(ctx: dict[str, Any]) -> None:
        if HEARTBEAT_KEY in ctx:
            await ctx[HEARTBEAT_KEY].stop()
        if CTX_KEY in ctx:
            await runtime(ctx).close()

    return {
        "functions": functions(options),
        "cron_jobs": cron_jobs(options),
        "queue_name": settings.queue_name,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_jobs": options.max_jobs,
        "job_timeout": options.job_timeout_s,
        "max_tries": options.max_tries + 1,
        "keep_result": 3600,
        "poll_delay": 0.2,
        "job_serializer": job_serializer,
        "job_deserializer": job_deserializer,
    }


def build_worker(
    settings: Settings,
    options: WorkerOptions | None = None,
    *,
    redis: RedisSettings | None = None,
    redis_pool: ArqRedis | None = None,
    burst: bool = False,
    handle_signals: bool = True,
) -> Worker:
    """A worker for ``settings`` (its Redis from ``settings.redis_url`` unless given)."""
    options = options or WorkerOptions()
    if redis is None and redis_pool is None:
        if settings.redis_url is None:
            raise ValueError("settings.redis_url is None: a separate worker needs a Redis URL")
        redis = redis_settings(settings.redis_url)
    kwargs = worker_kwargs(settings, options)
    if burst:  # a burst worker ends when the queue is empty; a scheduled sweep would keep it busy
        kwargs["cron_jobs"] = None
    return Worker(
        **kwargs,
        redis_settings=redis,
        redis_pool=redis_pool,
        burst=burst,
        handle_signals=handle_signals,
    )


async def stop_worker(worker: Worker, task: asyncio.Task[None]) -> None:
    """Stop a worker that ``task`` runs (``worker.async_run()``) in this event loop.

    It takes no new job, its running jobs are cancelled (they go back to ``pending`` and
    run again on the next start) and its connections close. arq's ``close`` would cancel
    the jobs itself and gather them without ``return_exceptions``: a job cancelled while
    arq still records its result (shielded) re-raises ``CancelledError`` out of ``close``,
    before the pool is closed, and the connection leaks. So the jobs end here first.
    """
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    jobs = list(worker.tasks.values())
    for job in jobs:
        job.cancel()
    await asyncio.gather(*jobs, return_exceptions=True)
    worker.tasks.clear()
    await worker.close()


__all__ = [
    "build_worker",
    "cron_jobs",
    "functions",
    "redis_settings",
    "stop_worker",
    "worker_kwargs",
]
