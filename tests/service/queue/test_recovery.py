"""The database is the truth: jobs lost by a dead worker or a wiped Redis come back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import msgspec
import pytest
from arq.constants import in_progress_key_prefix, job_key_prefix

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.recovery import recover
from synthgen_service.queue.runtime import Runtime
from synthgen_service.queue.worker import build_worker, stop_worker
from synthgen_service.settings import Settings
from synthgen_service.store.tables import utcnow
from tests.service.queue.support import Rows, background, copula_model, drain, eventually, generate

pytestmark = pytest.mark.redis


async def _wipe_queue(rows: Rows, settings: Settings, job_id: str) -> None:
    """What a Redis restart without persistence does to a queued job."""
    pool = await rows.pool(settings)
    await pool.delete(settings.queue_name, job_key_prefix + job_id)
    await pool.aclose()


async def _die_mid_run(rows: Rows, settings: Settings, job_id: str, attempts: int) -> None:
    """Leave the job as a worker killed with -9 would: running, old heartbeat, marker held."""
    stale = utcnow() - timedelta(minutes=10)
    await rows.update_job(
        job_id, status="running", attempts=attempts, started_at=stale, heartbeat_at=stale
    )
    pool = await rows.pool(settings)
    await pool.psetex(in_progress_key_prefix + job_id, 3_600_000, b"1")
    await pool.aclose()


async def test_pending_job_missing_from_redis_is_enqueued_again(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await _wipe_queue(rows, settings, ids["job_id"])

    await drain(settings, options)  # start-up runs the sweep, then the job

    job = await rows.job(ids["job_id"])
    assert job is not None and (job.status, job.attempts) == ("completed", 1)


async def test_young_pending_job_is_left_to_the_api(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await _wipe_queue(rows, settings, ids["job_id"])
    rt = await Runtime.open(settings, msgspec.structs.replace(options, pending_grace_s=600.0))
    pool = await rows.pool(settings)
    try:
        found = await recover(rt, pool)
        assert found.requeued == []
        assert not await pool.exists(job_key_prefix + ids["job_id"])
    finally:
        await pool.aclose()
        await rt.close()


async def test_job_of_a_dead_worker_is_retried_and_completes(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    job_id = await generate(alice, ids["model_id"], num_rows=200, seed=1)
    await _die_mid_run(rows, settings, job_id, attempts=1)

    await drain(settings, options)

    job = await rows.job(job_id)
    assert job is not None and (job.status, job.attempts) == ("completed", 2)
    assert job.error is None


async def test_training_lost_too_often_fails_with_a_clear_error(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await _die_mid_run(rows, settings, ids["job_id"], attempts=options.max_tries)

    await drain(settings, options)

    job, model = await rows.job(ids["job_id"]), await rows.model(ids["model_id"])
    assert job is not None and model is not None
    assert (job.status, model.status) == ("failed", "failed")
    assert job.error is not None and f"interrupted {options.max_tries} time(s)" in job.error
    assert job.finished_at is not None


async def test_fresh_heartbeat_is_not_touched(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await rows.update_job(ids["job_id"], status="running", attempts=1, heartbeat_at=utcnow())
    rt = await Runtime.open(settings, options)
    pool = await rows.pool(settings)
    try:
        found = await recover(rt, pool)
    finally:
        await pool.aclose()
        await rt.close()
    assert found.retried == found.failed == []
    job = await rows.job(ids["job_id"])
    assert job is not None and job.status == "running"


async def test_two_sweeps_retry_a_stale_job_once(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await _die_mid_run(rows, settings, ids["job_id"], attempts=1)
    rt = await Runtime.open(settings, options)
    pool = await rows.pool(settings)
    try:
        first, second = await recover(rt, pool), await recover(rt, pool)
        queued = await pool.zrange(settings.queue_name, 0, -1)
    finally:
        await pool.aclose()
        await rt.close()
    assert first.retried == [uuid.UUID(ids["job_id"])]
    assert second.retried == second.requeued == []
    assert queued == [ids["job_id"].encode()]


async def test_stopping_a_worker_hands_its_job_back(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    job_id = await generate(alice, ids["model_id"], num_rows=settings.max_generate_rows, seed=3)
    slow = msgspec.structs.replace(options, chunk_rows=1)

    async with background(settings, slow):  # leaving the block is a SIGTERM-style shutdown

        async def writing() -> bool:
            job = await rows.job(job_id)
            return bool(job and job.progress and job.progress.get("rows_written"))

        await eventually(writing)

    job = await rows.job(job_id)
    assert job is not None and (job.status, job.attempts) == ("pending", 1)
    await drain(settings, options)  # the next worker picks it up again
    job = await rows.job(job_id)
    assert job is not None and (job.status, job.attempts) == ("completed", 2)
    assert job.progress is not None and job.progress["rows_written"] == settings.max_generate_rows


async def test_a_stop_while_arq_records_a_result_still_closes_the_worker(
    rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    """arq writes a finished job's result under ``asyncio.shield``; a stop landing there
    once re-raised the cancel out of arq's ``close``, which then never closed its pool."""
    worker = build_worker(settings, options, handle_signals=False)
    task = asyncio.create_task(worker.async_run())
    pool = await rows.pool(settings)
    try:

        async def healthy() -> bool:
            return bool(await pool.exists(worker.health_check_key))

        await eventually(healthy)
        recording = asyncio.get_running_loop().create_future()

        async def result_being_recorded() -> None:
            await asyncio.shield(recording)

        worker.tasks["finishing"] = asyncio.create_task(result_being_recorded())
        await asyncio.sleep(0)
        await stop_worker(worker, task)  # raised CancelledError with arq's close alone

        assert not await pool.exists(worker.health_check_key)  # close ran to its end
        assert worker.tasks == {} and task.done()
        recording.set_result(None)
    finally:
        await pool.aclose()
