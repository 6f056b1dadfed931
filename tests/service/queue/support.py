"""Helpers for the queue tests: real Redis, real database, real arq workers.

Burst workers (``drain``) run every queued job in this event loop and return; a
``background`` worker keeps polling while a test cancels or kills things under it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from synthgen_service.queue import connect
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.worker import build_worker, stop_worker
from synthgen_service.settings import Settings
from synthgen_service.store.tables import Artifact, Job, Model


async def drain(settings: Settings, options: WorkerOptions) -> Worker:
    """Run a burst worker until the queue is empty."""
    worker = build_worker(settings, options, burst=True, handle_signals=False)
    try:
        await worker.async_run()
    finally:
        await worker.close()
    return worker


@asynccontextmanager
async def background(settings: Settings, options: WorkerOptions) -> AsyncIterator[Worker]:
    """A long-running worker (with the recovery cron) for the duration of the block."""
    worker = build_worker(settings, options, handle_signals=False)
    task = asyncio.create_task(worker.async_run())
    try:
        yield worker
    finally:
        await stop_worker(worker, task)  # as the embedded worker stops: a SIGTERM-style stop


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    """Poll ``check`` until it returns something truthy (workers run on their own clock)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last: {value!r})")
        await asyncio.sleep(0.05)


class Rows:
    """Direct reads and writes of job/model rows, as a worker or an operator would see them."""

    def __init__(self, app: Litestar) -> None:
        self.sessions: async_sessionmaker[AsyncSession] = app.state.sessions

    async def job(self, job_id: str | uuid.UUID) -> Job | None:
        async with self.sessions() as session:
            return await session.get(Job, uuid.UUID(str(job_id)))

    async def model(self, model_id: str | uuid.UUID) -> Model | None:
        async with self.sessions() as session:
            return await session.get(Model, uuid.UUID(str(model_id)))

    async def artifacts(self) -> list[Artifact]:
        async with self.sessions() as session:
            return list(await session.scalars(sa.select(Artifact)))

    async def artifacts_of_kind(self, kind: str) -> list[Artifact]:
        return [artifact for artifact in await self.artifacts() if artifact.kind == kind]

    async def pool(self, settings: Settings) -> ArqRedis:
        assert settings.redis_url is not None
        return await connect(RedisSettings.from_dsn(settings.redis_url), settings.queue_name)

    async def update_job(self, job_id: str | uuid.UUID, **values: Any) -> None:
        await self._update(Job, job_id, values)

    async def update_model(self, model_id: str | uuid.UUID, **values: Any) -> None:
        await self._update(Model, model_id, values)

    async def _update(self, table: Any, row_id: str | uuid.UUID, values: dict[str, Any]) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                sa.update(table).where(table.id == uuid.UUID(str(row_id))).values(**values)
            )


async def copula_model(api: Any, **config: Any) -> dict[str, Any]:
    """A project, a dataset and a queued gaussian_copula model."""
    project_id = await api.project()
    dataset = await api.dataset(project_id)
    model = await api.model(
        project_id,
        dataset["dataset_version_id"],
        model_type="gaussian_copula",
        config={"seed": 0, **config},
    )
    return {"project_id": project_id, **dataset, **model}


async def generate(api: Any, model_id: str, **body: Any) -> str:
    response = await api.post(f"/api/synthgen/models/{model_id}/generate", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["synthgen_job_id"])
