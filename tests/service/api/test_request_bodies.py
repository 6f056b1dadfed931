"""Request bodies: errors name the field at fault, and numbers must be JSON integers."""

from __future__ import annotations

import pytest


async def _ready_model_url(alice, backstage) -> str:
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    return f"/api/synthgen/models/{ids['model_id']}/generate"


async def test_generate_with_no_body_uses_every_default(alice, backstage):
    url = await _ready_model_url(alice, backstage)
    response = await alice.post(url)
    assert response.status_code == 200, response.text
    job = (await alice.get(f"/api/synthgen/jobs/{response.json()['job_id']}")).json()
    assert job["config"] == {"num_rows": 1000, "seed": None, "conditions": None}


async def test_unknown_field_is_named(alice, backstage):
    url = await _ready_model_url(alice, backstage)
    response = await alice.post(url, json={"num_rows": 5, "rows": 5})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "rows"
    assert "unknown field" in response.json()["extra"][0]["message"]


async def test_missing_field_is_named(alice):
    ids = await alice.workflow()
    body = {"project_id": ids["project_id"], "dataset_version_id": ids["dataset_version_id"]}
    response = await alice.post("/api/synthgen/models", json=body)
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "name"
    response = await alice.post("/api/synthgen/models", json={**body, "name": "m", "colour": 1})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "colour"


async def test_a_body_that_is_not_an_object_names_no_field(alice, backstage):
    url = await _ready_model_url(alice, backstage)
    for content in (b"[]", b"{"):
        response = await alice.post(url, content=content)
        assert response.status_code == 400, content
        assert all(item.get("key") != "data" for item in response.json().get("extra", []))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("num_rows", "100"),
        ("num_rows", 1.5),
        ("num_rows", 100.0),
        ("num_rows", True),
        ("num_rows", False),
        ("seed", "7"),
        ("seed", True),
    ],
)
async def test_integers_must_be_json_integers(alice, backstage, field, value):
    url = await _ready_model_url(alice, backstage)
    response = await alice.post(url, json={field: value})
    assert response.status_code == 400, response.text
    error = response.json()["extra"][0]
    assert (error["key"], error["source"]) == (field, "body")
    assert "int" in error["message"]


async def test_nested_errors_name_the_dotted_path(alice, backstage):
    url = await _ready_model_url(alice, backstage)
    response = await alice.post(url, json={"conditions": ["city"]})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "conditions"


async def test_a_missing_body_where_one_is_required_says_so(alice):
    response = await alice.post("/api/synthgen/models")
    assert response.status_code == 400
    extra = response.json()["extra"]
    assert extra == [{"message": "this request needs a JSON object body", "source": "body"}]
