"""Conditions through the API: the text a user types is accepted as the library accepts it.

The generate request is checked against the metadata the trained model keeps, so what it
accepts the worker honours, and what the worker would refuse is refused at once (422
naming ``conditions.<column>``), not minutes later.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from tests.service.conftest import csv_bytes
from tests.service.queue.support import Rows, drain, generate

pytestmark = pytest.mark.redis

ROWS = 80


def people() -> pd.DataFrame:
    """Adult-style text (leading spaces), booleans, whole numbers and dates."""
    return pd.DataFrame(
        {
            "sex": [" Female", " Male"] * (ROWS // 2),
            "member": [True, False, False, True] * (ROWS // 4),
            "age": [20 + index % 40 for index in range(ROWS)],
            "joined": pd.date_range("2024-01-01", periods=ROWS, freq="D").strftime("%Y-%m-%d"),
        }
    )


async def trained_model(api: Any, settings: Settings, options: WorkerOptions) -> str:
    project_id = await api.project()
    upload = await api.upload(project_id, content=csv_bytes(people()), filename="people.csv")
    assert upload.status_code == 201, upload.text
    version_id = upload.json()["dataset_version_id"]
    model = await api.model(
        project_id, version_id, model_type="gaussian_copula", config={"seed": 0}
    )
    await drain(settings, options)
    return str(model["model_id"])


async def test_typed_conditions_are_accepted_and_honoured(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    model_id = await trained_model(alice, settings, options)
    stored = await rows.model(model_id)
    assert stored is not None and stored.status == "ready"
    assert stored.learned_metadata is not None

    conditions = {"sex": "female", "member": "true", "age": "30"}
    job_id = await generate(alice, model_id, num_rows=50, seed=1, conditions=conditions)
    await drain(settings, options)
    job = await rows.job(job_id)
    assert job is not None and job.status == "completed", job and job.error
    download = await alice.get(f"/api/synthgen/jobs/{job_id}/download")
    frame = pd.read_csv(io.BytesIO(download.content))
    assert (frame["sex"] == " Female").all()
    assert frame["member"].all()
    assert (frame["age"] == 30).all()


async def test_range_conditions_are_honoured_by_the_worker(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    model_id = await trained_model(alice, settings, options)
    conditions = {
        "age": {"min": "30", "max": 39.5},
        "joined": {"min": "2024-02-01"},
        "sex": "female",
    }
    job_id = await generate(alice, model_id, num_rows=60, seed=2, conditions=conditions)
    await drain(settings, options)
    job = await rows.job(job_id)
    assert job is not None and job.status == "completed", job and job.error
    download = await alice.get(f"/api/synthgen/jobs/{job_id}/download")
    frame = pd.read_csv(io.BytesIO(download.content))
    assert len(frame) == 60
    assert frame["age"].between(30, 39).all()
    assert (frame["joined"] >= "2024-02-01").all()  # ISO text compares as dates
    assert (frame["sex"] == " Female").all()


async def test_impossible_conditions_are_refused_at_request_time(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    model_id = await trained_model(alice, settings, options)
    url = f"/api/synthgen/models/{model_id}/generate"
    refused = [
        ({"joined": "2019-06-01"}, "joined"),  # before the first date the model saw
        ({"age": 130}, "age"),
        ({"age": 30.5}, "age"),
        ({"age": 10**400}, "age"),
        ({"sex": "other"}, "sex"),
        ({"member": "perhaps"}, "member"),
        ({"sex": "female", "colour": "red"}, "colour"),
        ({"age": {"min": 50, "max": 40}}, "age"),
        ({"age": {"min": 100}}, "age"),  # entirely above the ages the model saw
        ({"joined": {"max": "2020-01-01"}}, "joined"),
        ({"sex": {"min": "a"}}, "sex"),
        ({"age": {"from": 30}}, "age"),
        ({"age": {}}, "age"),
    ]
    for conditions, column in refused:
        response = await alice.post(url, json={"num_rows": 5, "conditions": conditions})
        assert response.status_code == 422, response.text
        [field] = response.json()["extra"]
        assert field["key"] == f"conditions.{column}"
        assert repr(column) in field["message"]
    jobs = (await alice.get("/api/synthgen/jobs", params={"model_id": model_id})).json()
    assert [job["job_type"] for job in jobs["items"]] == ["train"]  # nothing was queued
