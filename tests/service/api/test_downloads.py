"""Downloading a generated table: formula-safe CSV on request, 507 when the disk is full."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from synthgen_service.artifacts import ArtifactKey, ArtifactStore, LocalArtifactStore
from synthgen_service.store import artifacts
from synthgen_service.store.status import ArtifactKind
from synthgen_service.store.tables import Job
from tests.service.full_disk import fill_disk

#: The worker's output as it stores it: CSV written by pandas.
STORED = pd.DataFrame(
    {
        "=HYPERLINK(1)": [1, 2, 3, 4],
        "balance": [-3.5, 2.0, -0.25, 10.0],
        "note": ["=SUM(A1:A9)", "-3.5", "@cmd", "+1-2"],
        "city": ["Oslo", "-", "Zürich", "a, b"],
    }
).to_csv(index=False)


async def _completed_job(alice: Any, app: Any, backstage: Any) -> tuple[str, Path]:
    """A completed generate job whose stored output is ``STORED``; returns (job id, folder)."""
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    generate = await alice.post(f"/api/synthgen/models/{ids['model_id']}/generate", json={})
    job_id = generate.json()["job_id"]
    files: ArtifactStore = app.state.files
    artifact_id = uuid.uuid4()
    key = ArtifactKey.data(artifact_id, ".csv")
    size = files.put(key, STORED.encode())
    async with app.state.sessions() as session:
        await artifacts.add(
            session,
            artifact_id=artifact_id,
            owner="alice",
            kind=ArtifactKind.SYNTHETIC,
            path=str(key),
            size=size,
            content_type="text/csv",
        )
        values: dict[str, Any] = {"status": "completed", "output_artifact_id": artifact_id}
        await session.execute(sa.update(Job).where(Job.id == uuid.UUID(job_id)).values(**values))
        await session.commit()
    return job_id, LocalArtifactStore(app.state.settings.data_dir).path(key).parent


async def test_formula_safe_csv_prefixes_formulas_and_nothing_else(alice, app, backstage):
    job_id, _ = await _completed_job(alice, app, backstage)
    url = f"/api/synthgen/jobs/{job_id}/download"
    plain = await alice.get(url)
    assert plain.content == STORED.encode()
    assert (await alice.get(url, params={"formula_safe": "false"})).content == STORED.encode()

    safe = await alice.get(url, params={"formula_safe": "true"})
    assert safe.status_code == 200
    assert safe.headers["content-type"].startswith("text/csv")
    assert f"synthgen-{job_id}.csv" in safe.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(safe.text)))
    assert rows == [
        ["'=HYPERLINK(1)", "balance", "note", "city"],
        ["1", "-3.5", "'=SUM(A1:A9)", "Oslo"],
        ["2", "2.0", "-3.5", "'-"],
        ["3", "-0.25", "'@cmd", "Zürich"],
        ["4", "10.0", "'+1-2", "a, b"],
    ]
    again = await alice.get(url, params={"formula_safe": "true"})
    assert again.content == safe.content
    assert (await alice.get(url)).content == STORED.encode()  # the default is unchanged


async def test_formula_safe_leaves_parquet_and_json_lines_alone(alice, app, backstage):
    job_id, _ = await _completed_job(alice, app, backstage)
    url = f"/api/synthgen/jobs/{job_id}/download"
    for fmt in ("jsonl", "parquet"):
        plain = await alice.get(url, params={"format": fmt})
        safe = await alice.get(url, params={"format": fmt, "formula_safe": "true"})
        assert safe.status_code == plain.status_code == 200
        assert safe.content == plain.content
    bad = await alice.get(url, params={"formula_safe": "perhaps"})
    assert bad.status_code == 400
    assert bad.json()["extra"][0]["key"] == "formula_safe"


async def test_formula_safe_is_documented_in_the_openapi_schema(client):
    schema = (await client.get("/schema/openapi.json")).json()
    download = schema["paths"]["/api/synthgen/jobs/{job_id}/download"]["get"]
    [param] = [p for p in download["parameters"] if p["name"] == "formula_safe"]
    assert param["in"] == "query"
    assert param["required"] is False
    assert "single quote" in param["description"]


async def test_a_full_disk_during_conversion_is_507_and_leaves_nothing(
    alice, app, backstage, settings, monkeypatch
):
    job_id, folder = await _completed_job(alice, app, backstage)
    fill_disk(monkeypatch, settings.data_dir / "tmp")
    response = await alice.get(f"/api/synthgen/jobs/{job_id}/download", params={"format": "jsonl"})
    assert response.status_code == 507, response.text
    assert "disk is full" in response.json()["detail"]
    monkeypatch.undo()
    assert sorted(path.name for path in folder.iterdir()) == ["data.csv"]
    assert list((settings.data_dir / "tmp").iterdir()) == []
    retry = await alice.get(f"/api/synthgen/jobs/{job_id}/download", params={"format": "jsonl"})
    assert retry.status_code == 200
    assert len(retry.text.splitlines()) == 4


async def test_a_download_streams_with_its_length_and_a_lost_file_is_409(alice, app, backstage):
    job_id, _ = await _completed_job(alice, app, backstage)
    url = f"/api/synthgen/jobs/{job_id}/download"
    response = await alice.get(url, params={"format": "jsonl"})
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content) > 0
    files: ArtifactStore = app.state.files
    async with app.state.sessions() as session:
        job = await session.get(Job, uuid.UUID(job_id))
    assert job is not None and job.output_artifact_id is not None
    files.delete([job.output_artifact_id])  # lost outside the service
    lost = await alice.get(url)
    assert lost.status_code == 409, lost.text
    assert "generate again" in lost.json()["detail"]
