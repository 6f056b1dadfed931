"""Engine, sessions and schema migrations for the service database.

SQLite (the embedded default) and PostgreSQL (``postgresql+asyncpg://``) share one code path.
Migrations run programmatically at startup (``upgrade head``), so upgrading the service keeps
the data of an existing database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from synthgen_service.settings import Settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def create_engine(settings: Settings) -> AsyncEngine:
    """An async engine for ``settings``; SQLite gets foreign keys and a busy timeout."""
    url = sa.make_url(settings.resolved_database_url)
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = 30
    elif settings.database_schema and url.get_driver_name() == "asyncpg":
        connect_args["server_settings"] = {"search_path": settings.database_schema}
    engine = create_async_engine(url, connect_args=connect_args, pool_pre_ping=True)
    if url.get_backend_name() == "sqlite":
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the worker write progress while the API reads; FKs make ON DELETE CASCADE work.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (a no-op when it already is)."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "head"))


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query."""
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))


__all__ = ["create_engine", "migrate", "ping", "session_factory"]
