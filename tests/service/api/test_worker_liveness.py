"""Worker heartbeats: ``/ready`` counts live workers, pending jobs say they wait for one.

Real Redis, a queue name of the test's own and, at first, no worker at all (as with
``SYNTHGEN_REDIS_URL`` set and no ``synthgen worker`` started).
"""

from __future__ import annotations

import asyncio

from synthgen_service.queue.liveness import WORKER_TTL_S, Heartbeat
from synthgen_service.queue.options import WorkerOptions
from tests.service.queue.support import background, eventually


async def _workers(client) -> int:
    return int((await client.get("/ready")).json()["workers"])


async def test_without_a_worker_ready_warns_and_pending_work_says_it_waits(client, alice):
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["workers"]) == ("ready", 0)
    assert "no worker process is alive" in body["warning"]
    ids = await alice.workflow()
    model = (await alice.get(f"/api/synthgen/models/{ids['model_id']}")).json()["model"]
    assert model["status"] == "pending"
    assert model["status_detail"].startswith("waiting for a worker")
    job = (await alice.get(f"/api/synthgen/jobs/{ids['job_id']}")).json()
    assert job["status"] == "pending"
    assert job["status_detail"].startswith("waiting for a worker")


async def test_a_running_worker_is_counted_until_it_stops(client, settings):
    assert await _workers(client) == 0
    options = WorkerOptions(recovery_every_s=60, pending_grace_s=0.0)
    async with background(settings, options):
        await eventually(lambda: _workers_are(client, 1))
        body = (await client.get("/ready")).json()
        assert body["warning"] is None
    assert await _workers(client) == 0  # a stopping worker withdraws at once


async def _workers_are(client, count: int) -> bool:
    return await _workers(client) == count


async def test_heartbeats_expire_and_count_per_worker_and_queue(client, app, alice, settings):
    ids = await alice.workflow()
    pool = app.state.queue
    first, second = Heartbeat(pool, settings.queue_name), Heartbeat(pool, settings.queue_name)
    other = Heartbeat(pool, settings.queue_name + ":other-deployment")
    for beat in (first, second, other):
        await beat.start()
    try:
        assert await _workers(client) == 2
        seconds, microseconds = await pool.time()
        now = seconds + microseconds / 1e6
        alive_until = await pool.zscore(first.key, first.member)
        assert 0 < alive_until - now <= WORKER_TTL_S  # a killed worker stops counting
        assert 0 < await pool.ttl(first.key) <= WORKER_TTL_S
        await pool.zadd(first.key, {"killed-worker": now - 1})  # its time has passed
        assert await _workers(client) == 2
        job = (await alice.get(f"/api/synthgen/jobs/{ids['job_id']}")).json()
        assert (job["status"], job["status_detail"]) == ("pending", None)
    finally:
        for beat in (first, second, other):
            await beat.stop()
    assert await _workers(client) == 0


async def test_stopping_lets_a_beat_under_way_finish_then_withdraws(
    client, app, settings, monkeypatch
):
    """A beat cancelled inside its Redis pipeline would leave the connection to the GC."""
    from synthgen_service.queue import liveness

    monkeypatch.setattr(liveness, "BEAT_EVERY_S", 0.05)
    heartbeat = Heartbeat(app.state.queue, settings.queue_name)
    plain_beat, slow, outcomes = heartbeat._beat, asyncio.Event(), []

    async def beat() -> None:
        if slow.is_set():
            try:
                await asyncio.sleep(0.3)  # the worker stops while this beat is under way
            except asyncio.CancelledError:
                outcomes.append("cancelled")
                raise
        await plain_beat()
        outcomes.append("written")

    monkeypatch.setattr(heartbeat, "_beat", beat)
    await heartbeat.start()  # the first beat, at once
    outcomes.clear()
    slow.set()
    await asyncio.sleep(0.1)  # a periodic beat (every 0.05 s here) is under way
    await heartbeat.stop()
    assert outcomes == ["written"]
    assert await _workers(client) == 0  # and the worker withdrew all the same
