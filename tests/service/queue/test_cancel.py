"""Cancel before start, during training, during generation; and deleting a busy model."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from tests.service.queue.support import Rows, background, copula_model, drain, eventually, generate

pytestmark = pytest.mark.redis


async def test_cancelled_pending_job_never_starts(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    response = await alice.post(f"/api/synthgen/jobs/{ids['job_id']}/cancel")
    assert response.status_code == 200, response.text
    # Even if the queue still delivers it, the worker must not run it.
    pool = await rows.pool(settings)
    await pool.enqueue_job("synthgen_train", ids["job_id"])
    await pool.aclose()
    await drain(settings, options)

    job, model = await rows.job(ids["job_id"]), await rows.model(ids["model_id"])
    assert job is not None and model is not None
    assert (job.status, job.attempts, job.started_at) == ("cancelled", 0, None)
    assert model.status == "cancelled" and model.model_artifact_id is None


async def test_cancel_requested_while_queued_is_honoured_at_start(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    """The flag set between the API's read and the worker's claim still stops the job."""
    ids = await copula_model(alice)
    await rows.update_job(ids["job_id"], cancel_requested=True)
    await drain(settings, options)

    job = await rows.job(ids["job_id"])
    assert job is not None and (job.status, job.attempts) == ("cancelled", 0)


async def test_running_generation_stops_between_chunks(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    slow = msgspec.structs.replace(
        options, chunk_rows=1
    )  # 5000 chunks: far more than the test waits for
    job_id = await generate(alice, ids["model_id"], num_rows=settings.max_generate_rows)

    async with background(settings, slow):

        async def writing() -> bool:
            job = await rows.job(job_id)
            return bool(job and job.progress and job.progress.get("rows_written"))

        await eventually(writing)
        response = await alice.post(f"/api/synthgen/jobs/{job_id}/cancel")
        assert response.status_code == 200, response.text

        async def cancelled() -> bool:
            job = await rows.job(job_id)
            return job is not None and job.status == "cancelled"

        await eventually(cancelled)

    job = await rows.job(job_id)
    assert job is not None and job.error == "generation was cancelled"
    assert job.output_artifact_id is None
    assert job.progress is not None and job.progress["rows_written"] < settings.max_generate_rows
    assert await rows.artifacts_of_kind("synthetic") == []
    model = await rows.model(ids["model_id"])
    assert model is not None and model.status == "ready"


async def test_deleting_a_model_stops_its_running_job_quietly(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    slow = msgspec.structs.replace(options, chunk_rows=1)
    job_id = await generate(alice, ids["model_id"], num_rows=settings.max_generate_rows)

    async with background(settings, slow) as worker:

        async def writing() -> bool:
            job = await rows.job(job_id)
            return bool(job and job.progress and job.progress.get("rows_written"))

        await eventually(writing)
        response = await alice.delete(f"/api/synthgen/models/{ids['model_id']}")
        assert response.status_code == 200, response.text

        async def let_go() -> bool:
            return job_id not in worker.tasks

        await eventually(let_go)
        assert worker.jobs_failed == 0

    assert await rows.job(job_id) is None
    assert await rows.artifacts_of_kind("synthetic") == []
    assert await rows.artifacts_of_kind("model") == []


async def test_running_training_stops_within_an_epoch(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    project_id = await alice.project()
    dataset = await alice.dataset(project_id)
    config = {
        "epochs": 500,
        "batch_size": 20,
        "pac": 10,
        "generator_dim": [16],
        "discriminator_dim": [16],
        "embedding_dim": 8,
        "device": "cpu",
    }
    ids = await alice.model(
        project_id, dataset["dataset_version_id"], model_type="ctgan", config=config
    )

    async with background(settings, options):

        async def training() -> bool:
            job = await rows.job(ids["job_id"])
            return bool(job and job.progress and job.progress.get("epoch"))

        await eventually(training, timeout=120)
        response = await alice.post(f"/api/synthgen/jobs/{ids['job_id']}/cancel")
        assert response.status_code == 200, response.text

        async def cancelled() -> bool:
            job = await rows.job(ids["job_id"])
            return job is not None and job.status == "cancelled"

        # Well before the 500 epochs could finish: the flag is read every heartbeat and the
        # callback stops training at the end of the epoch in progress.
        await eventually(cancelled, timeout=10)

    job, model = await rows.job(ids["job_id"]), await rows.model(ids["model_id"])
    assert job is not None and model is not None
    assert (model.status, model.error, job.error) == (
        "cancelled",
        "training was cancelled",
        "training was cancelled",
    )
    assert job.progress is not None and job.progress["epoch"] < config["epochs"]
    assert job.progress["total_epochs"] == config["epochs"]
    assert model.model_artifact_id is None
    assert await rows.artifacts_of_kind("model") == []
