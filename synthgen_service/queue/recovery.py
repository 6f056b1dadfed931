"""At-least-once delivery, reconciled against the database (the source of truth).

Two things can make a job silently stop moving, and one sweep repairs both. It runs when a
worker starts and then every ``recovery_every_s`` seconds as an arq cron job (arq runs each
tick once across all workers):

* **A worker died mid-job** (``kill -9``, OOM, lost host): the row stays ``running`` and its
  heartbeat goes stale. arq alone would re-run it only after the job timeout (hours), so
  the sweep fails it for good after ``max_tries`` runs, or sets it ``pending`` again and
  puts it straight back on the queue (dropping the dead run's in-progress marker).
* **Redis lost the queue** (restarted without persistence, key expired): a ``pending`` row
  has neither a queued job nor an in-progress marker; the sweep enqueues it again.

Both are safe to repeat: the claim in :mod:`lease` makes a duplicate delivery a no-op.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from arq.connections import ArqRedis
from arq.constants import (
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)

from synthgen_service.queue.enqueue import enqueue_generate, enqueue_train
from synthgen_service.queue.lease import lost_message
from synthgen_service.queue.runtime import Runtime, runtime
from synthgen_service.store import sweeps
from synthgen_service.store.status import JobStatus, JobType
from synthgen_service.store.sweeps import StaleJob
from synthgen_service.store.tables import utcnow

logger = logging.getLogger("synthgen.worker")

#: Pending jobs checked against Redis per sweep (the rest wait for the next one).
SWEEP_LIMIT = 1000


class Recovered(NamedTuple):
    """What one sweep did, by job id."""

    retried: list[uuid.UUID]
    failed: list[uuid.UUID]
    requeued: list[uuid.UUID]


async def recover(rt: Runtime, pool: ArqRedis, now: datetime | None = None) -> Recovered:
    """One sweep: stale ``running`` jobs, then ``pending`` jobs missing from Redis."""
    now = now or utcnow()
    retried, failed = await reclaim_stale(rt, pool, now)
    requeued = await requeue_missing(rt, pool, now)
    if retried or failed or requeued:
        logger.warning(
            "recovery: %d job(s) retried, %d failed, %d re-enqueued",
            len(retried),
            len(failed),
            len(requeued),
        )
    return Recovered(retried, failed, requeued)


async def recovery_cron(ctx: dict[str, Any]) -> str:
    """Arq cron job: run :func:`recover` with the worker's database and Redis."""
    found = await recover(runtime(ctx), ctx["redis"])
    return f"retried={len(found.retried)} failed={len(found.failed)} requeued={len(found.requeued)}"


async def reclaim_stale(
    rt: Runtime, pool: ArqRedis, now: datetime
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """Retry or fail ``running`` jobs whose heartbeat is older than ``stale_after_s``."""
    cutoff = now - timedelta(seconds=rt.options.stale_after_s)
    async with rt.sessions() as session:
        stale = await sweeps.stale_running(session, cutoff)
    retried: list[uuid.UUID] = []
    failed: list[uuid.UUID] = []
    for job in stale:
        outcome = await _settle(rt, job)
        if outcome == JobStatus.PENDING:
            await requeue(pool, job.id, JobType(job.job_type))
            retried.append(job.id)
        elif outcome is not None:
            await forget(pool, job.id)
            failed.append(job.id)
    return retried, failed


async def _settle(rt: Runtime, job: StaleJob) -> JobStatus | None:
    """Move one stale job on; ``None`` when another sweep (or the run itself) got there first."""
    if job.cancel_requested:
        status, error = JobStatus.CANCELLED, "cancelled (its worker had stopped)"
    elif job.attempts >= rt.options.max_tries:
        status, error = JobStatus.FAILED, lost_message(job.attempts)
    else:
        status, error = JobStatus.PENDING, None
    async with rt.sessions.begin() as session:
        settled = await sweeps.settle(session, job, status, error)
    return status if settled else None


async def requeue_missing(rt: Runtime, pool: ArqRedis, now: datetime) -> list[uuid.UUID]:
    """Enqueue ``pending`` jobs that Redis knows nothing about."""
    cutoff = now - timedelta(seconds=rt.options.pending_grace_s)
    async with rt.sessions() as session:
        pending = await sweeps.pending_since(session, cutoff, SWEEP_LIMIT)
    if not pending:
        return []
    async with pool.pipeline(transaction=False) as pipe:
        for job_id, _ in pending:
            pipe.exists(job_key_prefix + str(job_id), in_progress_key_prefix + str(job_id))
        known = await pipe.execute()
    requeued = []
    for (job_id, job_type), count in zip(pending, known, strict=True):
        if not count:
            await requeue(pool, job_id, job_type)
            requeued.append(job_id)
    return requeued


async def forget(pool: ArqRedis, job_id: uuid.UUID) -> None:
    """Drop everything arq remembers of a job (queue entry, payload, markers)."""
    key = str(job_id)
    async with pool.pipeline(transaction=True) as pipe:
        pipe.zrem(pool.default_queue_name, key)
        pipe.delete(
            job_key_prefix + key,
            in_progress_key_prefix + key,
            result_key_prefix + key,
            retry_key_prefix + key,
        )
        await pipe.execute()


async def requeue(pool: ArqRedis, job_id: uuid.UUID, job_type: JobType) -> None:
    """Put a job back on the queue from scratch, whatever arq still remembers of it."""
    await forget(pool, job_id)
    if job_type == JobType.TRAIN:
        await enqueue_train(pool, job_id)
    else:
        await enqueue_generate(pool, job_id)


__all__ = [
    "Recovered",
    "forget",
    "reclaim_stale",
    "recover",
    "recovery_cron",
    "requeue",
    "requeue_missing",
]
