"""``synthgen worker``: a worker process taking jobs from the Redis at ``settings.redis_url``.

Run as many as the hardware allows, on as many hosts as share the database and Redis; each
one also takes part in the recovery sweep, so a worker that dies is covered by the others.
Stop it with SIGTERM/SIGINT: running jobs are handed back and re-run by another worker.
"""

from __future__ import annotations

import asyncio
import logging

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.worker import build_worker
from synthgen_service.settings import Settings


def run_worker(settings: Settings, options: WorkerOptions | None = None) -> None:
    """Run until signalled; ``options`` default to the ``SYNTHGEN_WORKER_*`` environment."""
    if settings.redis_url is None:
        raise SystemExit(
            "synthgen worker needs SYNTHGEN_REDIS_URL (the embedded queue runs inside "
            "`synthgen serve`, which needs no separate worker)"
        )
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.set_event_loop(asyncio.new_event_loop())
    worker = build_worker(settings, options or WorkerOptions.from_env())
    worker.run()


__all__ = ["run_worker"]
