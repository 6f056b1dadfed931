"""Production shape: PostgreSQL, a Redis of our own, the API and separate worker processes.

One module-scoped deployment; the tests run in file order and each leaves it healthy:
a worker killed with -9 mid-training, one stopped with SIGTERM mid-training, Redis
restarted between enqueue and pick-up, and 20 generate requests at once on one model.
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from synthgen_cli.keys import keys_create
from synthgen_service.settings import Settings
from tests.e2e.processes import Client, Launcher, Process, free_port, table, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
#: Fast failure detection, so the test sees recovery within seconds.
WORKER_ENV = {
    "SYNTHGEN_WORKER_HEARTBEAT_S": "0.5",
    "SYNTHGEN_WORKER_STALE_AFTER_S": "4",
    "SYNTHGEN_WORKER_RECOVERY_EVERY_S": "1",
    "SYNTHGEN_WORKER_PENDING_GRACE_S": "1",
    "SYNTHGEN_WORKER_MAX_JOBS": "4",
}


@dataclass
class Deployment:
    launcher: Launcher
    api: Client
    redis_port: int
    redis: Process
    env: dict[str, str]
    workers: list[Process]

    def worker(self) -> Process:
        process = self.launcher.worker(f"worker-{len(self.workers)}", {**self.env, **WORKER_ENV})
        self.workers.append(process)
        return process

    def restart_redis(self) -> None:
        self.redis.kill9()
        self.redis = self.launcher.redis(self.redis_port)


async def _schema(name: str, create: bool) -> None:
    engine = create_async_engine(POSTGRES)
    async with engine.begin() as conn:
        verb = f'CREATE SCHEMA "{name}"' if create else f'DROP SCHEMA "{name}" CASCADE'
        await conn.execute(sa.text(verb))
    await engine.dispose()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    tmp: Path = tmp_path_factory.mktemp("distributed")
    schema = f"e2e_{uuid.uuid4().hex}"
    asyncio.run(_schema(schema, create=True))
    launcher = Launcher(tmp / "logs")
    try:
        redis_port, api_port = free_port(), free_port()
        redis = launcher.redis(redis_port)
        settings = {
            "SYNTHGEN_DATA_DIR": str(tmp / "data"),
            "SYNTHGEN_DATABASE_URL": POSTGRES,
            "SYNTHGEN_DATABASE_SCHEMA": schema,
            "SYNTHGEN_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SYNTHGEN_PORT": str(api_port),
        }
        env = launcher.env(**settings)
        serve = launcher.serve(env)  # workers start once it has created the schema
        base = f"http://127.0.0.1:{api_port}"
        wait_for(lambda: requests.get(f"{base}/ready", timeout=2).ok, 60, "the API")
        assert serve.alive()
        key = keys_create(Settings.from_env(settings), "e2e")
        deployment = Deployment(launcher, Client(base, key), redis_port, redis, env, [])
        deployment.worker(), deployment.worker()
        yield deployment
    finally:
        launcher.stop_all()
        asyncio.run(_schema(schema, create=False))


def _wide_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """Big enough that training takes a few seconds."""
    rng = np.random.default_rng(seed)
    numbers = {f"x{i}": rng.normal(i, 1 + i, rows).round(3) for i in range(12)}
    labels = {f"c{i}": rng.choice(list("abcdefgh"), rows) for i in range(6)}
    return pd.DataFrame({**numbers, **labels})


def _job_status(api: Client, job_id: str) -> str:
    status: str = api.ok(api.get(f"/api/synthgen/jobs/{job_id}"))["status"]
    return status


def _picked_by(workers: list[Process], job_id: str) -> Process | None:
    """The worker whose log shows it started ``job_id`` (arq logs every job it starts)."""
    started = [w for w in workers if f"{job_id}:synthgen_train" in w.text()]
    return started[0] if started else None


def test_worker_killed_mid_training_is_retried_by_another(deployment: Deployment) -> None:
    api = deployment.api
    project_id, version_id = api.dataset(_wide_table(20_000))
    body = {
        "project_id": project_id,
        "dataset_version_id": version_id,
        "name": "big",
        "model_type": "gaussian_copula",
    }
    created = api.ok(api.post("/api/synthgen/models", json=body), 201)
    job_id = created["job_id"]

    victim: Process = wait_for(
        lambda: _picked_by(deployment.workers, job_id), 60, "a worker to take the job"
    )
    wait_for(lambda: _job_status(api, job_id) == "running", 30, "the job to run")
    victim.kill9()

    assert api.model_status(created["model_id"], timeout=90) == "ready"
    job = api.ok(api.get(f"/api/synthgen/jobs/{job_id}"))
    assert (job["status"], job["attempts"]) == ("completed", 2)
    [survivor] = [w for w in deployment.workers if w is not victim]
    assert survivor.alive() and f"{job_id}:synthgen_train" in survivor.text()


def test_training_killed_mid_way_resumes_from_its_checkpoint(deployment: Deployment) -> None:
    api = deployment.api
    project_id, version_id = api.dataset(_wide_table(2_000))
    config = {"epochs": 150, "batch_size": 500, "compress_dims": [32], "decompress_dims": [32]}
    body = {
        "project_id": project_id,
        "dataset_version_id": version_id,
        "name": "resumed",
        "model_type": "tvae",
        "config": config,
    }
    created = api.ok(api.post("/api/synthgen/models", json=body), 201)
    job_id = created["job_id"]
    victim: Process = wait_for(
        lambda: _picked_by(deployment.workers, job_id), 60, "a worker to take the job"
    )
    wait_for(lambda: api.epoch(job_id) >= 12, 120, "12 epochs (a checkpoint at 10)")
    victim.kill9()
    deployment.worker()  # a worker to take the job over (the killed one may be the last)

    assert api.model_status(created["model_id"], timeout=400) == "ready"
    job = api.ok(api.get(f"/api/synthgen/jobs/{job_id}"))
    assert (job["status"], job["attempts"]) == ("completed", 2)
    assert job["progress"]["resumed_from_epoch"] >= 10
    assert job["progress"]["epoch"] == 150
    model = api.ok(api.get(f"/api/synthgen/models/{created['model_id']}"))["model"]
    assert model["progress"]["resumed_from_epoch"] >= 10
    checkpoints = Path(deployment.env["SYNTHGEN_DATA_DIR"]) / "checkpoints"
    assert not list(checkpoints.glob("*")), "a completed training leaves no checkpoint"


def test_worker_stopped_with_sigterm_hands_its_job_back_and_exits_cleanly(
    deployment: Deployment,
) -> None:
    deployment.worker()  # the previous test left one worker alive; this one stops one
    api = deployment.api
    project_id, version_id = api.dataset(_wide_table(20_000, seed=1))
    body = {
        "project_id": project_id,
        "dataset_version_id": version_id,
        "name": "stopped",
        "model_type": "gaussian_copula",
    }
    created = api.ok(api.post("/api/synthgen/models", json=body), 201)
    job_id = created["job_id"]

    victim: Process = wait_for(
        lambda: _picked_by(deployment.workers, job_id), 60, "a worker to take the job"
    )
    wait_for(lambda: _job_status(api, job_id) == "running", 30, "the job to run")
    assert victim.stop() == 0
    assert "Traceback" not in victim.text()

    assert api.model_status(created["model_id"], timeout=90) == "ready"
    job = api.ok(api.get(f"/api/synthgen/jobs/{job_id}"))
    assert (job["status"], job["attempts"]) == ("completed", 2)


def test_job_enqueued_before_a_redis_restart_is_not_lost(deployment: Deployment) -> None:
    api = deployment.api
    model_id = _ready_model(api)
    assert api.model_status(model_id, timeout=60) == "ready"
    for worker in deployment.workers:
        worker.stop()
    job_id = api.ok(
        api.post(f"/api/synthgen/models/{model_id}/generate", json={"num_rows": 777, "seed": 5})
    )["synthgen_job_id"]

    deployment.restart_redis()  # the queue is gone; the database still says pending
    time.sleep(1.0)  # past the pending grace period
    deployment.worker()

    job = api.job(job_id, timeout=60)
    assert job["status"] == "completed", job
    frame = pd.read_csv(io.BytesIO(api.get(f"/api/synthgen/jobs/{job_id}/download").content))
    assert len(frame) == 777


def test_twenty_concurrent_generations_all_complete(deployment: Deployment) -> None:
    api = deployment.api
    model_id = _ready_model(api)
    assert api.model_status(model_id, timeout=60) == "ready"
    sizes = [100 + 37 * i for i in range(20)]

    def request(rows: int) -> str:
        body = {"num_rows": rows, "seed": rows}
        response = api.post(f"/api/synthgen/models/{model_id}/generate", json=body)
        job_id: str = api.ok(response)["synthgen_job_id"]
        return job_id

    with ThreadPoolExecutor(max_workers=20) as pool:
        job_ids = list(pool.map(request, sizes))
    for job_id, rows in zip(job_ids, sizes, strict=True):
        assert api.job(job_id, timeout=120)["status"] == "completed"
        content = api.get(f"/api/synthgen/jobs/{job_id}/download").content
        assert len(pd.read_csv(io.BytesIO(content))) == rows


def _ready_model(api: Client) -> str:
    project_id, version_id = api.dataset(table())
    body = {
        "project_id": project_id,
        "dataset_version_id": version_id,
        "name": "gc",
        "model_type": "gaussian_copula",
    }
    model_id: str = api.ok(api.post("/api/synthgen/models", json=body), 201)["model_id"]
    return model_id
