"""Worker heartbeats in Redis, so any API process can tell whether a worker is alive.

Every worker process, on any host, keeps an entry in its queue's roster, a sorted set
``synthgen:workers:<queue digest>`` whose score is the time (Redis's clock) until which the
worker counts as alive: now + :data:`WORKER_TTL_S`, rewritten every :data:`BEAT_EVERY_S`.
A worker that stops removes its entry; one killed outright (``kill -9``, a lost host) stops
counting when its time passes, and the next beat of any worker drops it. Readers count the
entries still alive with one ``ZCOUNT``, however large the Redis: ``/ready`` reports the
number, and a pending job's detail says it waits for a worker when there is none.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import uuid

from redis.asyncio import Redis
from redis.exceptions import RedisError

from synthgen_service.queue.periodic import pause, stop_between_beats

logger = logging.getLogger("synthgen.worker")

#: Seconds between two heartbeats of one worker.
BEAT_EVERY_S = 5.0
#: Seconds :meth:`Heartbeat.stop` waits for a beat under way before cancelling it.
STOP_GRACE_S = 5.0
#: Seconds a heartbeat stays visible: three beats, so one slow beat is not a death.
WORKER_TTL_S = 15


def _roster(queue_name: str) -> str:
    """The key of one queue's roster; a digest, so no queue name is another's prefix."""
    digest = hashlib.sha256(queue_name.encode()).hexdigest()[:32]
    return f"synthgen:workers:{digest}"


async def _redis_now(redis: Redis) -> float:
    """Seconds on Redis's clock, the one every host shares."""
    seconds, microseconds = await redis.time()
    return float(seconds) + float(microseconds) / 1e6


def no_worker_message(queue_name: str) -> str:
    return (
        f"no worker process is alive on queue {queue_name!r}: jobs stay pending until one "
        "starts (run `synthgen worker` with the service's settings)"
    )


async def live_workers(redis: Redis, queue_name: str) -> int:
    """How many workers of ``queue_name`` have a current heartbeat."""
    now = await _redis_now(redis)
    return int(await redis.zcount(_roster(queue_name), now, "+inf"))


async def waiting_note(redis: Redis, queue_name: str) -> str | None:
    """What a pending job waits for when no worker is alive; None if one is (or unknown).

    A detail request must not fail because Redis is down: then nothing is said.
    """
    try:
        alive = await live_workers(redis, queue_name)
    except (RedisError, OSError):
        return None
    return None if alive else "waiting for a worker: " + no_worker_message(queue_name)


class Heartbeat:
    """One worker's heartbeat: a key rewritten every few seconds until :meth:`stop`."""

    def __init__(self, redis: Redis, queue_name: str) -> None:
        self.redis, self.key = redis, _roster(queue_name)
        self.member = f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}"
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        """Beat once now (the worker counts as alive from here on), then keep beating."""
        await self._beat()
        self._task = asyncio.create_task(self._run(), name="synthgen worker heartbeat")

    async def stop(self) -> None:
        """Stop beating and delete the key: the worker is gone at once, not after the TTL.

        A beat under way finishes first (cancelled inside its pipeline, the Redis
        connection is left for the garbage collector); one that hangs is cancelled.
        """
        if self._task is not None:
            await stop_between_beats(self._task, self._stopping, STOP_GRACE_S)
        with contextlib.suppress(RedisError, OSError):
            await self.redis.zrem(self.key, self.member)

    async def _beat(self) -> None:
        """Alive for another :data:`WORKER_TTL_S`; entries whose time has passed go."""
        now = await _redis_now(self.redis)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self.key, {self.member: now + WORKER_TTL_S})
            pipe.zremrangebyscore(self.key, "-inf", now)
            pipe.expire(self.key, WORKER_TTL_S)  # the roster goes with its last worker
            await pipe.execute()

    async def _run(self) -> None:
        while True:
            if await pause(self._stopping, BEAT_EVERY_S):
                return
            try:
                await self._beat()
            except (RedisError, OSError) as exc:  # Redis restarting: beat again next time
                logger.warning("worker heartbeat failed: %s", type(exc).__name__)


__all__ = [
    "BEAT_EVERY_S",
    "WORKER_TTL_S",
    "Heartbeat",
    "live_workers",
    "no_worker_message",
    "waiting_note",
]
