"""Entry points behind ``synthgen serve`` and ``synthgen keys``, wired by ``synthgen_core.cli``.

Each takes the :class:`Settings` that the CLI read once from the environment.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.queue import QueueFactory
from synthgen_service.settings import Settings
from synthgen_service.store import keys
from synthgen_service.store.engine import create_engine, migrate, session_factory

T = TypeVar("T")
#: The default owner of the key made on a fresh embedded start.
QUICKSTART_OWNER = "default"


async def _with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(settings)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def keys_create(settings: Settings, name: str, owner: str | None = None) -> str:
    """Create an API key and return it (the only time it exists in clear).

    Keys with the same ``owner`` see the same projects; the owner defaults to ``name``.
    """

    async def work(session: AsyncSession) -> str:
        return (await keys.create(session, name=name, owner=owner or name))[1]

    return asyncio.run(_with_session(settings, work))


def keys_revoke(settings: Settings, key_or_id: str) -> bool:
    """Revoke a key given by its id or the key itself; False when no key matched."""

    async def work(session: AsyncSession) -> bool:
        return await keys.revoke(session, key_or_id) is not None

    return asyncio.run(_with_session(settings, work))


def ensure_first_key(settings: Settings) -> str | None:
    """On a database without any key, create one and return it; otherwise None."""

    async def work(session: AsyncSession) -> str | None:
        if await keys.count(session):
            return None
        return (await keys.create(session, name="quickstart", owner=QUICKSTART_OWNER))[1]

    return asyncio.run(_with_session(settings, work))


def embedded_queue() -> QueueFactory:
    """The embedded Redis queue (``queue/embedded.py``), imported only when used."""
    module = importlib.import_module("synthgen_service.queue.embedded")
    factory: QueueFactory = module.embedded_queue
    return factory


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run the API with uvicorn; in embedded mode, print a first key if none exists."""
    import uvicorn

    from synthgen_service.app import create_app

    queue = None
    if settings.redis_url is None:
        queue = embedded_queue()
        key = ensure_first_key(settings)
        if key is not None:
            print(f"Created the first API key (shown once, keep it): {key}", file=sys.stderr)
    app = create_app(settings, queue=queue)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port)


__all__ = ["embedded_queue", "ensure_first_key", "keys_create", "keys_revoke", "serve"]
