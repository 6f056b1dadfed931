"""What every task needs, built once per worker process and kept in arq's ``ctx``.

The database engine and the artifact store are opened at worker start-up (not per job),
and tasks reach them through :func:`runtime` so a task function stays ``(ctx, job_id)``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from synthgen_service.artifacts import ArtifactStore, open_artifact_store
from synthgen_service.queue.checkpoints import Checkpoints
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from synthgen_service.store.engine import create_engine, migrate, session_factory

logger = logging.getLogger("synthgen.worker")

#: Key of the :class:`Runtime` in arq's worker context.
CTX_KEY = "synthgen"


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    options: WorkerOptions
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    files: ArtifactStore
    #: The worker's scratch files (training checkpoints), not artifacts.
    checkpoints: Checkpoints

    @classmethod
    async def open(cls, settings: Settings, options: WorkerOptions) -> Runtime:
        """Connect to the database (bringing its schema up to date) and the artifact store."""
        engine = create_engine(settings)
        await migrate(engine)
        files, checkpoints = open_artifact_store(settings), Checkpoints(settings.data_dir)
        return cls(settings, options, engine, session_factory(engine), files, checkpoints)

    async def close(self) -> None:
        await self.engine.dispose()


def runtime(ctx: dict[str, Any]) -> Runtime:
    rt = ctx[CTX_KEY]
    if not isinstance(rt, Runtime):
        raise TypeError("the worker context holds no synthgen Runtime; was startup skipped?")
    return rt


def cpu_share() -> int:
    """CPUs this process may run on (cgroup/affinity aware, unlike ``os.cpu_count``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def configure_torch(options: WorkerOptions) -> None:
    """Size torch's thread pool so ``max_jobs`` concurrent jobs do not oversubscribe the CPUs."""
    import torch

    threads = options.torch_threads or max(1, cpu_share() // options.max_jobs)
    torch.set_num_threads(threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    logger.info("worker: %d torch threads per job pool, default device %s", threads, device)


__all__ = ["CTX_KEY", "Runtime", "configure_torch", "cpu_share", "runtime"]
