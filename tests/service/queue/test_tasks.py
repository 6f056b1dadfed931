"""Training and generation end to end through the API, Redis and burst workers."""

from __future__ import annotations

import io
import uuid
from typing import Any

import msgspec
import pandas as pd
import pytest

from synthgen_core.models.load import load
from synthgen_service.artifacts import ArtifactKey, open_artifact_store
from synthgen_service.queue.generate import output_artifact_id
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.train import model_artifact_id
from synthgen_service.settings import Settings
from tests.service.queue.support import Rows, copula_model, drain, generate

pytestmark = pytest.mark.redis


async def test_training_makes_the_model_ready(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)

    job, model = await rows.job(ids["job_id"]), await rows.model(ids["model_id"])
    assert job is not None and model is not None
    assert (job.status, model.status) == ("completed", "ready")
    assert job.attempts == 1 and job.error is None
    assert job.started_at is not None and job.finished_at is not None
    assert job.started_at <= job.finished_at
    assert job.progress is not None and job.progress["phase"] == "done"
    assert model.model_artifact_id == model_artifact_id(job.id)
    detail = (await alice.get(f"/api/synthgen/models/{ids['model_id']}")).json()
    assert detail["model"]["status"] == "ready"
    assert [j["status"] for j in detail["jobs"]] == ["completed"]


async def test_trained_model_file_loads_and_samples(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)

    [artifact] = await rows.artifacts_of_kind("model")
    with open_artifact_store(settings).open(ArtifactKey.parse(artifact.path)) as stored:
        loaded = load(stored)
    frame = loaded.sample(25, seed=1)
    assert list(frame.columns) == ["age", "city", "income", "member"]
    assert len(frame) == 25
    assert ids["model_id"]


async def test_generation_writes_requested_rows_with_a_report(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    job_id = await generate(alice, ids["model_id"], num_rows=1234, seed=7)
    await drain(settings, options)

    job = await rows.job(job_id)
    assert job is not None and job.status == "completed", job and job.error
    assert job.output_artifact_id == output_artifact_id(job.id)
    assert job.progress is not None
    assert job.progress["rows_written"] == job.progress["total_rows"] == 1234
    assert job.report is not None and 0.0 <= job.report["score"] <= 1.0
    assert job.report["n_synthetic"] == options.report_rows
    download = await alice.get(f"/api/synthgen/jobs/{job_id}/download")
    assert download.status_code == 200
    frame = pd.read_csv(io.BytesIO(download.content))
    assert len(frame) == 1234
    assert list(frame.columns) == ["age", "city", "income", "member"]
    assert set(frame["city"]) <= {"Zürich", "Paris", "Oslo"}


async def test_same_seed_gives_the_same_file(
    alice: Any, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    first = await generate(alice, ids["model_id"], num_rows=1000, seed=3)
    second = await generate(alice, ids["model_id"], num_rows=1000, seed=3)
    other = await generate(alice, ids["model_id"], num_rows=1000, seed=4)
    await drain(settings, options)

    contents = [
        (await alice.get(f"/api/synthgen/jobs/{job_id}/download")).content
        for job_id in (first, second, other)
    ]
    assert contents[0] == contents[1]
    assert contents[0] != contents[2]


async def test_running_a_finished_job_again_changes_nothing(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    job_id = await generate(alice, ids["model_id"], num_rows=500, seed=1)
    await drain(settings, options)
    before = await rows.job(job_id)
    files_before = await rows.artifacts()

    pool = await rows.pool(settings)
    await pool.enqueue_job("synthgen_train", ids["job_id"], _job_id=str(uuid.uuid4()))
    await pool.enqueue_job("synthgen_generate", job_id, _job_id=str(uuid.uuid4()))
    await pool.aclose()
    await drain(settings, options)

    after = await rows.job(job_id)
    assert before is not None and after is not None
    assert (after.status, after.attempts, after.finished_at) == (
        before.status,
        before.attempts,
        before.finished_at,
    )
    assert sorted(a.id for a in await rows.artifacts()) == sorted(a.id for a in files_before)


async def test_an_interrupted_run_is_redone_without_duplicates(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    """A run that died after publishing its file leaves the job running; the retry overwrites."""
    ids = await copula_model(alice)
    await drain(settings, options)
    job_id = await generate(alice, ids["model_id"], num_rows=300, seed=2)
    await drain(settings, options)
    first = (await alice.get(f"/api/synthgen/jobs/{job_id}/download")).content
    # Make the row look like a run that died between writing and marking.
    await rows.update_job(job_id, status="running", output_artifact_id=None, report=None)

    pool = await rows.pool(settings)
    await pool.enqueue_job("synthgen_generate", job_id, _job_id=str(uuid.uuid4()))
    await pool.aclose()
    await drain(settings, options)

    job = await rows.job(job_id)
    assert job is not None and (job.status, job.attempts) == ("completed", 2)
    outputs = [a for a in await rows.artifacts() if a.kind == "synthetic"]
    assert [a.id for a in outputs] == [output_artifact_id(job.id)]
    assert (await alice.get(f"/api/synthgen/jobs/{job_id}/download")).content == first


async def test_bad_option_fails_training_with_the_library_message(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await rows.update_model(ids["model_id"], config={"no_such_option": 1})
    await drain(settings, options)

    job, model = await rows.job(ids["job_id"]), await rows.model(ids["model_id"])
    assert job is not None and model is not None
    assert (job.status, model.status) == ("failed", "failed")
    assert job.error is not None and "no_such_option" in job.error
    assert model.error == job.error
    assert job.finished_at is not None


async def test_missing_dataset_file_fails_with_advice(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    [upload] = await rows.artifacts_of_kind("dataset")
    open_artifact_store(settings).delete([upload.id])
    await drain(settings, options)

    job = await rows.job(ids["job_id"])
    assert job is not None and job.status == "failed"
    assert job.error is not None and "upload the dataset again" in job.error


async def test_unexpected_error_names_its_type_only(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    (settings.data_dir / "tmp").rmdir()
    (settings.data_dir / "tmp").write_text("not a folder")  # the disk is in a bad state
    await drain(settings, options)

    job, model = await rows.job(ids["job_id"]), await rows.model(ids["model_id"])
    assert job is not None and model is not None
    assert (job.status, model.status) == ("failed", "failed")
    assert job.error is not None
    assert job.error.startswith("the job failed with an unexpected error (")
    assert "Error)" in job.error
    assert str(settings.data_dir) not in job.error


async def test_generating_from_a_model_that_is_not_ready_fails_clearly(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    job_id = await generate(alice, ids["model_id"], num_rows=10)
    await rows.update_model(ids["model_id"], status="training")
    await drain(settings, options)

    job = await rows.job(job_id)
    assert job is not None and job.status == "failed"
    assert job.error is not None and "not ready" in job.error


async def test_a_run_past_the_time_limit_fails_with_advice(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    job_id = await generate(alice, ids["model_id"], num_rows=settings.max_generate_rows)
    await drain(settings, msgspec.structs.replace(options, chunk_rows=1, job_timeout_s=0.5))

    job = await rows.job(job_id)
    assert job is not None and (job.status, job.attempts) == ("failed", 1)
    assert job.error is not None and "longer than the worker's limit" in job.error
    assert await rows.artifacts_of_kind("synthetic") == []


async def test_an_autoregressive_model_trains_and_generates_exact_conditions(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    project_id = await alice.project()
    dataset = await alice.dataset(project_id)
    config = {"seed": 0, "max_epochs": 2, "width": 16, "depth": 1, "heads": 2, "device": "cpu"}
    config["bin_rows"] = 20  # one training (a small table would try three bin sizes)
    model = await alice.model(
        project_id, dataset["dataset_version_id"], model_type="autoregressive", config=config
    )
    await drain(settings, options)
    trained = await rows.job(model["job_id"])
    assert trained is not None and trained.status == "completed", trained and trained.error
    assert trained.progress is not None and trained.progress["phase"] == "done"
    ready = await rows.model(model["model_id"])  # the ready model keeps its loss curve
    assert ready is not None and ready.progress is not None
    assert ready.progress["loss_history"]["epochs"] == [1, 2]
    assert len(ready.progress["loss_history"]["series"]["loss"]) == 2

    conditions = {"city": "Oslo", "member": True}
    job_id = await generate(alice, model["model_id"], num_rows=300, seed=3, conditions=conditions)
    await drain(settings, options)
    job = await rows.job(job_id)
    assert job is not None and job.status == "completed", job and job.error
    assert job.report is not None and job.report["detection"] is not None
    assert 0 <= job.report["alpha_precision"] <= 1 and 0 <= job.report["beta_recall"] <= 1
    download = await alice.get(f"/api/synthgen/jobs/{job_id}/download")
    frame = pd.read_csv(io.BytesIO(download.content))
    assert len(frame) == 300
    assert (frame["city"] == "Oslo").all() and frame["member"].all()
