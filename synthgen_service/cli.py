"""Entry points behind ``synthgen serve`` and ``synthgen keys``, wired by ``synthgen_core.cli``.

Each takes the :class:`Settings` that the CLI read once from the environment. Database
problems a user can fix (unreachable server, a schema that cannot be created) become one
:class:`ConfigError` line instead of a traceback.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_core.errors import ConfigError
from synthgen_service.queue import QueueFactory
from synthgen_service.settings import Settings
from synthgen_service.store import keys
from synthgen_service.store.engine import create_engine, migrate, session_factory

T = TypeVar("T")
#: The default owner of the key made on a fresh embedded start.
QUICKSTART_OWNER = "default"
#: Longest owner or key name the database stores.
MAX_LABEL = 200


def database_label(settings: Settings) -> str:
    """Where ``settings`` keep their data, for humans: a file, or a URL without password."""
    url = sa.make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return "an in-memory SQLite database"
        return str(Path(str(url.database)).resolve())
    label = url.render_as_string(hide_password=True)
    return f"{label} (schema {settings.database_schema})" if settings.database_schema else label


async def _with_session(
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


@dataclass(frozen=True)
class NewKey:
    """A key just created, with what its creator needs to know about it."""

    key: str
    name: str
    owner: str
    usage: keys.OwnerUsage  # the owner's keys and projects before this key
    database: str
    new_database: bool


def _owner_and_name(owner: str | None, name: str | None) -> tuple[str, str]:
    """The key's owner (default: its name) and name (default: its owner), checked."""
    for flag, value in (("--owner", owner), ("--name", name)):
        if value is not None and not value.strip():
            raise ConfigError(f"{flag} is empty; give it a value, e.g. {flag} alice")
        if value is not None and len(value.strip()) > MAX_LABEL:
            raise ConfigError(f"{flag} is longer than {MAX_LABEL} characters; shorten it")
    chosen = (owner or name or "").strip()
    if not chosen:
        raise ConfigError("give --owner (whose projects the key opens), --name (a label), or both")
    return chosen, (name or chosen).strip()


def create_key(settings: Settings, *, owner: str | None = None, name: str | None = None) -> NewKey:
    """Create an API key for ``owner``; the returned key is the only copy in clear.

    Keys of one owner share its projects. The owner defaults to the name and the name to
    the owner, so ``--name alice`` alone makes (or adds to) the owner ``alice``.
    """
    owner, name = _owner_and_name(owner, name)

    async def work(session: AsyncSession) -> tuple[keys.OwnerUsage, str]:
        usage = await keys.owner_usage(session, owner)
        return usage, (await keys.create(session, name=name, owner=owner))[1]

    (usage, key), created = asyncio.run(_with_session(settings, work))
    return NewKey(key, name, owner, usage, database_label(settings), created)


def keys_create(settings: Settings, name: str, owner: str | None = None) -> str:
    """Create an API key and return it (see :func:`create_key`)."""
    return create_key(settings, owner=owner, name=name).key


def keys_revoke(settings: Settings, key_or_id: str) -> bool:
    """Revoke a key given by its id or the key itself; False when no key matched."""

    async def work(session: AsyncSession) -> bool:
        return await keys.revoke(session, key_or_id) is not None

    return asyncio.run(_with_session(settings, work))[0]


def ensure_first_key(settings: Settings) -> str | None:
    """On a database without any key, create one and return it; otherwise None."""

    async def work(session: AsyncSession) -> str | None:
        if await keys.count(session):
            return None
        return (await keys.create(session, name="quickstart", owner=QUICKSTART_OWNER))[1]

    return asyncio.run(_with_session(settings, work))[0]


def prepare_database(settings: Settings) -> None:
    """Create or upgrade the database schema now, so a problem is one line, not a traceback."""

    async def nothing(_session: AsyncSession) -> None:
        return None

    asyncio.run(_with_session(settings, nothing))


def embedded_queue(settings: Settings | None = None) -> QueueFactory:
    """The embedded Redis queue (``queue/embedded.py``), imported only when used.

    Given ``settings``, the data dir is claimed now, so a second service on the same data
    dir stops here with one line.
    """
    module = importlib.import_module("synthgen_service.queue.embedded")
    if settings is None:
        factory: QueueFactory = module.embedded_queue
        return factory
    claimed = module.EmbeddedRedis.claim(settings.data_dir)
    return functools.partial(module.embedded_queue, claimed=claimed)


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run the API with uvicorn; in embedded mode, print a first key if none exists."""
    import uvicorn

    from synthgen_service.app import create_app

    prepare_database(settings)
    queue = None
    if settings.redis_url is None:
        queue = embedded_queue(settings)
        key = ensure_first_key(settings)
        if key is not None:
            print(f"Created the first API key (shown once, keep it): {key}", file=sys.stderr)
    app = create_app(settings, queue=queue)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port)


__all__ = [
    "NewKey",
    "create_key",
    "database_label",
    "embedded_queue",
    "ensure_first_key",
    "keys_create",
    "keys_revoke",
    "prepare_database",
    "serve",
]
