"""Ids in generated files: unique across chunks, and across a model's generate jobs."""

from __future__ import annotations

import io
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import pytest

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from tests.core.models.test_contract import MODEL_TYPES, _options
from tests.service.queue.support import Rows, drain, generate

pytestmark = pytest.mark.redis


def table(rows: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "customer_id": [f"cust-{i}" for i in range(rows)],
            "order_id": np.arange(1000, 1000 + rows),
            "city": rng.choice(["Paris", "Oslo"], rows),
            "amount": rng.normal(100.0, 15.0, rows).round(2),
        }
    )


async def trained(
    api: Any, rows: Rows, settings: Settings, options: WorkerOptions, kind: str
) -> str:
    project_id = await api.project()
    upload = await api.upload(project_id, content=table().to_csv(index=False).encode())
    assert upload.status_code == 201, upload.text
    version_id = upload.json()["dataset_version_id"]
    model = await api.model(project_id, version_id, model_type=kind, config=_options(kind, seed=0))
    await drain(settings, options)
    job = await rows.job(model["job_id"])
    assert job is not None and job.status == "completed", job and job.error
    return str(model["model_id"])


async def output(api: Any, rows: Rows, job_id: str) -> pd.DataFrame:
    job = await rows.job(job_id)
    assert job is not None and job.status == "completed", job and job.error
    download = await api.get(f"/api/synthgen/jobs/{job_id}/download")
    assert download.status_code == 200
    return pd.read_csv(io.BytesIO(download.content))


@pytest.mark.parametrize("kind", MODEL_TYPES)
async def test_ids_are_unique_across_chunks_that_do_not_divide_the_rows(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions, kind: str
) -> None:
    options = msgspec.structs.replace(options, chunk_rows=7)
    model_id = await trained(alice, rows, settings, options, kind)
    job_id = await generate(alice, model_id, num_rows=50, seed=1)
    await drain(settings, options)

    frame = await output(alice, rows, job_id)
    assert len(frame) == 50
    assert frame["customer_id"].is_unique and frame["order_id"].is_unique
    assert frame["customer_id"].tolist() == [f"cust-{i}" for i in range(1, 51)]
    assert frame["order_id"].tolist() == list(range(1000, 1050))


async def test_each_job_continues_the_model_numbering(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    options = msgspec.structs.replace(options, chunk_rows=7)
    model_id = await trained(alice, rows, settings, options, "gaussian_copula")
    first = await generate(alice, model_id, num_rows=30, seed=5)
    second = await generate(alice, model_id, num_rows=20, seed=5)
    third = await generate(alice, model_id, num_rows=10)
    await drain(settings, options)

    frames = [await output(alice, rows, job_id) for job_id in (first, second, third)]
    combined = pd.concat(frames, ignore_index=True)
    assert combined["order_id"].tolist() == list(range(1000, 1060))
    assert combined["customer_id"].tolist() == [f"cust-{i}" for i in range(1, 61)]
    # The same seed still gives the same values; only the ids move on.
    values = ["city", "amount"]
    pd.testing.assert_frame_equal(frames[1][values], frames[0][values].head(20))
