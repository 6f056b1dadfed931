from __future__ import annotations

import asyncio

import pytest

from synthgen_cli.keys import ensure_first_key, keys_create, keys_revoke
from synthgen_service.app import create_app
from synthgen_service.store import keys
from synthgen_service.store.engine import create_engine, session_factory


async def _active(settings, key: str) -> bool:
    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            return await keys.find_active(session, key) is not None
    finally:
        await engine.dispose()


def test_keys_create_then_revoke_by_key_or_id(settings):
    first = keys_create(settings, "laptop")
    second = keys_create(settings, "ci")
    assert first.startswith("sg_")
    assert first != second
    assert asyncio.run(_active(settings, first))
    assert keys_revoke(settings, first)
    assert not asyncio.run(_active(settings, first))
    assert asyncio.run(_active(settings, second))
    assert not keys_revoke(settings, "sg_unknown")


def test_first_key_is_created_only_on_an_empty_database(settings):
    key = ensure_first_key(settings)
    assert key is not None
    assert asyncio.run(_active(settings, key))
    assert ensure_first_key(settings) is None


def test_embedded_mode_needs_an_explicit_queue(settings):
    embedded = type(settings)(data_dir=settings.data_dir, redis_url=None)
    with pytest.raises(ValueError, match="embedded"):
        create_app(embedded)
