"""Fixtures for the service tests: a real app on SQLite (or PostgreSQL) and the real Redis.

Set ``SYNTHGEN_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test`` to run the
same suite on PostgreSQL; each test then gets a fresh schema, dropped afterwards. Each test
gets its own data dir and its own arq queue name, so tests never see each other's jobs.
No worker runs here: jobs stay pending unless a test moves them on through the store.
"""

from __future__ import annotations

import asyncio
import io
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from litestar import Litestar
from sqlalchemy.ext.asyncio import create_async_engine

from synthgen_service.app import create_app
from synthgen_service.artifacts import ArtifactKey, ArtifactStore
from synthgen_service.settings import Settings
from synthgen_service.store import artifacts, keys
from synthgen_service.store.status import ArtifactKind
from synthgen_service.store.tables import Base, Job, Model

DATABASE_URL = os.environ.get("SYNTHGEN_TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("SYNTHGEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
UPLOAD_LIMIT = 256 * 1024


def sample_frame(rows: int = 60, seed: int = 0) -> pd.DataFrame:
    """A small mixed table: numbers, categories (one non-ASCII), booleans, dates."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, rows),
            "city": rng.choice(["Zürich", "Paris", "Oslo"], rows),
            "income": rng.normal(50_000, 12_000, rows).round(2),
            "member": rng.choice([True, False], rows),
        }
    )


def csv_bytes(frame: pd.DataFrame, sep: str = ",", encoding: str = "utf-8") -> bytes:
    return frame.to_csv(index=False, sep=sep).encode(encoding)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@pytest.fixture
def serve() -> Any:
    return serving


class Tables:
    """Test tables and their encodings, handed to tests by the ``tables`` fixture."""

    frame = staticmethod(sample_frame)
    csv = staticmethod(csv_bytes)
    parquet = staticmethod(parquet_bytes)


@pytest.fixture
def tables() -> type[Tables]:
    return Tables


async def _execute(url: str, *statements: str, schema: str | None = None) -> None:
    args = {"server_settings": {"search_path": schema}} if schema else {}
    engine = create_async_engine(url, connect_args=args)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(sa.text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    """One fresh PostgreSQL schema for the session (migrated by the first app), then dropped."""
    if DATABASE_URL is None or not DATABASE_URL.startswith("postgresql"):
        yield None
        return
    schema = f"t_{uuid.uuid4().hex}"
    asyncio.run(_execute(DATABASE_URL, f'CREATE SCHEMA "{schema}"'))
    yield schema
    asyncio.run(_execute(DATABASE_URL, f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
async def db_schema(pg_schema: str | None) -> str | None:
    """The session's schema, emptied before each test (SQLite tests get a new file instead)."""
    if pg_schema is not None and DATABASE_URL is not None:
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        await _execute(
            DATABASE_URL,
            f"DO $$ BEGIN IF to_regclass('{pg_schema}.alembic_version') IS NOT NULL THEN "
            f"EXECUTE 'TRUNCATE {tables.replace(chr(39), chr(39) * 2)} CASCADE'; END IF; END $$",
            schema=pg_schema,
        )
    return pg_schema


@pytest.fixture
def settings(tmp_path: Path, db_schema: str | None) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=DATABASE_URL,
        database_schema=db_schema,
        redis_url=REDIS_URL,
        queue_name=f"synthgen-test:{uuid.uuid4().hex}",
        max_upload_bytes=UPLOAD_LIMIT,
        max_generate_rows=5000,
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running in *this* event loop, so tests may use its state.

    Litestar's AsyncTestClient runs the lifespan in a portal thread with another loop, out
    of the tests' reach; and pytest-asyncio tears fixtures down in another task, which anyio
    cancel scopes refuse. So the lifespan gets a task of its own, stopped by an event.
    """
    started, stop = asyncio.Event(), asyncio.Event()

    async def run_lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(run_lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # raises the startup error
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local"
        ) as http:
            yield http
    finally:
        stop.set()
        await task


@pytest.fixture
async def client(app: Litestar, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app) as test_client:
        yield test_client
        pool = app.state.queue
        job_ids = await pool.zrange(settings.queue_name, 0, -1)
        for job_id in job_ids:
            await pool.delete(b"arq:job:" + job_id)
        await pool.delete(settings.queue_name)


class Api:
    """One caller: the test client plus that caller's API key, with workflow shortcuts."""

    def __init__(self, client: httpx.AsyncClient, key: str) -> None:
        self.client, self.key = client, key
        self.headers = {"Authorization": f"Bearer {key}"}

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)

    async def project(self, name: str = "Fraud Detection v2") -> str:
        response = await self.post("/api/projects", json={"name": name})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def upload(
        self,
        project_id: str,
        content: bytes | None = None,
        filename: str = "transactions.csv",
        name: str = "Transactions Q4",
    ) -> httpx.Response:
        body = csv_bytes(sample_frame()) if content is None else content
        data = {"project_id": project_id, "name": name}
        return await self.post(
            "/api/datasets/upload", data=data, files={"file": (filename, body, "text/csv")}
        )

    async def dataset(self, project_id: str) -> dict[str, Any]:
        response = await self.upload(project_id)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def model(self, project_id: str, version_id: str, **fields: Any) -> dict[str, Any]:
        body = {
            "project_id": project_id,
            "dataset_version_id": version_id,
            "name": "Transactions CTGAN",
            **fields,
        }
        response = await self.post("/api/synthgen/models", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def workflow(self) -> dict[str, Any]:
        """A project, an uploaded dataset and a (pending) model: every id a test may need."""
        project_id = await self.project()
        dataset = await self.dataset(project_id)
        model = await self.model(project_id, dataset["dataset_version_id"])
        return {"project_id": project_id, **dataset, **model}


async def new_key(app: Litestar, owner: str) -> str:
    async with app.state.sessions() as session:
        _, key = await keys.create(session, name=f"{owner}-key", owner=owner)
        await session.commit()
    return key


@pytest.fixture
def caller() -> Callable[[Litestar, httpx.AsyncClient, str], Awaitable[Api]]:
    """Make a caller with a fresh key for ``owner`` on any app (for tests with their own app)."""

    async def make(app: Litestar, client: httpx.AsyncClient, owner: str) -> Api:
        return Api(client, await new_key(app, owner))

    return make


@pytest.fixture
async def alice(client: httpx.AsyncClient, app: Litestar) -> Api:
    return Api(client, await new_key(app, "alice"))


@pytest.fixture
async def bob(client: httpx.AsyncClient, app: Litestar) -> Api:
    return Api(client, await new_key(app, "bob"))


class Backstage:
    """Moves rows on the way the worker would, so API behaviour after training is testable."""

    def __init__(self, app: Litestar) -> None:
        self.app = app

    async def set_model(self, model_id: str, status: str) -> None:
        await self._update(Model, model_id, status=status)

    async def set_job(self, job_id: str, status: str) -> None:
        await self._update(Job, job_id, status=status)

    async def complete_job(self, job_id: str, owner: str, frame: pd.DataFrame) -> str:
        """Store ``frame`` as the job's Parquet output and mark the job completed."""
        files: ArtifactStore = self.app.state.files
        artifact_id = uuid.uuid4()
        key = ArtifactKey.data(artifact_id, ".parquet")
        size = files.put(key, parquet_bytes(frame))
        async with self.app.state.sessions() as session:
            await artifacts.add(
                session,
                artifact_id=artifact_id,
                owner=owner,
                kind=ArtifactKind.SYNTHETIC,
                path=str(key),
                size=size,
                content_type="application/vnd.apache.parquet",
            )
            await session.commit()
        await self._update(Job, job_id, status="completed", output_artifact_id=artifact_id)
        return str(artifact_id)

    async def _update(self, table: type[Model] | type[Job], row_id: str, **values: Any) -> None:
        async with self.app.state.sessions() as session:
            stmt = sa.update(table).where(table.id == uuid.UUID(row_id)).values(**values)
            await session.execute(stmt)
            await session.commit()


@pytest.fixture
def backstage(app: Litestar) -> Backstage:
    return Backstage(app)
