"""Jobs stored before payloads were versioned still run and still show their request."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from tests.service.queue.support import Rows, copula_model, drain, generate

pytestmark = pytest.mark.redis


async def test_a_generate_row_without_a_format_version_runs_as_it_asks(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    ids = await copula_model(alice)
    await drain(settings, options)
    job_id = await generate(alice, ids["model_id"], num_rows=3)
    old = {"num_rows": 7, "seed": 3, "conditions": {"city": "Oslo"}}  # as an older service wrote
    await rows.update_job(job_id, config=old)
    await rows.update_job(ids["job_id"], config={"seed": 0})

    await drain(settings, options)
    job = await rows.job(job_id)
    assert job is not None and job.status == "completed", job and job.error
    download = await alice.get(f"/api/synthgen/jobs/{job_id}/download")
    frame = pd.read_csv(io.BytesIO(download.content))
    assert len(frame) == 7
    assert (frame["city"] == "Oslo").all()
    shown = (await alice.get(f"/api/synthgen/jobs/{job_id}")).json()["config"]
    assert shown == old
    listed = (await alice.get("/api/synthgen/jobs", params={"model_id": ids["model_id"]})).json()
    assert {item["job_type"]: item["config"] for item in listed["items"]} == {
        "train": {"seed": 0},
        "generate": old,
    }


async def test_new_rows_carry_their_format_version_but_responses_do_not(
    alice: Any, rows: Rows
) -> None:
    ids = await copula_model(alice)
    stored = await rows.job(ids["job_id"])
    model = (await alice.get(f"/api/synthgen/models/{ids['model_id']}")).json()["model"]
    assert stored is not None
    assert stored.config == {"options": model["config"], "format_version": 1}
    shown = (await alice.get(f"/api/synthgen/jobs/{ids['job_id']}")).json()["config"]
    assert shown == model["config"]
    assert shown["seed"] == 0
