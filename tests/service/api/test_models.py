from __future__ import annotations

import uuid
from contextlib import asynccontextmanager

import msgspec
from arq.connections import ArqRedis
from arq.jobs import Job, JobStatus

from synthgen_core.models.registry import model_types
from synthgen_service.app import create_app
from synthgen_service.queue.serialization import job_deserializer


async def _queued(app, settings, job_id: str):
    job = Job(
        job_id, app.state.queue, _queue_name=settings.queue_name, _deserializer=job_deserializer
    )
    return await job.status(), await job.info()


async def test_create_returns_201_and_enqueues_synthgen_train(alice, app, settings):
    project_id = await alice.project()
    dataset = await alice.dataset(project_id)
    response = await alice.post(
        "/api/synthgen/models",
        json={
            "project_id": project_id,
            "dataset_version_id": dataset["dataset_version_id"],
            "name": "Transactions CTGAN",
            "model_type": "ctgan",
            "config": {"epochs": 3, "batch_size": 20},
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "model_id", "job_id", "status"}
    assert body["id"] == body["model_id"]
    assert body["status"] == "pending"
    status, info = await _queued(app, settings, body["job_id"])
    assert status == JobStatus.queued
    assert info.function == "synthgen_train"
    assert list(info.args) == [body["job_id"]]


async def test_model_type_defaults_to_ctgan_and_config_keeps_given_options(alice):
    ids = await alice.workflow()
    model = (await alice.get(f"/api/synthgen/models/{ids['model_id']}")).json()["model"]
    assert model["model_type"] == "ctgan"
    detail = await alice.model(
        ids["project_id"], ids["dataset_version_id"], config={"epochs": 7, "batch_size": 40}
    )
    config = (await alice.get(f"/api/synthgen/models/{detail['model_id']}")).json()["model"][
        "config"
    ]
    assert (config["epochs"], config["batch_size"]) == (7, 40)


async def test_every_listed_model_type_is_accepted(alice, backstage):
    ids = await alice.workflow()
    types = (await alice.get("/api/synthgen/model-types")).json()["model_types"]
    for model_type in types:
        created = await alice.model(
            ids["project_id"], ids["dataset_version_id"], model_type=model_type["id"]
        )
        got = await alice.get(f"/api/synthgen/models/{created['model_id']}")
        assert got.json()["model"]["model_type"] == model_type["id"]
        # an owner has a few unfinished trainings at most (test_model_limits.py)
        await backstage.set_job(created["job_id"], "completed")


async def test_invalid_config_is_422_naming_the_option(alice):
    ids = await alice.workflow()
    cases = [
        ({"model_type": "ctgan", "config": {"batch_size": 500, "pac": 7}}, "pac"),
        ({"model_type": "tvae", "config": {"epochz": 3}}, "epochz"),
        ({"model_type": "ctgan", "config": {"epochs": "many"}}, "epochs"),
        ({"model_type": "gpt", "config": {}}, "model_type"),
    ]
    for fields, option in cases:
        response = await alice.post(
            "/api/synthgen/models",
            json={
                "project_id": ids["project_id"],
                "dataset_version_id": ids["dataset_version_id"],
                "name": "bad",
                **fields,
            },
        )
        assert response.status_code == 422, (fields, response.text)
        assert option in response.json()["detail"]


async def test_missing_or_mistyped_fields_are_400_naming_them(alice):
    ids = await alice.workflow()
    base = {
        "project_id": ids["project_id"],
        "dataset_version_id": ids["dataset_version_id"],
        "name": "m",
    }
    for field in ("project_id", "dataset_version_id", "name"):
        body = {k: v for k, v in base.items() if k != field}
        response = await alice.post("/api/synthgen/models", json=body)
        assert response.status_code == 400
        assert field in response.text
    response = await alice.post("/api/synthgen/models", json={**base, "project_id": "nope"})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "project_id"


async def test_dataset_version_of_another_project_is_404(alice):
    ids = await alice.workflow()
    other_project = await alice.project("other")
    response = await alice.post(
        "/api/synthgen/models",
        json={
            "project_id": other_project,
            "dataset_version_id": ids["dataset_version_id"],
            "name": "m",
        },
    )
    assert response.status_code == 404
    unknown = await alice.post(
        "/api/synthgen/models",
        json={
            "project_id": str(uuid.uuid4()),
            "dataset_version_id": ids["dataset_version_id"],
            "name": "m",
        },
    )
    assert unknown.status_code == 404


async def test_list_has_dataset_fields_filters_and_paginates(alice):
    ids = await alice.workflow()
    other = await alice.project("other")
    other_dataset = await alice.dataset(other)
    await alice.model(other, other_dataset["dataset_version_id"], name="second")
    everything = (await alice.get("/api/synthgen/models")).json()
    assert everything["total"] == 2
    filtered = (
        await alice.get("/api/synthgen/models", params={"project_id": ids["project_id"]})
    ).json()
    assert filtered["total"] == 1
    (item,) = filtered["items"]
    assert item["id"] == ids["model_id"]
    assert item["dataset_name"] == "Transactions Q4"
    assert item["dataset_version"] == 0
    assert item["status"] == "pending"
    assert {"name", "model_type", "created_at"} <= set(item)
    page = (await alice.get("/api/synthgen/models", params={"limit": 1, "offset": 1})).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (2, 1, 1, 1)
    assert page["items"][0]["id"] == ids["model_id"]


async def test_detail_has_model_and_its_jobs(alice):
    ids = await alice.workflow()
    response = await alice.get(f"/api/synthgen/models/{ids['model_id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["model"]["id"] == ids["model_id"]
    assert body["model"]["dataset_id"] == ids["dataset_id"]
    assert body["model"]["dataset_version"] == 0
    (job,) = body["jobs"]
    assert (job["id"], job["job_type"], job["status"]) == (ids["job_id"], "train", "pending")


async def test_generate_needs_a_ready_model(alice, backstage):
    ids = await alice.workflow()
    url = f"/api/synthgen/models/{ids['model_id']}/generate"
    refused = await alice.post(url, json={"num_rows": 10})
    assert refused.status_code == 409
    assert "ready" in refused.json()["detail"]
    await backstage.set_model(ids["model_id"], "failed")
    assert (await alice.post(url, json={})).status_code == 409


async def test_generate_enqueues_synthgen_generate(alice, app, settings, backstage):
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    url = f"/api/synthgen/models/{ids['model_id']}/generate"
    response = await alice.post(url, json={"num_rows": 10, "seed": 42})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["job_id"] == body["synthgen_job_id"]
    assert body["status"] == "pending"
    status, info = await _queued(app, settings, body["job_id"])
    assert status == JobStatus.queued
    assert info.function == "synthgen_generate"
    job = (await alice.get(f"/api/synthgen/jobs/{body['job_id']}")).json()
    assert job["job_type"] == "generate"
    assert job["config"]["num_rows"] == 10
    assert job["config"]["seed"] == 42


async def test_generate_defaults_to_1000_rows(alice, backstage):
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    response = await alice.post(f"/api/synthgen/models/{ids['model_id']}/generate", json={})
    assert response.status_code == 200
    job = (await alice.get(f"/api/synthgen/jobs/{response.json()['job_id']}")).json()
    assert job["config"]["num_rows"] == 1000


async def test_generate_rejects_bad_row_counts(alice, backstage, settings):
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    url = f"/api/synthgen/models/{ids['model_id']}/generate"
    for rows in (0, -5, "ten"):
        response = await alice.post(url, json={"num_rows": rows})
        assert response.status_code == 400, rows
        assert response.json()["extra"][0]["key"] == "num_rows"
    too_many = await alice.post(url, json={"num_rows": settings.max_generate_rows + 1})
    assert too_many.status_code == 422
    assert too_many.json()["extra"][0]["key"] == "num_rows"


async def test_generate_checks_conditions_against_the_dataset(alice, backstage):
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    url = f"/api/synthgen/models/{ids['model_id']}/generate"
    bad = [
        ({"colour": "red"}, "conditions.colour"),
        ({"city": 3}, "conditions.city"),
        ({"city": "Atlantis"}, "conditions.city"),
        ({"income": "high"}, "conditions.income"),
        ({"member": [True]}, "conditions.member"),
        ({"city": {"min": "A"}}, "conditions.city"),  # a range on a category
        ({"income": {"min": 60_000, "max": 40_000}}, "conditions.income"),
        ({"income": {"min": 50_000, "above": 1}}, "conditions.income"),
        ({"income": {"min": 10**7}}, "conditions.income"),  # beyond every learned income
        ({"income": {"max": "lots"}}, "conditions.income"),
    ]
    for conditions, key in bad:
        response = await alice.post(url, json={"num_rows": 5, "conditions": conditions})
        assert response.status_code == 422, conditions
        assert response.json()["extra"][0]["key"] == key
    good = await alice.post(
        url, json={"num_rows": 5, "conditions": {"city": "Zürich", "member": True}}
    )
    assert good.status_code == 200, good.text
    ranged = {"income": {"min": 40_000, "max": 60_000}, "member": True}
    accepted = await alice.post(url, json={"num_rows": 5, "conditions": ranged})
    assert accepted.status_code == 200, accepted.text
    job = (await alice.get(f"/api/synthgen/jobs/{accepted.json()['job_id']}")).json()
    assert job["config"]["conditions"] == ranged  # stored as asked, for the worker


async def test_delete_model_removes_jobs_queue_entries_and_files(
    alice, app, settings, backstage, tables
):
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    generated = await alice.post(f"/api/synthgen/models/{ids['model_id']}/generate", json={})
    generate_id = generated.json()["job_id"]
    await backstage.complete_job(ids["job_id"], "alice", tables.frame(rows=5))
    response = await alice.delete(f"/api/synthgen/models/{ids['model_id']}")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "model_id": ids["model_id"]}
    assert (await alice.get(f"/api/synthgen/models/{ids['model_id']}")).status_code == 404
    assert (await alice.get(f"/api/synthgen/jobs/{ids['job_id']}")).status_code == 404
    status, _ = await _queued(app, settings, generate_id)
    assert status == JobStatus.not_found
    stored = list((settings.data_dir / "artifacts").iterdir())
    assert [path.name for path in stored] == [ids["artifact_id"]]
    assert (await alice.delete(f"/api/synthgen/models/{ids['model_id']}")).status_code == 404


async def test_delete_model_with_running_job(alice, backstage):
    ids = await alice.workflow()
    await backstage.set_job(ids["job_id"], "running")
    response = await alice.delete(f"/api/synthgen/models/{ids['model_id']}")
    assert response.status_code == 200
    assert (await alice.get(f"/api/synthgen/jobs/{ids['job_id']}")).status_code == 404


async def test_model_types_lists_the_four_architectures(alice):
    response = await alice.get("/api/synthgen/model-types")
    assert response.status_code == 200
    types = {item["id"]: item for item in response.json()["model_types"]}
    assert {"ctgan", "copulagan", "tvae", "gaussian_copula"} <= set(types)
    assert types["ctgan"]["name"] == "CTGAN"
    assert "pac" in types["ctgan"]["config_schema"]["$defs"]["CTGANConfig"]["properties"]
    assert all(item["description"] for item in types.values())
    assert response.json()["model_types"] == msgspec.to_builtins(model_types())


async def test_queue_down_is_503_and_the_job_stays_recorded(settings, serve, caller):
    @asynccontextmanager
    async def unreachable(_settings):
        pool = ArqRedis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
        try:
            yield pool
        finally:
            await pool.aclose()

    down = create_app(settings, queue=unreachable)
    async with serve(down) as client:
        api = await caller(down, client, "carol")
        project_id = await api.project()
        dataset = await api.dataset(project_id)
        response = await api.post(
            "/api/synthgen/models",
            json={
                "project_id": project_id,
                "dataset_version_id": dataset["dataset_version_id"],
                "name": "m",
            },
        )
        assert response.status_code == 503
        assert "queue" in response.json()["detail"]
        jobs = (await api.get("/api/synthgen/jobs")).json()
        assert [item["status"] for item in jobs["items"]] == ["pending"]
