"""API keys: only a SHA-256 hash of each key is stored; the key itself is shown once."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.store.tables import ApiKey, Project, utcnow

#: Every key starts with this, so a leaked key is recognisable in logs and secret scanners.
KEY_PREFIX = "sg_"


def hash_key(key: str) -> str:
    # Keys carry 256 random bits, so a fast unsalted hash is enough (no password stretching).
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


async def create(session: AsyncSession, name: str, owner: str) -> tuple[ApiKey, str]:
    """Store a new key for ``owner``; returns the row and the only copy of the key."""
    key = new_key()
    row = ApiKey(key_hash=hash_key(key), name=name, owner=owner)
    session.add(row)
    await session.flush()
    return row, key


async def find_active(session: AsyncSession, key: str) -> ApiKey | None:
    """The unrevoked key row matching ``key``, if any."""
    stmt = sa.select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    return (await session.scalars(stmt)).one_or_none()


async def is_active(session: AsyncSession, key_id: uuid.UUID, owner: str) -> bool:
    """Whether key ``key_id`` of ``owner`` exists and is not revoked (dashboard sessions)."""
    stmt = sa.select(ApiKey.id).where(
        ApiKey.id == key_id, ApiKey.owner == owner, ApiKey.revoked_at.is_(None)
    )
    return (await session.scalar(stmt)) is not None


async def revoke(session: AsyncSession, key_or_id: str) -> ApiKey | None:
    """Revoke by key id (UUID) or by the key itself; None when nothing matched."""
    try:
        condition = ApiKey.id == uuid.UUID(key_or_id)
    except ValueError:
        condition = ApiKey.key_hash == hash_key(key_or_id)
    row = (await session.scalars(sa.select(ApiKey).where(condition))).one_or_none()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()
    return row


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) or 0)


class OwnerUsage(NamedTuple):
    """What an owner has; it exists once any key (revoked ones too) or project names it."""

    active_keys: int
    projects: int
    exists: bool


async def owner_usage(session: AsyncSession, owner: str) -> OwnerUsage:
    """``owner``'s active keys and projects: a new key for that owner opens the same ones."""
    keys_of = sa.select(sa.func.count()).select_from(ApiKey).where(ApiKey.owner == owner)
    projects_of = sa.select(sa.func.count()).select_from(Project).where(Project.owner == owner)
    active = int(await session.scalar(keys_of.where(ApiKey.revoked_at.is_(None))) or 0)
    every = int(await session.scalar(keys_of) or 0)
    owned = int(await session.scalar(projects_of) or 0)
    return OwnerUsage(active, owned, bool(every or owned))


__all__ = [
    "KEY_PREFIX",
    "OwnerUsage",
    "count",
    "create",
    "find_active",
    "hash_key",
    "new_key",
    "owner_usage",
    "revoke",
]
