"""The embedded ``redis-server``: one per data dir, saved and stopped with its service."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis.asyncio

from synthgen_core.errors import ConfigError
from synthgen_service.queue.embedded import embedded_redis
from synthgen_service.queue.redis_server import leftover_servers
from synthgen_service.settings import Settings

pytestmark = pytest.mark.slow


async def test_a_second_service_on_the_same_data_dir_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", redis_url=None)
    async with embedded_redis(settings) as first:
        with pytest.raises(ConfigError, match=r"in use by another synthgen serve \(pid \d+\)"):
            async with embedded_redis(settings):
                pass
        assert leftover_servers(first.folder) == [first.pid]  # the refused one started none
    assert leftover_servers(first.folder) == []
    async with embedded_redis(settings) as again:  # the lock went with the first service
        assert again.pid is not None


async def test_a_long_data_dir_gets_a_socket_elsewhere_removed_on_stop(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / ("d" * 120), redis_url=None)
    async with embedded_redis(settings) as server:
        assert server.socket.parent != server.folder
        client = redis.asyncio.Redis(unix_socket_path=str(server.socket))
        assert await client.set("key", "value")
        await client.aclose()
    assert not server.socket.parent.exists()
    assert (server.folder / "queue.rdb").exists()  # saved on the way out
