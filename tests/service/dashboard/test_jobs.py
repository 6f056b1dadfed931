"""The jobs list, a job's page with its live status and report, and downloads' refusals."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from litestar import Litestar

from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from synthgen_service.store import jobs, models
from synthgen_service.store.payloads import GenerateJob
from tests.service.conftest import new_key
from tests.service.dashboard.test_generating import post_generate, ready_model
from tests.service.dashboard.test_pages import sign_in
from tests.service.dashboard.test_training import project_with_data, submit_train
from tests.service.queue.support import drain

pytestmark = pytest.mark.redis
ROW = re.compile(r'<tr>\s*<td><a href="/dashboard/jobs/([0-9a-f-]{36})">')


def listed(page: str) -> list[str]:
    return ROW.findall(page)


async def test_a_generation_page_polls_until_done_then_shows_its_report(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    model_url = await ready_model(client, settings, options)
    job_url = (await post_generate(client, model_url, num_rows="200")).headers["location"]
    page = (await client.get(job_url)).text
    assert f'hx-get="{job_url}/status" hx-trigger="every 1s"' in page
    fragment = (await client.get(job_url + "/status")).text
    assert fragment.lstrip().startswith('<section id="job-status"')
    assert 'data-status="pending"' in fragment
    early = await client.get(job_url + "/download?format=csv")
    assert early.status_code == 409
    assert "not available yet" in early.text
    await drain(settings, options)
    done = (await client.get(job_url + "/status")).text
    assert 'data-status="completed"' in done
    assert "hx-trigger" not in done  # the swap that stops the polling
    assert "Quality of these rows" in done
    assert "Privacy of these rows" in done
    assert "Exact copies of training rows" in done
    assert re.search(r"<dt>Score</dt><dd>\d+\.\d%</dd>", done)
    assert re.search(r"<dt>Alpha-precision</dt><dd>\d+\.\d%", done)
    assert re.search(r"<dt>Beta-recall</dt><dd>\d+\.\d%", done)
    bars = re.findall(r'<g class="bar" data-column="([^"]+)">', done)
    assert sorted(bars) == ["age", "city", "income", "member"]
    drawn = re.findall(
        r'<svg aria-labelledby="marginal-\d+" class="chart marginal" '
        r'data-column="([^"]+)"',
        done,
    )
    assert sorted(drawn) == ["age", "city", "income", "member"]
    assert re.search(r"<title>Oslo: real \d+\.\d%, synthetic \d+\.\d%</title>", done)


async def test_a_training_job_has_no_downloads(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    await ready_model(client, settings, options)
    (train_id,) = listed((await client.get("/dashboard/jobs?status=completed")).text)
    page = (await client.get(f"/dashboard/jobs/{train_id}")).text
    assert "Training job" in page
    assert "Download CSV" not in page
    refused = await client.get(f"/dashboard/jobs/{train_id}/download?format=parquet")
    assert refused.status_code == 409
    assert "training jobs have no downloadable output" in refused.text


async def test_the_list_filters_like_the_api(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    model_url = await ready_model(client, settings, options)
    model_id = model_url.rsplit("/", 1)[1]
    generated = (await post_generate(client, model_url, num_rows="7")).headers["location"]
    generated_id = generated.rsplit("/", 1)[1]
    everything = (await client.get("/dashboard/jobs")).text
    assert len(listed(everything)) == 2
    assert '<label for="status">Status</label>' in everything
    assert '<label for="project_id">Project</label>' in everything
    assert '<label for="model_id">Model</label>' in everything
    assert listed((await client.get("/dashboard/jobs?status=pending")).text) == [generated_id]
    by_model = (await client.get(f"/dashboard/jobs?model_id={model_id}&status=&project_id=")).text
    assert len(listed(by_model)) == 2
    assert f'<option value="{model_id}" selected>' in by_model
    other = (await client.get(f"/dashboard/jobs?model_id={uuid.uuid4()}")).text
    assert "No jobs match these filters." in other
    for bad in ("status=bogus", "project_id=not-an-id"):
        refused = await client.get(f"/dashboard/jobs?{bad}")
        assert refused.status_code == 422, bad
        assert bad.split("=")[0] in refused.text


async def test_the_list_pages_keep_the_filters(app: Litestar, client: httpx.AsyncClient) -> None:
    await sign_in(client, await new_key(app, "alice"))
    created = await submit_train(client, await project_with_data(client), "gaussian_copula", "M")
    model_id = uuid.UUID(created.headers["location"].rsplit("/", 1)[1])
    async with app.state.sessions() as session:
        row = await models.get(session, "alice", model_id)
        assert row is not None
        for _ in range(51):
            await jobs.create(
                session, model_id=model_id, project_id=row.model.project_id, payload=GenerateJob()
            )
        await session.commit()
    first = (await client.get("/dashboard/jobs?status=pending")).text
    assert len(listed(first)) == 50
    assert "50 of 52</span>" in first
    assert 'href="?status=pending&amp;offset=50">Next</a>' in first
    second = (await client.get("/dashboard/jobs?status=pending&offset=50")).text
    assert len(listed(second)) == 2
    assert not set(listed(first)) & set(listed(second))


async def test_another_owner_sees_no_job(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    model_url = await ready_model(client, settings, options)
    job_url = (await post_generate(client, model_url, num_rows="5")).headers["location"]
    await drain(settings, options)
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as bob:
        await sign_in(bob, await new_key(app, "bob"))
        for url in (job_url, job_url + "/status", job_url + "/download?format=csv"):
            assert (await bob.get(url)).status_code == 404, url
        assert "No jobs." in (await bob.get("/dashboard/jobs")).text
        model_id = model_url.rsplit("/", 1)[1]
        assert "No jobs match" in (await bob.get(f"/dashboard/jobs?model_id={model_id}")).text
    signed_out = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with signed_out:
        response = await signed_out.get(job_url + "/download?format=csv")
        assert response.status_code == 303
        assert response.headers["location"] == "/"
