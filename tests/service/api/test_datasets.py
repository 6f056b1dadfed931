from __future__ import annotations

import gzip
import logging
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from synthgen_service.store.tables import DatasetVersion


def _stored_files(settings) -> list[Path]:
    root = settings.data_dir / "artifacts"
    return sorted(root.rglob("*.*")) if root.exists() else []


def _temp_files(settings) -> list[Path]:
    root = settings.data_dir / "tmp"
    return list(root.iterdir()) if root.exists() else []


async def _metadata(app, version_id: str) -> dict[str, Any]:
    async with app.state.sessions() as session:
        row = await session.get(DatasetVersion, uuid.UUID(version_id))
    assert row is not None
    metadata: dict[str, Any] = row.table_metadata
    return metadata


async def test_csv_upload_returns_201_and_keeps_the_original_bytes(alice, settings, tables):
    project_id = await alice.project()
    content = tables.csv(tables.frame(rows=60))
    response = await alice.upload(project_id, content)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] == body["dataset_id"]
    assert body["version"] == 0
    assert body["row_count"] == 60
    kinds = {column["name"]: column["kind"] for column in body["columns"]}
    assert kinds["city"] == "categorical"
    assert kinds["income"] == "numerical"
    assert 0 <= body["quality"]["overall_score"] <= 100
    (stored,) = _stored_files(settings)
    assert stored.read_bytes() == content
    assert stored.parent.name == body["artifact_id"]
    assert _temp_files(settings) == []


async def test_semicolon_csv_is_sniffed(alice, tables):
    project_id = await alice.project()
    response = await alice.upload(project_id, tables.csv(tables.frame(), sep=";"))
    assert response.status_code == 201, response.text
    names = [column["name"] for column in response.json()["columns"]]
    assert names == ["age", "city", "income", "member"]


async def test_tab_separated_upload(alice, tables):
    project_id = await alice.project()
    response = await alice.upload(project_id, tables.csv(tables.frame(), sep="\t"), "t.tsv")
    assert response.status_code == 201, response.text
    assert len(response.json()["columns"]) == 4


async def test_latin1_csv_is_decoded(alice, app, tables):
    project_id = await alice.project()
    response = await alice.upload(project_id, tables.csv(tables.frame(), encoding="latin-1"))
    assert response.status_code == 201, response.text
    metadata = await _metadata(app, response.json()["dataset_version_id"])
    city = next(spec for spec in metadata["columns"] if spec["name"] == "city")
    assert "Zürich" in city["categories"]


async def test_parquet_upload(alice, tables):
    project_id = await alice.project()
    content = tables.parquet(tables.frame(rows=50))
    response = await alice.upload(project_id, content, filename="data.bin")
    assert response.status_code == 201, response.text
    version_id = response.json()["dataset_version_id"]
    detail = (await alice.get(f"/api/datasets/versions/{version_id}")).json()
    assert detail["file_format"] == "parquet"
    assert detail["row_count"] == 50


async def test_gzip_and_json_lines_uploads(alice, tables):
    project_id = await alice.project()
    frame = tables.frame(rows=25)
    gzipped = await alice.upload(project_id, gzip.compress(tables.csv(frame)), "t.csv.gz")
    assert gzipped.status_code == 201, gzipped.text
    assert gzipped.json()["row_count"] == 25
    lines = frame.to_json(orient="records", lines=True).encode()
    jsonl = await alice.upload(project_id, lines, "t.jsonl")
    assert jsonl.status_code == 201, jsonl.text
    version = (
        await alice.get(f"/api/datasets/versions/{jsonl.json()['dataset_version_id']}")
    ).json()
    assert (version["file_format"], version["row_count"]) == ("jsonl", 25)


async def test_oversize_upload_is_413_and_stores_nothing(alice, settings):
    project_id = await alice.project()
    big = b"a,b\n" + b"1,2\n" * (settings.max_upload_bytes // 4 + 10)
    response = await alice.upload(project_id, big)
    assert response.status_code == 413
    assert "MAX_DATASET_UPLOAD_BYTES" in response.json()["detail"]
    listed = (await alice.get("/api/datasets")).json()
    assert listed["total"] == 0
    assert _stored_files(settings) == []
    assert _temp_files(settings) == []


async def test_malformed_files_are_422_and_store_nothing(alice, settings):
    project_id = await alice.project()
    for content, filename in [
        (b"", "empty.csv"),
        (b"only,a,header\n", "header.csv"),
        (b"PAR1 this is not really parquet PAR1", "broken.parquet"),
        (bytes(range(256)) * 40, "noise.csv"),
        (b"PK\x03\x04" + bytes(200), "book.xlsx"),
    ]:
        response = await alice.upload(project_id, content, filename=filename)
        assert 400 <= response.status_code < 500, (filename, response.text)
        assert response.json()["detail"]
        if filename == "book.xlsx":
            assert "save the sheet as CSV" in response.json()["detail"]
    assert (await alice.get("/api/datasets")).json()["total"] == 0
    assert _stored_files(settings) == []
    assert _temp_files(settings) == []


async def test_upload_form_errors_name_the_field(alice, tables):
    project_id = await alice.project()
    content = tables.csv(tables.frame())
    cases = [
        ({"name": "x"}, "project_id"),
        ({"project_id": "not-a-uuid", "name": "x"}, "project_id"),
        ({"project_id": project_id}, "name"),
    ]
    for data, field in cases:
        response = await alice.post(
            "/api/datasets/upload", data=data, files={"file": ("t.csv", content)}
        )
        assert response.status_code == 422, data
        assert response.json()["extra"][0]["key"] == field
    no_file = await alice.post("/api/datasets/upload", data={"project_id": project_id, "name": "x"})
    assert no_file.status_code in (400, 422)
    json_body = await alice.post("/api/datasets/upload", json={"project_id": project_id})
    assert json_body.status_code == 400
    assert "multipart" in json_body.json()["detail"]


async def test_upload_to_unknown_project_is_404(alice, tables):
    response = await alice.upload(str(uuid.uuid4()), tables.csv(tables.frame()))
    assert response.status_code == 404


async def test_versions_are_numbered_and_listed(alice, tables):
    project_id = await alice.project()
    first = await alice.dataset(project_id)
    dataset_id = first["dataset_id"]
    response = await alice.post(
        f"/api/datasets/{dataset_id}/versions",
        files={"file": ("v1.csv", tables.csv(tables.frame(rows=30, seed=1)))},
    )
    assert response.status_code == 201, response.text
    second = response.json()
    assert second["dataset_id"] == dataset_id
    assert second["version"] == 1
    detail = (await alice.get(f"/api/datasets/{dataset_id}")).json()
    assert [v["version"] for v in detail["versions"]] == [0, 1]
    assert [v["row_count"] for v in detail["versions"]] == [60, 30]
    version = (await alice.get(f"/api/datasets/versions/{second['dataset_version_id']}")).json()
    assert version["dataset_id"] == dataset_id
    assert version["version"] == 1
    assert {c["name"] for c in version["columns"]} == {"age", "city", "income", "member"}
    assert version["quality"]["issues"] == []


async def test_version_upload_to_unknown_dataset_is_404(alice, tables):
    response = await alice.post(
        f"/api/datasets/{uuid.uuid4()}/versions",
        files={"file": ("a.csv", tables.csv(tables.frame()))},
    )
    assert response.status_code == 404


async def test_quality_reports_constant_missing_and_duplicate_problems(alice, tables):
    frame = tables.frame(rows=40)
    frame["country"] = "CH"
    frame["notes"] = None
    frame = pd.concat([frame, frame.iloc[:5]], ignore_index=True)
    project_id = await alice.project()
    response = await alice.upload(project_id, tables.csv(frame))
    assert response.status_code == 201, response.text
    quality = response.json()["quality"]
    found = {(issue["kind"], issue.get("column")) for issue in quality["issues"]}
    assert ("constant", "country") in found
    assert ("all_missing", "notes") in found
    assert ("duplicate_rows", None) in found
    assert quality["overall_score"] < 90


async def test_list_filters_by_project_and_paginates(alice):
    first, second = await alice.project("a"), await alice.project("b")
    for _ in range(3):
        await alice.dataset(first)
    await alice.dataset(second)
    everything = (await alice.get("/api/datasets")).json()
    assert everything["total"] == 4
    only_first = (await alice.get("/api/datasets", params={"project_id": first})).json()
    assert only_first["total"] == 3
    assert {item["project_id"] for item in only_first["items"]} == {first}
    page = (await alice.get("/api/datasets", params={"limit": 2, "offset": 2})).json()
    assert len(page["items"]) == 2
    assert page["items"][0]["versions"][0]["version"] == 0


async def test_delete_dataset_removes_versions_models_and_files(alice, settings):
    ids = await alice.workflow()
    response = await alice.delete(f"/api/datasets/{ids['dataset_id']}")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "dataset_id": ids["dataset_id"]}
    assert (await alice.get(f"/api/datasets/{ids['dataset_id']}")).status_code == 404
    version_url = f"/api/datasets/versions/{ids['dataset_version_id']}"
    assert (await alice.get(version_url)).status_code == 404
    assert (await alice.get(f"/api/synthgen/models/{ids['model_id']}")).status_code == 404
    assert _stored_files(settings) == []
    assert (await alice.get(f"/api/projects/{ids['project_id']}")).status_code == 200


async def test_unknown_dataset_and_version_are_404(alice):
    assert (await alice.get(f"/api/datasets/{uuid.uuid4()}")).status_code == 404
    assert (await alice.get(f"/api/datasets/versions/{uuid.uuid4()}")).status_code == 404
    assert (await alice.delete(f"/api/datasets/{uuid.uuid4()}")).status_code == 404


async def test_cell_values_never_reach_the_log(alice, tables, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Sëcret-Value-4242"
    frame = tables.frame(rows=30)
    frame["city"] = secret
    project_id = await alice.project()
    assert (await alice.upload(project_id, tables.csv(frame))).status_code == 201
    broken = tables.csv(frame) + f'\n"{secret},unterminated'.encode()
    await alice.upload(project_id, broken, filename="broken.csv")
    await alice.upload(project_id, b"PAR1" + secret.encode() + b"PAR1", filename="x.parquet")
    assert secret not in caplog.text


async def test_a_table_that_trips_detection_is_422_names_no_cell_and_stores_nothing(
    alice, settings, tables, caplog, monkeypatch
):
    secret = "-".join(["SECRET", "4711"])  # built, so no source line in a traceback shows it

    def broken(frame):
        raise RuntimeError(f"could not handle cell {secret!r}")

    monkeypatch.setattr("synthgen_service.ingest.Metadata.detect", broken)
    caplog.set_level(logging.DEBUG)
    project_id = await alice.project()
    response = await alice.upload(project_id, tables.csv(tables.frame()))
    assert response.status_code == 422
    assert "could not analyse this table (RuntimeError)" in response.json()["detail"]
    assert secret not in response.text and secret not in caplog.text
    assert "RuntimeError" in caplog.text  # the log says where it broke
    assert _stored_files(settings) == [] and _temp_files(settings) == []
