from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from synthgen_service.store.tables import Artifact, Dataset, DatasetVersion, Job, Model, Project

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


async def test_create_returns_201_with_documented_fields(alice) -> None:
    response = await alice.post(
        "/api/projects", json={"name": "Fraud Detection v2", "description": "cards"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == body["project_id"]
    uuid.UUID(body["id"])
    assert body["name"] == "Fraud Detection v2"
    assert body["description"] == "cards"
    assert ISO_UTC.match(body["created_at"])


async def test_get_patch_and_delete(alice) -> None:
    project_id = await alice.project("Old name")
    got = await alice.get(f"/api/projects/{project_id}")
    assert got.status_code == 200
    assert got.json()["name"] == "Old name"

    patched = await alice.request(
        "PATCH", f"/api/projects/{project_id}", json={"description": "kept name"}
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "Old name"
    assert patched.json()["description"] == "kept name"

    deleted = await alice.delete(f"/api/projects/{project_id}")
    assert deleted.status_code == 200
    assert deleted.json() == {"ok": True, "project_id": project_id}
    assert (await alice.get(f"/api/projects/{project_id}")).status_code == 404


async def test_list_paginates_newest_first(alice) -> None:
    for index in range(5):
        await alice.project(f"p{index}")
    first = (await alice.get("/api/projects", params={"limit": 2})).json()
    assert first["total"] == 5
    assert (first["limit"], first["offset"]) == (2, 0)
    assert [item["name"] for item in first["items"]] == ["p4", "p3"]
    last = (await alice.get("/api/projects", params={"limit": 2, "offset": 4})).json()
    assert [item["name"] for item in last["items"]] == ["p0"]


async def test_list_defaults_to_limit_50(alice) -> None:
    body = (await alice.get("/api/projects")).json()
    assert (body["limit"], body["offset"], body["total"], body["items"]) == (50, 0, 0, [])


async def test_limit_out_of_range_is_400_naming_the_parameter(alice) -> None:
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "many"}):
        response = await alice.get("/api/projects", params=params)
        assert response.status_code == 400, params
        (name,) = params
        assert any(item["key"] == name for item in response.json()["extra"])


async def test_invalid_bodies_are_400_naming_the_field(alice) -> None:
    cases = [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "colour": "red"}, "colour"),
        ({"name": 5}, "name"),
    ]
    for body, field in cases:
        response = await alice.post("/api/projects", json=body)
        assert response.status_code == 400, body
        payload = response.json()
        assert payload["status_code"] == 400
        assert field in response.text, payload


async def test_malformed_json_is_400(alice) -> None:
    response = await alice.post(
        "/api/projects", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["status_code"] == 400


async def test_unknown_project_is_404_json(alice) -> None:
    response = await alice.get(f"/api/projects/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "not found" in response.json()["detail"]


async def test_delete_project_removes_datasets_models_jobs_and_files(alice, app, settings) -> None:
    ids = await alice.workflow()
    files_before = list((settings.data_dir / "artifacts").iterdir())
    assert len(files_before) == 1
    response = await alice.delete(f"/api/projects/{ids['project_id']}")
    assert response.status_code == 200
    assert (await alice.get(f"/api/datasets/{ids['dataset_id']}")).status_code == 404
    assert (await alice.get(f"/api/synthgen/models/{ids['model_id']}")).status_code == 404
    assert (await alice.get(f"/api/synthgen/jobs/{ids['job_id']}")).status_code == 404
    assert list((settings.data_dir / "artifacts").iterdir()) == []
    async with app.state.sessions() as session:
        for table in (Project, Dataset, DatasetVersion, Model, Job, Artifact):
            count = await session.scalar(sa.select(sa.func.count()).select_from(table))
            assert count == 0, table.__tablename__
