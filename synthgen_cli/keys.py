"""``synthgen keys``: API keys created and revoked in the service's database.

Keys of one owner share its projects. The functions here are what the command runs, and
what tests and scripts call to make a key without a server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_cli.database import database_label, with_session
from synthgen_core.errors import ConfigError
from synthgen_service.settings import Settings
from synthgen_service.store import keys

#: The default owner of the key made on a fresh embedded start.
QUICKSTART_OWNER = "default"
#: Longest owner or key name the database stores.
MAX_LABEL = 200


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

    The owner defaults to the name and the name to the owner, so ``--name alice`` alone
    makes (or adds to) the owner ``alice``.
    """
    owner, name = _owner_and_name(owner, name)

    async def work(session: AsyncSession) -> tuple[keys.OwnerUsage, str]:
        usage = await keys.owner_usage(session, owner)
        return usage, (await keys.create(session, name=name, owner=owner))[1]

    (usage, key), created = asyncio.run(with_session(settings, work))
    return NewKey(key, name, owner, usage, database_label(settings), created)


def keys_create(settings: Settings, name: str, owner: str | None = None) -> str:
    """Create an API key and return it (see :func:`create_key`)."""
    return create_key(settings, owner=owner, name=name).key


def keys_revoke(settings: Settings, key_or_id: str) -> bool:
    """Revoke a key given by its id or the key itself; False when no key matched."""

    async def work(session: AsyncSession) -> bool:
        return await keys.revoke(session, key_or_id) is not None

    return asyncio.run(with_session(settings, work))[0]


def ensure_first_key(settings: Settings) -> str | None:
    """On a database without any key, create one and return it; otherwise None."""

    async def work(session: AsyncSession) -> str | None:
        if await keys.count(session):
            return None
        return (await keys.create(session, name="quickstart", owner=QUICKSTART_OWNER))[1]

    return asyncio.run(with_session(settings, work))[0]


__all__ = ["NewKey", "create_key", "ensure_first_key", "keys_create", "keys_revoke"]
