from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pandas as pd
from arq.jobs import Job, JobStatus

from synthgen_service.queue.serialization import job_deserializer


async def _generate(alice, backstage) -> tuple[dict[str, Any], str]:
    ids = await alice.workflow()
    await backstage.set_model(ids["model_id"], "ready")
    response = await alice.post(
        f"/api/synthgen/models/{ids['model_id']}/generate", json={"num_rows": 3, "seed": 1}
    )
    return ids, response.json()["job_id"]


async def test_detail_has_documented_and_progress_fields(alice, backstage):
    ids, job_id = await _generate(alice, backstage)
    response = await alice.get(f"/api/synthgen/jobs/{job_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == job_id
    assert body["model_id"] == ids["model_id"]
    assert body["model_name"] == "Transactions CTGAN"
    assert body["model_type"] == "ctgan"
    assert body["project_name"] == "Fraud Detection v2"
    assert body["job_type"] == "generate"
    assert body["status"] == "pending"
    assert body["output_artifact_id"] is None
    assert body["created_at"].endswith("Z")
    for field in ("progress", "error", "started_at", "finished_at"):
        assert body[field] is None


async def test_list_filters_by_model_project_and_status(alice, backstage):
    ids, generate_id = await _generate(alice, backstage)
    other = await alice.workflow()
    by_model = (await alice.get("/api/synthgen/jobs", params={"model_id": ids["model_id"]})).json()
    assert {item["id"] for item in by_model["items"]} == {ids["job_id"], generate_id}
    assert by_model["total"] == 2
    by_project = (
        await alice.get("/api/synthgen/jobs", params={"project_id": other["project_id"]})
    ).json()
    assert [item["id"] for item in by_project["items"]] == [other["job_id"]]
    await backstage.set_job(ids["job_id"], "completed")
    done = (await alice.get("/api/synthgen/jobs", params={"status": "completed"})).json()
    assert [item["id"] for item in done["items"]] == [ids["job_id"]]
    item = done["items"][0]
    assert (item["model_name"], item["model_type"], item["job_type"]) == (
        "Transactions CTGAN",
        "ctgan",
        "train",
    )
    everything = (await alice.get("/api/synthgen/jobs", params={"limit": 2})).json()
    assert (everything["total"], len(everything["items"]), everything["limit"]) == (3, 2, 2)


async def test_list_rejects_an_unknown_status(alice):
    response = await alice.get("/api/synthgen/jobs", params={"status": "exploded"})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "status"


async def test_download_is_409_until_the_output_exists(alice, backstage):
    _, job_id = await _generate(alice, backstage)
    response = await alice.get(f"/api/synthgen/jobs/{job_id}/download")
    assert response.status_code == 409
    await backstage.set_job(job_id, "running")
    assert (await alice.get(f"/api/synthgen/jobs/{job_id}/download")).status_code == 409


async def test_download_in_every_format(alice, backstage, tables):
    _, job_id = await _generate(alice, backstage)
    frame = tables.frame(rows=7)
    artifact_id = await backstage.complete_job(job_id, "alice", frame)
    assert (await alice.get(f"/api/synthgen/jobs/{job_id}")).json()[
        "output_artifact_id"
    ] == artifact_id

    csv = await alice.get(f"/api/synthgen/jobs/{job_id}/download")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert f"synthgen-{job_id}.csv" in csv.headers["content-disposition"]
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(csv.content)), frame)

    parquet = await alice.get(f"/api/synthgen/jobs/{job_id}/download", params={"format": "parquet"})
    assert parquet.status_code == 200
    pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(parquet.content)), frame)

    jsonl = await alice.get(f"/api/synthgen/jobs/{job_id}/download", params={"format": "jsonl"})
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in jsonl.text.splitlines()]
    assert len(records) == 7
    assert records[0]["city"] == frame["city"].iloc[0]

    bad = await alice.get(f"/api/synthgen/jobs/{job_id}/download", params={"format": "xlsx"})
    assert bad.status_code == 400


async def test_cancel_pending_job_cancels_now_and_leaves_the_queue(alice, app, settings, backstage):
    _, job_id = await _generate(alice, backstage)
    response = await alice.post(f"/api/synthgen/jobs/{job_id}/cancel")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["finished_at"] is not None
    job = Job(
        job_id, app.state.queue, _queue_name=settings.queue_name, _deserializer=job_deserializer
    )
    assert await job.status() == JobStatus.not_found
    again = await alice.post(f"/api/synthgen/jobs/{job_id}/cancel")
    assert again.status_code == 409


async def test_cancel_pending_training_cancels_the_model(alice):
    ids = await alice.workflow()
    assert (await alice.post(f"/api/synthgen/jobs/{ids['job_id']}/cancel")).status_code == 200
    model = (await alice.get(f"/api/synthgen/models/{ids['model_id']}")).json()["model"]
    assert model["status"] == "cancelled"


async def test_cancel_running_job_only_requests_it(alice, backstage):
    _, job_id = await _generate(alice, backstage)
    await backstage.set_job(job_id, "running")
    response = await alice.post(f"/api/synthgen/jobs/{job_id}/cancel")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "running"
    assert body["cancel_requested"] is True


async def test_cancel_finished_job_is_409(alice, backstage):
    _, job_id = await _generate(alice, backstage)
    for status in ("completed", "failed"):
        await backstage.set_job(job_id, status)
        assert (await alice.post(f"/api/synthgen/jobs/{job_id}/cancel")).status_code == 409


async def test_unknown_job_is_404_everywhere(alice):
    job_id = uuid.uuid4()
    assert (await alice.get(f"/api/synthgen/jobs/{job_id}")).status_code == 404
    assert (await alice.get(f"/api/synthgen/jobs/{job_id}/download")).status_code == 404
    assert (await alice.post(f"/api/synthgen/jobs/{job_id}/cancel")).status_code == 404
