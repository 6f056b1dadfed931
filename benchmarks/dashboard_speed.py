"""``python -m benchmarks dashboard-speed``: server-side render time of the dashboard's pages.

One project holds ``--models`` models (1,000 by default), each with a completed generation
and its quality report, so the project page's queries (models, their latest reports,
datasets) meet a realistic table. Each page is requested ``--requests`` times through the
real app (SQLite in a temporary data dir, the embedded queue, Jinja2 rendering), in process,
so the time is the server's alone: no network, no browser. The timed model carries a full
loss history (4 series at 200 epochs), the most its loss curve ever draws. Prints p50 and
p95 per page and exits 1 when a p95 is over ``--budget-ms`` (50 ms).

    python -m benchmarks dashboard-speed [--models 1000] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import msgspec

from synthgen_cli.serve import embedded_queue
from synthgen_service.app import create_app
from synthgen_service.queue.loss_history import LossRecorder
from synthgen_service.settings import Settings
from synthgen_service.store import jobs, keys, models
from synthgen_service.store.payloads import GenerateJob, TrainJob
from synthgen_service.store.status import JobStatus, ModelStatus
from synthgen_service.store.tables import Model

CSV = "age,city\n" + "".join(f"{20 + i % 50},{'abc'[i % 3]}\n" for i in range(200))
#: A report the size of a wide table's: 20 columns, each with a 20-bin distribution.
COLUMNS = [f"column {i}" for i in range(20)]
REPORT = {
    "score": 0.91,
    "column_shapes": 0.93,
    "pair_trends": 0.89,
    "n_real": 1000,
    "n_synthetic": 10,
    "shapes": [{"column": c, "kind": "numerical", "metric": "ks", "score": 0.9} for c in COLUMNS],
    "marginals": [
        {
            "column": c,
            "labels": [str(b) for b in range(20)],
            "real": [0.05] * 20,
            "synthetic": [0.05] * 20,
        }
        for c in COLUMNS
    ],
    "privacy": {
        "exact_copy_rate": 0.0,
        "dcr_median": 0.2,
        "dcr_baseline_median": 0.3,
        "dcr_ratio": 0.67,
        "closer_to_train": None,
        "n_queries": 10,
        "n_reference": 200,
    },
}


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "dashboard-speed",
        help="time the dashboard's pages with 1,000 models in a project",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--models", type=int, default=1000, help="models in the project")
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--budget-ms", type=float, default=50.0, help="most p95 allowed")
    parser.set_defaults(handler=run)


async def _fill(app: Any, project_id: uuid.UUID, version_id: uuid.UUID, count: int) -> None:
    """``count`` ready models, each with one completed generation and its report."""
    async with app.state.sessions() as session:
        for i in range(count):
            model = await models.create(
                session,
                project_id=project_id,
                dataset_version_id=version_id,
                name=f"model {i}",
                model_type="gaussian_copula",
                config={},
            )
            model.status = ModelStatus.READY
            await jobs.create(
                session, model_id=model.id, project_id=project_id, payload=TrainJob(options={})
            )
            job = await jobs.create(
                session, model_id=model.id, project_id=project_id, payload=GenerateJob(num_rows=10)
            )
            job.status, job.report = JobStatus.COMPLETED, REPORT
        await session.commit()


async def _with_loss_curve(app: Any, model_id: uuid.UUID) -> None:
    """A CTGAN-like training's progress after 1,000 epochs: the largest loss curve."""
    recorder = LossRecorder()
    for epoch in range(1, 1001):
        losses = {"generator": 1 / epoch, "discriminator": -1 / epoch, "validation": 0.5}
        history = recorder.add(epoch, {**losses, "validation_smoothed": 0.4})
    progress = {"phase": "done", "epoch": 1000, "total_epochs": 1000}
    async with app.state.sessions() as session:
        row = await session.get(Model, model_id)
        assert row is not None
        row.progress = {**progress, "loss_history": msgspec.to_builtins(history)}
        await session.commit()


async def _sign_in(app: Any, http: httpx.AsyncClient) -> None:
    async with app.state.sessions() as session:
        _, key = await keys.create(session, name="bench", owner="bench")
        await session.commit()
    form = (await http.get("/")).text
    token = re.search(r'name="_csrf" value="([^"]+)"', form)
    assert token is not None
    await http.post("/dashboard/sign-in", data={"api_key": key, "_csrf": token.group(1)})


async def _project(app: Any, http: httpx.AsyncClient, count: int) -> dict[str, str]:
    """The pages to time, after making the project, its dataset and its models."""
    await _sign_in(app, http)
    form = (await http.get("/dashboard/projects/new")).text
    token = re.search(r'name="_csrf" value="([^"]+)"', form)
    assert token is not None
    created = await http.post(
        "/dashboard/projects", data={"name": "bench", "_csrf": token.group(1)}
    )
    project_url = created.headers["location"]
    files = {"file": ("t.csv", CSV.encode(), "text/csv")}
    await http.post(
        project_url + "/upload", data={"name": "t", "_csrf": token.group(1)}, files=files
    )
    version = re.search(r"/dashboard/versions/([0-9a-f-]{36})", (await http.get(project_url)).text)
    assert version is not None
    project_id = uuid.UUID(project_url.rsplit("/", 1)[1])
    await _fill(app, project_id, uuid.UUID(version.group(1)), count)
    model = re.search(r"/dashboard/models/([0-9a-f-]{36})", (await http.get(project_url)).text)
    job = re.search(r"/dashboard/jobs/([0-9a-f-]{36})", (await http.get("/dashboard/jobs")).text)
    assert model is not None
    await _with_loss_curve(app, uuid.UUID(model.group(1)))
    assert job is not None
    return {
        "projects": "/dashboard/projects",
        "project (1,000 models)": project_url,
        "models table (htmx)": project_url + "/models",
        "model": f"/dashboard/models/{model.group(1)}",
        "dataset version": f"/dashboard/versions/{version.group(1)}",
        "model types": "/dashboard/model-types",
        "delete project? (confirmation)": f"{project_url}/delete",
        "generate form": f"/dashboard/models/{model.group(1)}/generate",
        "job (report of 20 columns)": f"/dashboard/jobs/{job.group(1)}",
        "jobs (2,000 jobs)": "/dashboard/jobs",
    }


async def _time(http: httpx.AsyncClient, url: str, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = await http.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


async def _measure(data_dir: Path, count: int, requests: int) -> dict[str, list[float]]:
    settings = Settings(data_dir=data_dir)
    app = create_app(settings, queue=embedded_queue(settings))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as http:
            pages = await _project(app, http, count)
            return {name: await _time(http, url, requests) for name, url in pages.items()}


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        timings = asyncio.run(_measure(Path(tmp), args.models, args.requests))
    over = False
    print(f"| page | p50 ms | p95 ms |  ({args.models} models, {args.requests} requests each)")
    print("|---|---:|---:|")
    for name, times in timings.items():
        p95 = statistics.quantiles(times, n=20)[-1]
        over = over or p95 > args.budget_ms
        print(f"| {name} | {statistics.median(times):.1f} | {p95:.1f} |")
    return 1 if over else 0
