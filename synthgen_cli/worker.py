"""``synthgen worker``: a worker process taking jobs from the Redis at ``settings.redis_url``.

Run as many as the hardware allows, on as many hosts as share the database and Redis; each
one also takes part in the recovery sweep, so a worker that dies is covered by the others.
Stop it with SIGTERM/SIGINT: running jobs are handed back and re-run by another worker.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.worker import build_worker, stop_worker
from synthgen_service.settings import Settings

logger = logging.getLogger("synthgen.worker")


def run_worker(settings: Settings, options: WorkerOptions | None = None) -> None:
    """Run until signalled; ``options`` default to the ``SYNTHGEN_WORKER_*`` environment."""
    if settings.redis_url is None:
        raise SystemExit(
            "synthgen worker needs SYNTHGEN_REDIS_URL (the embedded queue runs inside "
            "`synthgen serve`, which needs no separate worker)"
        )
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(_serve(settings, options or WorkerOptions.from_env()))


async def _serve(settings: Settings, options: WorkerOptions) -> None:
    """Take jobs until SIGTERM/SIGINT, then stop as the embedded worker does.

    arq's own ``Worker.run`` stops through its ``close``, which can re-raise a cancel and
    leave its pool open (see :func:`stop_worker`); the signals only end the polling here.
    """
    worker = build_worker(settings, options, handle_signals=False)
    task = asyncio.create_task(worker.async_run())
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        logger.info("worker stopping on a signal; running jobs go back to pending")
    finally:
        await stop_worker(worker, task)


__all__ = ["run_worker"]
