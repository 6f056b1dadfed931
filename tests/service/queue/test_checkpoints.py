"""Training checkpoints through the real worker path: resumed after a stop, removed after."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from synthgen_service.queue.checkpoints import Checkpoints
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from tests.service.queue.support import Rows, background, drain, eventually

pytestmark = pytest.mark.redis

#: Epochs of a few milliseconds each: long enough to stop it mid-way.
LONG_TVAE = {
    "epochs": 20_000,
    "batch_size": 10,
    "embedding_dim": 8,
    "compress_dims": [8],
    "decompress_dims": [8],
    "seed": 0,
    "device": "cpu",
}


async def _tvae(api: Any) -> dict[str, Any]:
    project_id = await api.project()
    version_id = (await api.dataset(project_id))["dataset_version_id"]
    return await api.model(project_id, version_id, model_type="tvae", config=LONG_TVAE)


def _checkpoint(settings: Settings, job_id: str) -> Path:
    return Checkpoints(settings.data_dir).path(uuid.UUID(job_id))


async def _training_past(rows: Rows, job_id: str, epoch: int) -> None:
    async def trained() -> bool:
        job = await rows.job(job_id)
        return bool(job and job.progress and (job.progress.get("epoch") or 0) >= epoch)

    await eventually(trained, timeout=60)


@pytest.mark.timeout(180)
async def test_a_training_handed_back_resumes_from_its_checkpoint(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await _tvae(alice)
    checkpoint = _checkpoint(settings, ids["job_id"])
    async with background(settings, options):
        await _training_past(rows, ids["job_id"], 15)
    # the stopped worker's training saves its last epoch and hands the job back
    await eventually(lambda: _async(checkpoint.is_file()))
    job = await rows.job(ids["job_id"])
    assert job is not None and job.status == "pending"
    stopped_at = job.progress["epoch"] if job.progress else 0

    short = {"max_training_seconds": 1.0}  # the retry may finish early: the test needs no more
    await rows.update_model(ids["model_id"], config={**LONG_TVAE, **short})
    await drain(settings, options)

    job = await rows.job(ids["job_id"])
    assert job is not None and (job.status, job.attempts) == ("completed", 2), job
    assert job.progress is not None and job.progress["resumed_from_epoch"] >= stopped_at
    assert not checkpoint.exists(), "a completed training removes its checkpoint"


@pytest.mark.timeout(180)
@pytest.mark.parametrize("how", ["cancel", "delete"])
async def test_cancelled_or_deleted_trainings_leave_no_checkpoint(
    how: str, alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await _tvae(alice)
    checkpoint = _checkpoint(settings, ids["job_id"])
    async with background(settings, options):
        await _training_past(rows, ids["job_id"], 12)  # a checkpoint is due every 10 epochs
        await eventually(lambda: _async(checkpoint.is_file()))
        if how == "cancel":
            response = await alice.post(f"/api/synthgen/jobs/{ids['job_id']}/cancel")
        else:
            response = await alice.delete(f"/api/synthgen/models/{ids['model_id']}")
        assert response.status_code == 200, response.text

        async def ended() -> bool:
            job = await rows.job(ids["job_id"])
            return job is None or job.status == "cancelled"

        await eventually(ended)
        await eventually(lambda: _async(not checkpoint.exists()))


async def _async(value: bool) -> bool:
    return value
