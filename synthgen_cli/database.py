"""The service's database as the CLI uses it: one session for a command, errors as one line.

Each function takes the :class:`Settings` that the CLI read once from the environment.
Database problems a user can fix (an unreachable server, a schema that cannot be created)
become one :class:`ConfigError` line instead of a traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_core.errors import ConfigError
from synthgen_service.settings import Settings
from synthgen_service.store.engine import create_engine, migrate, session_factory

T = TypeVar("T")


def database_label(settings: Settings) -> str:
    """Where ``settings`` keep their data, for humans: a file, or a URL without password."""
    url = sa.make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return "an in-memory SQLite database"
        return str(Path(str(url.database)).resolve())
    label = url.render_as_string(hide_password=True)
    return f"{label} (schema {settings.database_schema})" if settings.database_schema else label


async def with_session(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T, bool]:
    """``work``'s result, and whether the database was created (had no tables) just now."""
    engine = create_engine(settings)
    try:
        created = await migrate(engine)
        async with session_factory(engine)() as session:
            result = await work(session)
            await session.commit()
            return result, created
    except (OSError, sa.exc.DBAPIError) as error:
        reason = error.orig if isinstance(error, sa.exc.DBAPIError) else error
        first_line = (str(reason).strip().splitlines() or [type(reason).__name__])[0]
        raise ConfigError(
            f"cannot use the database {database_label(settings)}: {first_line}"
        ) from None
    finally:
        await engine.dispose()


def prepare_database(settings: Settings) -> None:
    """Create or upgrade the database schema now, so a problem is one line, not a traceback."""

    async def nothing(_session: AsyncSession) -> None:
        return None

    asyncio.run(with_session(settings, nothing))


__all__ = ["database_label", "prepare_database", "with_session"]
