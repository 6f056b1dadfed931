"""Model creation refuses what the workers should not run: huge networks (422), unknown
devices (422), time budgets above the service's (422) and too many trainings at once (429)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from synthgen_service.settings import Settings

HUGE = {"generator_dim": [16384] * 16, "embedding_dim": 4096}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings with two trainings per owner, so 429 comes quickly."""
    return msgspec.structs.replace(settings, max_training_jobs_per_owner=2)


async def _create(api: Any, ids: dict[str, Any], **fields: Any) -> Any:
    body = {
        "project_id": ids["project_id"],
        "dataset_version_id": ids["dataset_version_id"],
        "name": "limits",
        **fields,
    }
    return await api.post("/api/synthgen/models", json=body)


async def _dataset(api: Any) -> dict[str, Any]:
    project_id = await api.project()
    return {"project_id": project_id, **(await api.dataset(project_id))}


async def _stored(api: Any) -> tuple[int, int]:
    models = (await api.get("/api/synthgen/models")).json()["total"]
    jobs = (await api.get("/api/synthgen/jobs")).json()["total"]
    return models, jobs


def _key(response: Any) -> str:
    [field] = response.json()["extra"]
    return str(field["key"])


async def test_a_33_billion_parameter_config_is_422_naming_the_option(alice: Any) -> None:
    ids = await _dataset(alice)
    response = await _create(alice, ids, model_type="ctgan", config=HUGE)
    assert response.status_code == 422, response.text
    body = response.json()
    assert "billion parameters" in body["detail"]
    assert "lower generator_dim or embedding_dim" in body["detail"]
    assert _key(response) == "config.generator_dim"
    assert await _stored(alice) == (0, 0)


async def test_memory_budget_is_the_services_setting(
    settings: Settings, serve: Any, caller: Any
) -> None:
    from synthgen_service.app import create_app

    tight = create_app(msgspec.structs.replace(settings, max_training_memory_bytes=64 * 2**20))
    async with serve(tight) as client:
        api = await caller(tight, client, "carol")
        ids = await _dataset(api)
        response = await _create(api, ids, model_type="tvae", config={"batch_size": 200_000})
        assert response.status_code == 422, response.text
        assert "of memory" in response.json()["detail"]
        assert _key(response) == "config.batch_size"
        fits = await _create(api, ids, model_type="tvae", config={"batch_size": 500})
        assert fits.status_code == 201, fits.text


@pytest.mark.parametrize("device", ["meta", "cpu:1", "quantum"])
async def test_an_unknown_device_is_422_naming_config_device(alice: Any, device: str) -> None:
    ids = await _dataset(alice)
    for model_type in ("ctgan", "autoregressive"):
        response = await _create(alice, ids, model_type=model_type, config={"device": device})
        assert response.status_code == 422, response.text
        assert f"unknown device {device!r}" in response.json()["detail"]
        assert _key(response) == "config.device"
    assert await _stored(alice) == (0, 0)


async def test_a_time_budget_above_the_services_is_422(alice: Any, settings: Settings) -> None:
    ids = await _dataset(alice)
    limit = settings.max_training_seconds
    response = await _create(alice, ids, config={"max_training_seconds": limit + 1})
    assert response.status_code == 422, response.text
    assert _key(response) == "config.max_training_seconds"
    assert f"at most {limit:g}" in response.json()["detail"]
    within = await _create(alice, ids, config={"max_training_seconds": limit})
    assert within.status_code == 201, within.text


async def test_other_config_errors_name_their_option_too(alice: Any) -> None:
    ids = await _dataset(alice)
    response = await _create(alice, ids, config={"epochs": 0})
    assert response.status_code == 422, response.text
    assert _key(response) == "config.epochs"


async def test_trainings_beyond_the_owners_limit_are_429_until_one_ends(
    alice: Any, bob: Any
) -> None:
    ids = await _dataset(alice)
    first = await _create(alice, ids, model_type="gaussian_copula")
    second = await _create(alice, ids, model_type="tvae")
    assert (first.status_code, second.status_code) == (201, 201)

    refused = await _create(alice, ids)
    assert refused.status_code == 429, refused.text
    body = refused.json()
    assert body["status_code"] == 429
    assert "2 training jobs pending or running" in body["detail"]
    assert "cancel" in body["detail"] and "/api/synthgen/jobs" in body["detail"]
    assert await _stored(alice) == (2, 2)

    other = await _dataset(bob)  # the limit is per owner
    assert (await _create(bob, other)).status_code == 201

    cancelled = await alice.post(f"/api/synthgen/jobs/{first.json()['job_id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert (await _create(alice, ids)).status_code == 201


async def test_generation_jobs_do_not_count_against_the_training_limit(
    alice: Any, backstage: Any
) -> None:
    ids = await _dataset(alice)
    model = (await _create(alice, ids, model_type="gaussian_copula")).json()
    await backstage.set_job(model["job_id"], "completed")
    await backstage.set_model(model["model_id"], "ready")
    for _ in range(3):
        generate = await alice.post(f"/api/synthgen/models/{model['model_id']}/generate", json={})
        assert generate.status_code == 200, generate.text
    assert (await _create(alice, ids)).status_code == 201
    assert (await _create(alice, ids)).status_code == 201
    assert (await _create(alice, ids)).status_code == 429


async def test_concurrent_requests_never_pass_the_per_owner_limit_together(alice: Any) -> None:
    import asyncio

    ids = await _dataset(alice)
    config = {"model_type": "gaussian_copula"}
    answers = await asyncio.gather(*(_create(alice, ids, **config) for _ in range(6)))
    statuses = sorted(response.status_code for response in answers)
    assert statuses == [201, 201, 429, 429, 429, 429], statuses
    assert await _stored(alice) == (2, 2)


async def test_two_api_processes_never_pass_the_limit_together(
    settings: Settings, serve: Any, caller: Any
) -> None:
    import asyncio

    from synthgen_service.app import create_app

    if settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("API processes share a PostgreSQL database; SQLite serves one process")
    first, second = create_app(settings), create_app(settings)
    async with serve(first) as one, serve(second) as two:
        api_one, api_two = await caller(first, one, "dave"), await caller(second, two, "dave")
        ids = await _dataset(api_one)
        calls = [_create(api, ids, model_type="gaussian_copula") for api in [api_one, api_two] * 3]
        statuses = sorted(response.status_code for response in await asyncio.gather(*calls))
    assert statuses == [201, 201, 429, 429, 429, 429], statuses
