"""Putting jobs on the arq queue.

The arq job id *is* our job id (``_job_id``), so enqueueing twice is a no-op and the worker,
the database and Redis all talk about the same job. Payloads carry only the id.
"""

from __future__ import annotations

import uuid

from arq.connections import ArqRedis
from arq.constants import job_key_prefix

#: arq function names (the worker registers functions under exactly these names).
TRAIN_FUNCTION = "synthgen_train"
GENERATE_FUNCTION = "synthgen_generate"


async def enqueue_train(pool: ArqRedis, job_id: uuid.UUID) -> None:
    await pool.enqueue_job(TRAIN_FUNCTION, str(job_id), _job_id=str(job_id))


async def enqueue_generate(pool: ArqRedis, job_id: uuid.UUID) -> None:
    await pool.enqueue_job(GENERATE_FUNCTION, str(job_id), _job_id=str(job_id))


async def dequeue(pool: ArqRedis, job_ids: list[uuid.UUID]) -> None:
    """Drop jobs that no worker has started from the queue (cancel / delete of pending jobs).

    A worker that already popped one still finds the job cancelled in the database and stops.
    """
    if not job_ids:
        return
    ids = [str(job_id) for job_id in job_ids]
    async with pool.pipeline(transaction=True) as pipe:
        pipe.zrem(pool.default_queue_name, *ids)
        pipe.delete(*(job_key_prefix + job_id for job_id in ids))
        await pipe.execute()


__all__ = ["GENERATE_FUNCTION", "TRAIN_FUNCTION", "dequeue", "enqueue_generate", "enqueue_train"]
