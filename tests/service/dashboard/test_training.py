"""The train form and the model page, over the real app (no worker: models stay pending)."""

from __future__ import annotations

import re
import uuid

import httpx
from litestar import Litestar

from synthgen_core.models.registry import model_types, validate_config
from synthgen_service.store import jobs, models
from synthgen_service.store.payloads import GenerateJob
from synthgen_service.store.status import JobStatus
from tests.service.conftest import csv_bytes, new_key, sample_frame
from tests.service.dashboard.test_pages import new_project, sign_in, token


async def project_with_data(client: httpx.AsyncClient) -> str:
    project_url = await new_project(client, "p")
    form = await client.get(project_url + "/upload")
    files = {"file": ("people.csv", csv_bytes(sample_frame()), "text/csv")}
    data = {"name": "People", "_csrf": token(form)}
    assert (await client.post(project_url + "/upload", data=data, files=files)).status_code == 303
    return project_url


def selected_version(page: str) -> str:
    match = re.search(
        r'<option value="([0-9a-f-]{36})" selected>|<option value="([0-9a-f-]{36})"', page
    )
    assert match, page
    return match.group(1) or match.group(2)


async def submit_train(
    client: httpx.AsyncClient, project_url: str, model_type: str, name: str, **options: str
) -> httpx.Response:
    """Fill the train form as a user would: its token, the newest version, a name, options."""
    form = (await client.get(f"{project_url}/train?model_type={model_type}")).text
    data = {
        "_csrf": token(httpx.Response(200, text=form)),
        "model_type": model_type,
        "dataset_version": selected_version(form),
        "name": name,
        **{f"option.{option}": value for option, value in options.items()},
    }
    return await client.post(project_url + "/train", data=data)


async def test_the_form_offers_every_type_with_its_registry_defaults(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    page = (await client.get(project_url + "/train?model_type=tvae")).text
    for info in model_types():
        assert f'<option value="{info.id}"' in page
    epochs = validate_config("tvae", {})["epochs"]
    assert f'name="option.epochs" value="{epochs}"' in page
    assert 'name="option.constraints"' not in page


async def test_an_invalid_option_is_shown_next_to_its_field(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    response = await submit_train(client, project_url, "ctgan", "bad", epochs="-1")
    assert response.status_code == 200
    assert re.search(r'id="option-epochs_error"[^>]*>[^<]*epochs', response.text)
    assert 'name="option.epochs" value="-1"' in response.text  # what was typed stays
    assert "No models yet." in (await client.get(project_url)).text


async def test_train_opens_the_model_page(app: Litestar, client: httpx.AsyncClient) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    created = await submit_train(client, project_url, "gaussian_copula", "First copula")
    assert created.status_code == 303, created.text
    model_url = created.headers["location"]
    page = await client.get(model_url)
    assert "First copula" in page.text
    assert 'data-status="pending"' in page.text
    assert 'hx-trigger="every 1s"' in page.text  # polls while pending
    status = await client.get(model_url + "/status")
    assert status.text.lstrip().startswith('<section id="model-status"')
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as bob:
        await sign_in(bob, await new_key(app, "bob"))
        assert (await bob.get(model_url)).status_code == 404
        assert (await bob.get(model_url + "/status")).status_code == 404


async def test_train_without_its_token_is_refused(app: Litestar, client: httpx.AsyncClient) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    form = (await client.get(project_url + "/train")).text
    data = {"model_type": "gaussian_copula", "dataset_version": selected_version(form), "name": "x"}
    assert (await client.post(project_url + "/train", data=data)).status_code == 403
    assert "No models yet." in (await client.get(project_url)).text


async def test_cancel_a_pending_training(app: Litestar, client: httpx.AsyncClient) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    created = await submit_train(client, project_url, "gaussian_copula", "Never trained")
    model_url = created.headers["location"]
    page = await client.get(model_url)
    assert (await client.post(model_url + "/cancel", data={})).status_code == 403
    cancelled = await client.post(model_url + "/cancel", data={"_csrf": token(page)})
    assert cancelled.status_code == 303
    after = (await client.get(model_url)).text
    assert 'data-status="cancelled"' in after
    assert "every 1s" not in after  # settled: no more polling
    assert ">Cancel</button>" not in after


async def test_the_model_page_charts_the_latest_generations_column_scores(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    created = await submit_train(client, project_url, "gaussian_copula", "Scored")
    model_url = created.headers["location"]
    assert "Quality of the latest generation" not in (await client.get(model_url)).text
    shapes = [
        {"column": "age", "kind": "numerical", "metric": "ks", "score": 0.5},
        {"column": "city", "kind": "categorical", "metric": "tv", "score": 1.0},
        {"column": "note", "kind": "text", "metric": "tv", "score": None},
    ]
    report = {"score": 0.8, "column_shapes": 0.75, "pair_trends": 0.85, "shapes": shapes}
    model_id = uuid.UUID(model_url.rsplit("/", 1)[1])
    async with app.state.sessions() as session:
        row = await models.get(session, "alice", model_id)
        assert row is not None
        job = await jobs.create(
            session, model_id=model_id, project_id=row.model.project_id, payload=GenerateJob()
        )
        job.status, job.report = JobStatus.COMPLETED, report
        await session.commit()
    page = (await client.get(model_url)).text
    assert "80.0%" in page
    bars = re.findall(r'data-column="([^"]+)">.*?<rect [^>]*width="(\d+)"', page, re.DOTALL)
    assert bars == [("age", "150"), ("city", "300")]  # worst first, unscored left out
    project_page = (await client.get(project_url)).text
    assert re.search(
        r"Scored</a></td>\s*<td>gaussian_copula</td>.*?<td>80%</td>", project_page, re.DOTALL
    )
