from __future__ import annotations

import uuid

from arq.connections import RedisSettings
from arq.jobs import Job, JobStatus

from synthgen_service.queue import connect
from synthgen_service.queue.enqueue import dequeue, enqueue_generate, enqueue_train
from synthgen_service.queue.serialization import job_deserializer, job_serializer

REDIS = RedisSettings.from_dsn("redis://127.0.0.1:6379/0")


def test_serializer_round_trips_job_payloads_without_pickle():
    payload = {"t": 1, "f": "synthgen_train", "a": ["abc"], "k": {}, "et": 1700000000000}
    raw = job_serializer(payload)
    assert not raw.startswith(b"\x80")  # pickle protocol marker
    assert job_deserializer(raw) == payload


def test_serializer_stores_exceptions_as_type_and_message():
    raw = job_serializer({"r": ValueError("bad option"), "s": False})
    assert job_deserializer(raw)["r"] == {"error": "ValueError", "message": "bad option"}


async def test_enqueue_uses_our_job_id_once_and_dequeue_removes_it():
    queue_name = f"synthgen-test:{uuid.uuid4().hex}"
    pool = await connect(REDIS, queue_name)
    train_id, generate_id = uuid.uuid4(), uuid.uuid4()
    try:
        await enqueue_train(pool, train_id)
        await enqueue_train(pool, train_id)  # a second enqueue of the same id is a no-op
        await enqueue_generate(pool, generate_id)
        queued = await pool.zrange(queue_name, 0, -1)
        assert sorted(queued) == sorted([str(train_id).encode(), str(generate_id).encode()])
        info = await Job(str(generate_id), pool, queue_name, job_deserializer).info()
        assert info is not None
        assert info.function == "synthgen_generate"
        assert list(info.args) == [str(generate_id)]
        await dequeue(pool, [train_id, generate_id])
        status = await Job(str(train_id), pool, queue_name, job_deserializer).status()
        assert status == JobStatus.not_found
        assert await pool.zcard(queue_name) == 0
    finally:
        await pool.delete(queue_name, f"arq:job:{train_id}", f"arq:job:{generate_id}")
        await pool.aclose()
