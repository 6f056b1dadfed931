"""The spec's Full Workflow Example against ``synthgen serve`` with embedded defaults."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

from tests.e2e.processes import Client, Launcher, free_port, key_from, table, wait_for

pytestmark = pytest.mark.e2e

HAS_CTGAN = importlib.util.find_spec("synthgen_core.models.ctgan.model") is not None
MODELS = [
    pytest.param("gaussian_copula", {}, id="gaussian_copula"),
    pytest.param(
        "ctgan",
        {
            "epochs": 2,
            "batch_size": 100,
            "pac": 10,
            "generator_dim": [32],
            "discriminator_dim": [32],
        },
        id="ctgan",
        marks=pytest.mark.skipif(not HAS_CTGAN, reason="CTGAN is not in this build yet"),
    ),
]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One ``synthgen serve`` (embedded Redis + worker) for the module's tests."""
    tmp = tmp_path_factory.mktemp("embedded")
    launcher = Launcher(tmp / "logs")
    port = free_port()
    env = launcher.env(SYNTHGEN_DATA_DIR=str(tmp / "data"), SYNTHGEN_PORT=str(port))
    serve = launcher.serve(env)
    try:
        key = key_from(serve)
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: requests.get(f"{base}/ready", timeout=2).ok, 60, "the service to be ready")
        yield Client(base, key), tmp / "data"
    finally:
        launcher.stop_all()


@pytest.mark.parametrize(("model_type", "config"), MODELS)
def test_full_workflow(
    embedded: tuple[Client, Path], model_type: str, config: dict[str, Any]
) -> None:
    api, _ = embedded
    project_id, version_id = api.dataset(table())

    # 1. Train
    created = api.ok(
        api.post(
            "/api/synthgen/models",
            json={
                "project_id": project_id,
                "dataset_version_id": version_id,
                "name": f"Transactions {model_type} v1",
                "model_type": model_type,
                "config": config,
            },
        ),
        201,
    )
    assert created["status"] == "pending"
    model_id = created["model_id"]
    # 2. Wait for training
    assert api.model_status(model_id, timeout=90) == "ready"
    trained = api.ok(api.get(f"/api/synthgen/models/{model_id}"))["model"]
    assert trained["progress"]["phase"] == "done"
    if "epochs" in config:
        assert trained["progress"]["epoch"] == trained["progress"]["total_epochs"] == 2
    # 3. Generate
    resp = api.ok(
        api.post(f"/api/synthgen/models/{model_id}/generate", json={"num_rows": 10000, "seed": 42})
    )
    job_id = resp["synthgen_job_id"]
    # 4. Wait for generation
    job = api.job(job_id, timeout=90)
    assert job["status"] == "completed", job
    assert job["progress"]["rows_written"] == 10000
    assert 0.0 <= job["report"]["score"] <= 1.0
    # 5. Download
    download = api.get(f"/api/synthgen/jobs/{job_id}/download")
    assert download.status_code == 200
    frame = pd.read_csv(io.BytesIO(download.content))
    assert len(frame) == 10000
    assert list(frame.columns) == ["amount", "merchant", "hour", "fraud"]
    assert set(frame["merchant"]) <= {"grocery", "fuel", "travel", "online"}
