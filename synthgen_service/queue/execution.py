"""The frame every task runs in: claim -> monitor -> body -> record how it ended.

A task body (:mod:`train`, :mod:`generate`) only does its own load -> fit/sample -> write
-> mark steps and checks ``monitor.stopped`` between them; this module turns everything
else into job states: errors into ``failed`` with a message a user can act on, a cancel into
``cancelled``, a vanished job into a quiet no-op, and a worker shutdown into ``pending``
again (arq re-runs the job; the attempt counter bounds how often).
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from synthgen_core.errors import SynthGenError
from synthgen_service.queue import lease as leases
from synthgen_service.queue.lease import Lease
from synthgen_service.queue.progress import Monitor, StopReason
from synthgen_service.queue.runtime import Runtime, runtime
from synthgen_service.store.status import JobStatus

logger = logging.getLogger("synthgen.worker")

Body = Callable[[Runtime, Lease, Monitor], Awaitable[str]]


async def execute(ctx: dict[str, Any], job_id: str, body: Body) -> str:
    """Run ``body`` for the job; returns a one-word outcome (arq keeps it as the result)."""
    started = time.monotonic()  # arq's time limit runs from (just before) here
    rt = runtime(ctx)
    lease = await leases.claim(rt, uuid.UUID(job_id))
    if lease is None:
        return "skipped"
    async with Monitor(rt, lease) as monitor:
        try:
            return await body(rt, lease, monitor)
        except asyncio.CancelledError:
            monitor.stop(StopReason.SHUTDOWN)
            await asyncio.shield(_interrupted(rt, lease, time.monotonic() - started))
            raise
        except Exception as exc:
            _log_failure(lease, exc)
            await monitor.beat()
            await leases.end(
                rt, lease, JobStatus.FAILED, leases.error_message(exc, rt.settings.data_dir)
            )
            return "failed"


async def stopped(rt: Runtime, lease: Lease, monitor: Monitor, what: str) -> str:
    """Record why a body stopped early (``what``: "training", "generation")."""
    await monitor.beat()  # flush the last progress (the epoch or chunk it stopped after)
    if monitor.reason == StopReason.CANCELLED:
        await leases.end(rt, lease, JobStatus.CANCELLED, f"{what} was cancelled")
        return "cancelled"
    logger.info("job %s: its row is gone or was taken over; stopping quietly", lease.job_id)
    return "gone"


async def finished(rt: Runtime, lease: Lease, monitor: Monitor, what: str, done: bool) -> str:
    """Outcome after :func:`lease.complete`; a refused completion means cancel or gone."""
    if done:
        return "completed"
    await monitor.beat()  # learn whether it was a cancel or a lost lease
    if monitor.reason is None:
        monitor.stop(StopReason.CANCELLED)
    return await stopped(rt, lease, monitor, what)


async def _interrupted(rt: Runtime, lease: Lease, elapsed: float) -> None:
    limit = rt.options.job_timeout_s
    if elapsed >= limit - max(0.01 * limit, 0.25):  # arq cancelled us: it was the time limit
        message = (
            f"the job ran longer than the worker's limit of {limit:g} s; "
            "use fewer epochs or rows, or raise SYNTHGEN_WORKER_JOB_TIMEOUT_S"
        )
        await leases.end(rt, lease, JobStatus.FAILED, message)
    else:
        logger.info("job %s interrupted by worker shutdown; handed back", lease.job_id)
        await leases.release(rt, lease)


def _log_failure(lease: Lease, exc: Exception) -> None:
    if isinstance(exc, SynthGenError):
        logger.info("job %s failed: %s", lease.job_id, type(exc).__name__)
        return
    # The traceback without the exception's message: messages may quote cell values.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("job %s failed with %s\n%s", lease.job_id, type(exc).__name__, frames)


__all__ = ["Body", "execute", "finished", "stopped"]
