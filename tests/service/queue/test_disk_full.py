"""A job that fails because the server's disk is full says so, and leaves no file behind."""

from __future__ import annotations

from typing import Any

import pytest

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from tests.service.full_disk import fill_disk
from tests.service.queue.support import Rows, copula_model, drain, generate

pytestmark = pytest.mark.redis


async def test_generation_on_a_full_disk_fails_saying_so(
    alice: Any,
    rows: Rows,
    settings: Settings,
    options: WorkerOptions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    job_id = await generate(alice, ids["model_id"], num_rows=2000, seed=1)
    fill_disk(monkeypatch, settings.data_dir / "tmp")
    await drain(settings, options)
    monkeypatch.undo()

    job = await rows.job(job_id)
    assert job is not None and job.status == "failed"
    assert job.error is not None
    assert job.error.startswith("the server's disk is full"), job.error
    assert "SYNTHGEN_DATA_DIR" in job.error
    assert job.output_artifact_id is None
    assert await rows.artifacts_of_kind("synthetic") == []
    assert list((settings.data_dir / "tmp").iterdir()) == []
    detail = (await alice.get(f"/api/synthgen/jobs/{job_id}")).json()
    assert detail["error"] == job.error
