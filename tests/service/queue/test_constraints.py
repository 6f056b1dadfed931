"""Constraints through the service: checked against the dataset at create, kept in every row."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from tests.service.conftest import csv_bytes
from tests.service.queue.support import Rows, drain, generate

pytestmark = pytest.mark.redis

CONSTRAINTS = [
    {"kind": "inequality", "low": "start", "high": "end"},
    {"kind": "fixed_combinations", "columns": ["city", "country"]},
    {"kind": "positive", "column": "amount"},
    {"kind": "formula", "column": "total", "expression": "amount + fee"},
]


def trips(rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    city = rng.choice(["Paris", "Lyon", "Oslo", "Bergen"], rows)
    start = rng.uniform(0, 100, rows).round(1)
    amount = rng.exponential(20, rows).round(2)
    fee = rng.choice([1.5, 2.5], rows)
    return pd.DataFrame(
        {
            "start": start,
            "end": (start + rng.exponential(5, rows)).round(1),
            "city": city,
            "country": np.where(np.isin(city, ["Paris", "Lyon"]), "FR", "NO"),
            "amount": amount,
            "fee": fee,
            "total": (amount + fee).round(2),
        }
    )


async def _dataset(api: Any) -> tuple[str, str]:
    project_id = await api.project()
    response = await api.upload(project_id, content=csv_bytes(trips()), filename="trips.csv")
    assert response.status_code == 201, response.text
    return project_id, str(response.json()["dataset_version_id"])


@pytest.mark.parametrize(
    ("constraint", "key", "words"),
    [
        ({"kind": "inequality", "low": "start", "high": "stop"}, "constraints[0].high", "'stop'"),
        ({"kind": "positive", "column": "city"}, "constraints[0].column", "categorical"),
        ({"kind": "range", "column": "amount", "low": 9, "high": 1}, "constraints[0]", "contrad"),
        (
            {"kind": "formula", "column": "total", "expression": "abs(amount)"},
            "constraints[0]",
            "call",
        ),
    ],
)
async def test_a_bad_constraint_is_422_naming_it(alice, constraint, key, words):
    project_id, version_id = await _dataset(alice)
    body = {
        "project_id": project_id,
        "dataset_version_id": version_id,
        "name": "constrained",
        "model_type": "gaussian_copula",
        "config": {"constraints": [constraint]},
    }
    response = await alice.post("/api/synthgen/models", json=body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert words in error["detail"]
    assert [item["key"] for item in error["extra"]] == [f"config.{key}"]


async def test_generated_rows_keep_every_constraint(
    alice: Any, rows: Rows, settings: Settings, options: WorkerOptions
) -> None:
    project_id, version_id = await _dataset(alice)
    config = {"seed": 0, "constraints": CONSTRAINTS}
    model = await alice.model(project_id, version_id, model_type="gaussian_copula", config=config)
    await drain(settings, options)
    job_id = await generate(
        alice, model["model_id"], num_rows=3000, seed=1, conditions={"country": "NO"}
    )
    await drain(settings, options)

    job = await rows.job(job_id)
    assert job is not None and job.status == "completed", job and job.error
    frame = pd.read_csv(
        io.BytesIO((await alice.get(f"/api/synthgen/jobs/{job_id}/download")).content)
    )
    assert len(frame) == 3000
    assert (frame["start"] <= frame["end"]).all()
    assert set(frame["city"]) <= {"Oslo", "Bergen"} and (frame["country"] == "NO").all()
    assert (frame["amount"] >= 0).all()
    assert ((frame["amount"] + frame["fee"] - frame["total"]).abs() <= 0.0051).all()


async def test_a_dataset_version_lists_the_constraints_its_rows_keep(alice: Any) -> None:
    _, version_id = await _dataset(alice)
    response = await alice.get(f"/api/datasets/versions/{version_id}")
    assert response.status_code == 200, response.text
    suggested = response.json()["suggested_constraints"]
    found = [item["constraint"] for item in suggested]
    assert {"kind": "inequality", "low": "start", "high": "end", "strict": False} in found
    assert {"kind": "fixed_combinations", "columns": ["city", "country"]} in found
    assert all(item["rows_checked"] == 200 and item["evidence"] for item in suggested)
