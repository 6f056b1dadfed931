from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from synthgen_service.store import keys
from synthgen_service.store.tables import ApiKey


async def test_missing_malformed_and_unknown_keys_are_401_json(client):
    cases = [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer sg_not-a-real-key"},
        {"Authorization": "Bearer two words"},
    ]
    for headers in cases:
        response = await client.get("/api/projects", headers=headers)
        assert response.status_code == 401, headers
        body = response.json()
        assert body["status_code"] == 401
        assert "key" in body["detail"]


async def test_revoked_key_is_401(alice, app):
    assert (await alice.get("/api/projects")).status_code == 200
    async with app.state.sessions() as session:
        assert await keys.revoke(session, alice.key) is not None
        await session.commit()
    assert (await alice.get("/api/projects")).status_code == 401


async def test_only_a_hash_of_each_key_is_stored(alice, app):
    async with app.state.sessions() as session:
        rows = (await session.execute(sa.select(ApiKey.__table__))).all()
    dumped = repr(rows)
    assert alice.key not in dumped
    assert keys.hash_key(alice.key) in dumped


async def test_another_owners_resources_answer_404_like_missing_ones(alice, bob, backstage):
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    urls = [
        ("GET", f"/api/projects/{ids['project_id']}"),
        ("DELETE", f"/api/projects/{ids['project_id']}"),
        ("GET", f"/api/datasets/{ids['dataset_id']}"),
        ("GET", f"/api/datasets/versions/{ids['dataset_version_id']}"),
        ("DELETE", f"/api/datasets/{ids['dataset_id']}"),
        ("GET", f"/api/synthgen/models/{ids['model_id']}"),
        ("POST", f"/api/synthgen/models/{ids['model_id']}/generate"),
        ("DELETE", f"/api/synthgen/models/{ids['model_id']}"),
        ("GET", f"/api/synthgen/jobs/{ids['job_id']}"),
        ("GET", f"/api/synthgen/jobs/{ids['job_id']}/download"),
        ("POST", f"/api/synthgen/jobs/{ids['job_id']}/cancel"),
    ]
    for method, url in urls:
        kwargs: dict[str, Any] = {"json": {}} if url.endswith("generate") else {}
        response = await bob.request(method, url, **kwargs)
        assert response.status_code == 404, (method, url)
        assert response.json()["status_code"] == 404
    assert (await alice.get(f"/api/synthgen/models/{ids['model_id']}")).status_code == 200


async def test_cannot_use_another_owners_project_or_dataset(alice, bob, tables):
    ids = await alice.workflow()
    upload = await bob.upload(ids["project_id"], tables.csv(tables.frame()))
    assert upload.status_code == 404
    bob_project = await bob.project()
    model = await bob.post(
        "/api/synthgen/models",
        json={
            "project_id": bob_project,
            "dataset_version_id": ids["dataset_version_id"],
            "name": "stolen",
        },
    )
    assert model.status_code == 404
    version = await bob.post(
        f"/api/datasets/{ids['dataset_id']}/versions",
        files={"file": ("a.csv", tables.csv(tables.frame()))},
    )
    assert version.status_code == 404


async def test_lists_only_show_the_callers_resources(alice, bob):
    await alice.workflow()
    for url in ("/api/projects", "/api/datasets", "/api/synthgen/models", "/api/synthgen/jobs"):
        assert (await bob.get(url)).json()["total"] == 0, url
        assert (await alice.get(url)).json()["total"] == 1, url


async def test_keys_of_the_same_owner_share_projects(alice, app, client):
    project_id = await alice.project()
    async with app.state.sessions() as session:
        _, second = await keys.create(session, name="ci", owner="alice")
        await session.commit()
    response = await client.get(
        f"/api/projects/{project_id}", headers={"Authorization": f"Bearer {second}"}
    )
    assert response.status_code == 200
