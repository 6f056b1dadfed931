"""``SYNTHGEN_DATABASE_SCHEMA`` naming a missing PostgreSQL schema, at ``synthgen serve``.

The service creates the schema when its database user may; otherwise it stops with one
line saying what to do. Each test uses a schema (and role) of its own, dropped afterwards.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.processes import SYNTHGEN, Launcher, free_port, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def _fetch(statement: str, **params: str) -> object:
    engine = create_async_engine(ADMIN)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(sa.text(statement), params)
            return result.scalar() if result.returns_rows else None
    finally:
        await engine.dispose()


def sql(statement: str, **params: str) -> object:
    return asyncio.run(_fetch(statement, **params))


@pytest.fixture
def schema() -> Iterator[str]:
    name = f"missing_{uuid.uuid4().hex}"
    yield name
    sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Launcher]:
    launcher = Launcher(tmp_path / "logs")
    yield launcher
    launcher.stop_all()


def serve_env(launcher: Launcher, tmp_path: Path, url: str, schema: str) -> dict[str, str]:
    return launcher.env(
        SYNTHGEN_DATA_DIR=str(tmp_path / "data"),
        SYNTHGEN_DATABASE_URL=url,
        SYNTHGEN_DATABASE_SCHEMA=schema,
        SYNTHGEN_REDIS_URL="redis://127.0.0.1:6379/0",
        SYNTHGEN_QUEUE_NAME=f"synthgen-test:{uuid.uuid4().hex}",
        SYNTHGEN_PORT=str(free_port()),
    )


def test_serve_creates_a_missing_schema(launcher: Launcher, tmp_path: Path, schema: str) -> None:
    env = serve_env(launcher, tmp_path, ADMIN, schema)
    serve = launcher.start("serve", [SYNTHGEN, "serve"], env)
    url = f"http://127.0.0.1:{env['SYNTHGEN_PORT']}/ready"

    def ready() -> bool:
        assert serve.alive(), serve.text()
        return requests.get(url, timeout=2).ok

    wait_for(ready, 60, "synthgen serve to be ready")
    assert sql("SELECT to_regclass(:table)::text", table=f"{schema}.api_keys") is not None


def test_serve_says_in_one_line_when_it_may_not_create_the_schema(
    launcher: Launcher, tmp_path: Path, schema: str
) -> None:
    role = f"nocreate_{uuid.uuid4().hex[:12]}"
    sql(f'CREATE ROLE "{role}" LOGIN')  # may connect, may not create schemas
    try:
        url = f"postgresql+asyncpg://{role}@127.0.0.1:5432/test"
        env = serve_env(launcher, tmp_path, url, schema)
        serve = launcher.start("serve", [SYNTHGEN, "serve"], env)
        assert serve.popen.wait(60) == 2
        output = serve.text()
    finally:
        sql(f'DROP ROLE "{role}"')
    assert "Traceback" not in output
    assert output.count("\n") == 1
    assert output.startswith(f'synthgen: error: the PostgreSQL schema "{schema}"')
    assert f'CREATE SCHEMA "{schema}" AUTHORIZATION "{role}"' in output
    assert sql("SELECT count(*) FROM pg_namespace WHERE nspname = :name", name=schema) == 0
