from __future__ import annotations

from contextlib import asynccontextmanager

from arq.connections import ArqRedis

from synthgen_service.app import create_app


async def test_health_and_ready_need_no_key(client):
    health = await client.get("/health")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = await client.get("/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert {k: body[k] for k in ("status", "database", "redis")} == {
        "status": "ready",
        "database": "ok",
        "redis": "ok",
    }


async def test_ready_is_503_when_redis_is_down(settings, serve):
    @asynccontextmanager
    async def unreachable(_settings):
        pool = ArqRedis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
        try:
            yield pool
        finally:
            await pool.aclose()

    async with serve(create_app(settings, queue=unreachable)) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "unavailable",
        "workers": 0,
        "warning": None,
    }


async def test_openapi_document_is_served_without_a_key(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/synthgen/models",
        "/api/synthgen/models/{model_id}",
        "/api/synthgen/models/{model_id}/generate",
        "/api/synthgen/jobs",
        "/api/synthgen/jobs/{job_id}",
        "/api/synthgen/jobs/{job_id}/download",
        "/api/synthgen/jobs/{job_id}/cancel",
        "/api/synthgen/model-types",
        "/api/projects",
        "/api/datasets/upload",
        "/api/datasets/{dataset_id}/versions",
        "/api/datasets/versions/{dataset_version_id}",
    ):
        assert path in paths, path
    upload = paths["/api/datasets/upload"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    assert (await client.get("/schema")).status_code == 200


async def test_unknown_route_is_404_json(client):
    response = await client.get("/nope")
    assert response.status_code == 404
    assert response.json()["status_code"] == 404
