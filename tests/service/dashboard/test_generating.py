"""The generate form of a ready model, over the real app and a real burst worker."""

from __future__ import annotations

import io
import json
import re

import httpx
import pandas as pd
import pytest
from litestar import Litestar

from synthgen_service.dashboard.generating import ROWS_ERROR
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.settings import Settings
from tests.service.conftest import new_key
from tests.service.dashboard.test_pages import sign_in, token
from tests.service.dashboard.test_training import project_with_data, submit_train
from tests.service.queue.support import drain

pytestmark = pytest.mark.redis


async def ready_model(client: httpx.AsyncClient, settings: Settings, options: WorkerOptions) -> str:
    """A Gaussian copula trained by a burst worker on the sample table; its page's URL."""
    project_url = await project_with_data(client)
    created = await submit_train(client, project_url, "gaussian_copula", "Copula", seed="0")
    assert created.status_code == 303, created.text
    await drain(settings, options)
    model_url: str = created.headers["location"]
    assert 'data-status="ready"' in (await client.get(model_url)).text
    return model_url


async def post_generate(client: httpx.AsyncClient, model_url: str, **fields: str) -> httpx.Response:
    form = await client.get(model_url + "/generate")
    return await client.post(model_url + "/generate", data={"_csrf": token(form), **fields})


def options_of(page: str, name: str) -> list[str]:
    select = re.search(rf'<select [^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert select, page
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def error_of(page: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}_error"[^>]*>([^<]*)<', page)
    assert match, page
    return match.group(1)


async def test_the_form_offers_a_category_picker_per_discrete_column(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    model_url = await ready_model(client, settings, options)
    ready = (await client.get(model_url)).text
    assert f'href="{model_url}/generate" role="button">Generate</a>' in ready
    assert 'hx-select="#generate"' not in ready  # settled: no more polling
    page = (await client.get(model_url + "/generate")).text
    assert '<label for="num_rows">Rows</label>' in page
    assert '<label for="seed">Seed</label>' in page
    assert options_of(page, "condition.city") == ["any", "Oslo", "Paris", "Zürich"]
    assert sorted(options_of(page, "condition.member")) == ["False", "True", "any"]
    assert re.search(r'<input id="condition-\d+" name="condition.age" value=""', page)
    assert ">Generate</button>" in page


async def test_a_model_that_is_not_ready_has_no_generate_form(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    created = await submit_train(client, await project_with_data(client), "gaussian_copula", "P")
    model_url = created.headers["location"]
    pending = (await client.get(model_url)).text
    assert ">Generate</a>" not in pending
    assert 'hx-select="#generate" hx-trigger="every 2s"' in pending  # appears once ready
    refused = await client.get(model_url + "/generate")
    assert refused.status_code == 409
    assert "generate needs it ready" in refused.text


async def test_invalid_input_is_shown_next_to_its_field(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    model_url = await ready_model(client, settings, options)
    refusals = [("0", ROWS_ERROR), ("ten", ROWS_ERROR), ("5001", "num_rows must be at most 5000")]
    for rows, message in refusals:
        response = await post_generate(client, model_url, num_rows=rows, seed="")
        assert response.status_code == 422, rows
        assert error_of(response.text, "num_rows") == message
        assert 'aria-describedby="num_rows_error"' in response.text
        assert f'required value="{rows}"' in response.text  # what was typed stays
    bad_seed = await post_generate(client, model_url, num_rows="10", seed="-1")
    assert bad_seed.status_code == 422
    assert error_of(bad_seed.text, "seed").startswith("Enter a whole number")
    fields = {"num_rows": "10", "condition.age": "1000", "condition.city": "Paris"}
    bad_age = await post_generate(client, model_url, **fields)
    assert bad_age.status_code == 422
    field_id = re.search(r'<input id="(condition-\d+)" name="condition.age"', bad_age.text)
    assert field_id
    assert "age" in error_of(bad_age.text, field_id.group(1))
    assert 'name="condition.age" value="1000"' in bad_age.text  # what was typed stays
    assert "<option selected>Paris</option>" in bad_age.text
    forged = await post_generate(client, model_url, num_rows="10", **{"condition.city": "Rome"})
    assert forged.status_code == 422
    assert "Rome" in forged.text
    listed = (await client.get("/dashboard/jobs?status=pending")).text
    assert "No jobs match these filters." in listed  # nothing was queued


async def test_generate_without_its_token_is_refused(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    model_url = await ready_model(client, settings, options)
    refused = await client.post(model_url + "/generate", data={"num_rows": "10"})
    assert refused.status_code == 403
    stale = await client.post(model_url + "/generate", data={"num_rows": "10", "_csrf": "x"})
    assert stale.status_code == 403
    assert "<td>generate</td>" not in (await client.get("/dashboard/jobs")).text


async def test_another_owner_cannot_generate(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    model_url = await ready_model(client, settings, options)
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as bob:
        await sign_in(bob, await new_key(app, "bob"))
        assert (await bob.get(model_url + "/generate")).status_code == 404
        projects = await bob.get("/dashboard/projects")
        data = {"_csrf": token(projects), "num_rows": "10"}
        assert (await bob.post(model_url + "/generate", data=data)).status_code == 404


async def test_generate_then_download_every_format_honouring_the_condition(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    model_url = await ready_model(client, settings, options)
    fields = {"num_rows": "25", "seed": "3", "condition.city": "Oslo"}
    created = await post_generate(client, model_url, **fields)
    assert created.status_code == 303, created.text
    job_url = created.headers["location"]
    assert job_url.startswith("/dashboard/jobs/")
    pending = (await client.get(job_url)).text
    assert 'data-status="pending"' in pending
    assert "city = Oslo" in pending
    assert "Download CSV" not in pending
    await drain(settings, options)
    page = (await client.get(job_url)).text
    assert 'data-status="completed"' in page
    assert "every 1s" not in page  # finished: no more polling
    links = dict(re.findall(r'<a href="([^"]+)" download>([^<]+)</a>', page))
    assert sorted(links.values()) == ["Download CSV", "Download JSONL", "Download Parquet"]
    readers = {
        "csv": ("text/csv", lambda b: pd.read_csv(io.BytesIO(b))),
        "parquet": ("application/vnd.apache.parquet", lambda b: pd.read_parquet(io.BytesIO(b))),
        "jsonl": (
            "application/x-ndjson",
            lambda b: pd.DataFrame([json.loads(line) for line in b.splitlines()]),
        ),
    }
    job_id = job_url.rsplit("/", 1)[1]
    for link in links:
        fmt = link.rsplit("=", 1)[1]
        response = await client.get(link)
        assert response.status_code == 200, response.text
        media_type, read = readers[fmt]
        assert response.headers["content-type"].startswith(media_type)
        disposition = response.headers["content-disposition"]
        assert disposition == f'attachment; filename="synthgen-{job_id}.{fmt}"'
        frame = read(response.content)
        assert len(frame) == 25, fmt
        assert (frame["city"] == "Oslo").all(), fmt
        assert list(frame.columns) == ["age", "city", "income", "member"]


async def test_a_range_typed_into_a_number_field_holds_in_every_row(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, options: WorkerOptions
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    model_url = await ready_model(client, settings, options)
    form = (await client.get(model_url + "/generate")).text
    assert "a range such as 30..40" in form
    empty = await post_generate(client, model_url, num_rows="10", **{"condition.age": ".."})
    assert empty.status_code == 422
    assert "needs a bound on at least one side" in empty.text
    fields = {"num_rows": "40", "seed": "1", "condition.age": "30..40"}
    created = await post_generate(client, model_url, **fields)
    assert created.status_code == 303, created.text
    job_url = created.headers["location"]
    assert "age in 30..40" in (await client.get(job_url)).text
    await drain(settings, options)
    csv = await client.get(f"/dashboard/jobs/{job_url.rsplit('/', 1)[1]}/download?format=csv")
    frame = pd.read_csv(io.BytesIO(csv.content))
    assert len(frame) == 40
    assert frame["age"].between(30, 40).all()
