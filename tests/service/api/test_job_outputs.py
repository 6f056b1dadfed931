"""Downloading a job's output: what a training job answers."""

from __future__ import annotations


async def test_training_job_download_says_there_is_no_output_and_where_to_look(alice, backstage):
    ids = await alice.workflow()
    await backstage.set_job(ids["job_id"], "completed")
    await backstage.set_model(ids["model_id"], "ready")
    response = await alice.get(f"/api/synthgen/jobs/{ids['job_id']}/download")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "training jobs have no downloadable output" in detail
    assert "not available yet" not in detail
    assert f"/api/synthgen/models/{ids['model_id']}/generate" in detail
    assert f"/api/synthgen/jobs?model_id={ids['model_id']}" in detail
