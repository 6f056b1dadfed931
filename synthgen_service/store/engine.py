"""Engine, sessions and schema migrations for the service database.

SQLite (the embedded default) and PostgreSQL (``postgresql+asyncpg://``) share one code path.
Migrations run programmatically at startup (``upgrade head``), so upgrading the service keeps
the data of an existing database. A PostgreSQL schema named by ``SYNTHGEN_DATABASE_SCHEMA``
is created on the first start when the database user may create it; otherwise the start
fails with one line saying what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from synthgen_core.errors import ConfigError
from synthgen_service.settings import Settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: Execution option carrying ``settings.database_schema`` from the engine to :func:`migrate`.
SCHEMA_OPTION = "synthgen_schema"


def create_engine(settings: Settings) -> AsyncEngine:
    """An async engine for ``settings``; SQLite gets foreign keys and a busy timeout."""
    url = sa.make_url(settings.resolved_database_url)
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args["timeout"] = 30
    elif settings.database_schema and url.get_driver_name() == "asyncpg":
        # Quoted, so the schema is the one named exactly (PostgreSQL would fold case).
        connect_args["server_settings"] = {"search_path": _quoted(settings.database_schema)}
        options[SCHEMA_OPTION] = settings.database_schema
    engine = create_async_engine(
        url, connect_args=connect_args, execution_options=options, pool_pre_ping=True
    )
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


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def migrate(engine: AsyncEngine) -> bool:
    """Bring the schema to the newest revision (a no-op when it already is).

    Returns True when the database had no SynthGen tables before: it was just created.
    """
    async with engine.begin() as conn:
        schema = engine.get_execution_options().get(SCHEMA_OPTION)
        if schema:
            await _ensure_schema(conn, schema)
        return await conn.run_sync(_upgrade)


def _upgrade(sync: sa.Connection) -> bool:
    created = not sa.inspect(sync).has_table("alembic_version")
    command.upgrade(_alembic_config(sync), "head")
    return created


async def _ensure_schema(conn: AsyncConnection, schema: str) -> None:
    """Create the PostgreSQL ``schema`` if it is missing, or say in one line what to do."""
    exists = sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :name")
    if await conn.scalar(exists, {"name": schema}):
        return
    try:
        async with conn.begin_nested():
            await conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {_quoted(schema)}"))
    except sa.exc.DBAPIError as error:
        if await conn.scalar(exists, {"name": schema}):  # another process created it
            return
        user = await conn.scalar(sa.text("SELECT current_user"))
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "refused"
        raise ConfigError(
            f"the PostgreSQL schema {_quoted(schema)} (SYNTHGEN_DATABASE_SCHEMA) does not "
            f"exist and could not be created ({reason}): create it as an administrator "
            f"with CREATE SCHEMA {_quoted(schema)} AUTHORIZATION {_quoted(str(user))}, "
            "or set SYNTHGEN_DATABASE_SCHEMA to an existing schema"
        ) from None


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query."""
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))


__all__ = ["SCHEMA_OPTION", "create_engine", "migrate", "ping", "session_factory"]
