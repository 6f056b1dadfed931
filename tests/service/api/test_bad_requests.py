"""Hostile or unlucky requests get a JSON 4xx/507, and none of them leaves a file behind."""

from __future__ import annotations

from pathlib import Path

import httpx
import sqlalchemy as sa

from synthgen_service.settings import Settings
from tests.service.conftest import Api
from tests.service.full_disk import fill_disk

#: A version insert refused as a concurrent twin would be (a unique violation), after the
#: upload's file was published.
_REFUSE_VERSIONS = {
    "sqlite": [
        "CREATE TRIGGER refuse_versions BEFORE INSERT ON dataset_versions "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_versions() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = 'unique_violation'; END $$",
        "CREATE TRIGGER refuse_versions BEFORE INSERT ON dataset_versions "
        "FOR EACH ROW EXECUTE FUNCTION refuse_versions()",
    ],
}
_ALLOW_VERSIONS = {
    "sqlite": ["DROP TRIGGER refuse_versions"],
    "postgresql": [
        "DROP TRIGGER refuse_versions ON dataset_versions",
        "DROP FUNCTION refuse_versions()",
    ],
}


def _left_behind(settings: Settings) -> list[Path]:
    """Every file or folder under the artifact and temp folders."""
    found: list[Path] = []
    for folder in ("artifacts", "tmp"):
        root = settings.data_dir / folder
        found += list(root.rglob("*")) if root.exists() else []
    return found


def _multipart(boundary: str, fields: dict[str, str], filename: bytes, content: bytes) -> bytes:
    """A body with exact bytes (an HTTP client would escape some of them)."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'
    return b"".join(
        [
            "".join(parts).encode(),
            head.encode() + filename + b'"\r\nContent-Type: text/csv\r\n\r\n',
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )


async def _post_form(api: Api, boundary: str, body: bytes) -> httpx.Response:
    return await api.post(
        "/api/datasets/upload",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )


async def test_json_nested_thousands_of_levels_deep_is_400(alice, backstage):
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    model = (
        f'{{"project_id": "{ids["project_id"]}", "name": "m", '
        f'"dataset_version_id": "{ids["dataset_version_id"]}", "config": '
    ).encode()
    for url, body in [
        ("/api/projects", b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("/api/synthgen/models", model + b'{"a": ' * 1000 + b"1" + b"}" * 1001),
        (
            f"/api/synthgen/models/{ids['model_id']}/generate",
            b'{"num_rows": 5, "conditions": ' + b'{"a": ' * 3000 + b"1" + b"}" * 3001,
        ),
    ]:
        response = await alice.post(url, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400, (url, response.text)
        assert "nested too deeply" in response.json()["detail"]


async def test_an_overlong_multipart_boundary_is_400(alice, settings, tables):
    boundary = "b" * 300
    body = _multipart(boundary, {"name": "x"}, b"t.csv", tables.csv(tables.frame()))
    response = await _post_form(alice, boundary, body)
    assert response.status_code == 400, response.text
    assert "boundary" in response.json()["detail"]
    assert _left_behind(settings) == []


async def test_control_characters_in_the_file_name_are_400_and_store_nothing(
    alice, settings, tables
):
    fields = {"project_id": await alice.project(), "name": "Transactions"}
    content = tables.csv(tables.frame())
    for filename in (b"trans\x00actions.csv", b"a\x1b[31m.csv", b"two\nlines.csv"):
        body = _multipart("synthgen-boundary", fields, filename, content)
        response = await _post_form(alice, "synthgen-boundary", body)
        assert response.status_code == 400, (filename, response.text)
        assert "control characters" in response.json()["detail"]
        assert response.json()["extra"][0]["key"] == "file"
    ok = _multipart("synthgen-boundary", fields, "Zürich 2024.csv".encode(), content)
    assert (await _post_form(alice, "synthgen-boundary", ok)).status_code == 201
    listed = (await alice.get("/api/datasets")).json()
    assert [d["versions"][0]["filename"] for d in listed["items"]] == ["Zürich 2024.csv"]
    assert len(_left_behind(settings)) == 2  # the one upload's folder and file; no temp file


async def test_a_failure_after_the_file_is_published_removes_it(alice, app, settings):
    project_id = await alice.project()
    engine = app.state.engine
    async with engine.begin() as conn:
        for statement in _REFUSE_VERSIONS[engine.dialect.name]:
            await conn.execute(sa.text(statement))
    try:
        response = await alice.upload(project_id)
    finally:
        async with engine.begin() as conn:
            for statement in _ALLOW_VERSIONS[engine.dialect.name]:
                await conn.execute(sa.text(statement))
    assert response.status_code == 409, response.text
    assert "retry" in response.json()["detail"]
    assert (await alice.get("/api/datasets")).json()["total"] == 0
    assert _left_behind(settings) == []
    assert (await alice.upload(project_id)).status_code == 201  # and the next one works


async def test_a_full_disk_is_507_not_a_malformed_body(alice, settings, tables, monkeypatch):
    project_id = await alice.project()
    content = tables.csv(tables.frame(rows=2000))  # more than a write buffer: fails mid-body
    fill_disk(monkeypatch, settings.data_dir / "tmp")
    response = await alice.upload(project_id, content)
    assert response.status_code == 507, response.text
    body = response.json()
    assert body["status_code"] == 507
    assert "disk is full" in body["detail"]
    assert "malformed" not in body["detail"]
    monkeypatch.undo()
    assert (await alice.get("/api/datasets")).json()["total"] == 0
    assert _left_behind(settings) == []


async def test_the_bearer_scheme_is_case_insensitive(alice):
    for scheme in ("bearer", "BEARER", "bEaReR"):
        headers = {"Authorization": f"{scheme} {alice.key}"}
        response = await alice.client.get("/api/projects", headers=headers)
        assert response.status_code == 200, scheme
    wrong_case_key = {"Authorization": f"Bearer {alice.key.swapcase()}"}
    assert (await alice.client.get("/api/projects", headers=wrong_case_key)).status_code == 401
