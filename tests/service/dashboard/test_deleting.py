"""Deleting from the dashboard: a confirmation page first, then the REST API's own deletion."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
from litestar import Litestar

from synthgen_service.settings import Settings
from synthgen_service.store import jobs, models
from synthgen_service.store.payloads import GenerateJob
from synthgen_service.store.status import JobStatus
from tests.service.conftest import Backstage, new_key, sample_frame
from tests.service.dashboard.test_pages import sign_in, token
from tests.service.dashboard.test_training import project_with_data, submit_train


def stored_files(settings: Settings) -> list[Path]:
    root = settings.data_dir / "artifacts"
    return sorted(root.rglob("*.*")) if root.exists() else []


async def trained(client: httpx.AsyncClient, project_url: str, name: str) -> str:
    created = await submit_train(client, project_url, "gaussian_copula", name)
    assert created.status_code == 303, created.text
    location: str = created.headers["location"]
    return location


async def with_output(app: Litestar, backstage: Backstage, model_url: str) -> str:
    """Give the model a completed generation with its output file; returns the file's id."""
    model_id = uuid.UUID(model_url.rsplit("/", 1)[1])
    async with app.state.sessions() as session:
        row = await models.get(session, "alice", model_id)
        assert row is not None
        job = await jobs.create(
            session, model_id=model_id, project_id=row.model.project_id, payload=GenerateJob()
        )
        await session.commit()
    return await backstage.complete_job(str(job.id), "alice", sample_frame(5))


def dataset_delete_url(project_page: str) -> str:
    match = re.search(r'href="(/dashboard/datasets/[0-9a-f-]{36}/delete)"', project_page)
    assert match, project_page
    return match.group(1)


async def test_deleting_a_model_asks_first_then_removes_it_with_its_files(
    app: Litestar, client: httpx.AsyncClient, settings: Settings, backstage: Backstage
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    model_url = await trained(client, project_url, "Doomed copula")
    output = await with_output(app, backstage, model_url)
    assert f'href="{model_url}/delete"' in (await client.get(project_url)).text
    assert f'href="{model_url}/delete"' in (await client.get(model_url)).text

    confirm = await client.get(model_url + "/delete")  # a GET only asks
    assert confirm.status_code == 200
    assert "Delete model Doomed copula?" in confirm.text
    assert "This removes its files and jobs." in confirm.text
    assert ">Delete</button>" in confirm.text and f'href="{model_url}" role="button">Cancel' in (
        confirm.text
    )
    assert (await client.get(model_url)).status_code == 200
    assert any(path.parent.name == output for path in stored_files(settings))

    deleted = await client.post(model_url + "/delete", data={"_csrf": token(confirm)})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == project_url
    assert "Doomed copula" not in (await client.get(project_url)).text
    assert (await client.get(model_url)).status_code == 404
    left = stored_files(settings)
    assert left and not any(path.parent.name == output for path in left)  # the dataset's file stays


async def test_deleting_a_training_model_stops_its_training_as_the_api_does(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    model_url = await trained(client, project_url, "Pending copula")
    model_id = uuid.UUID(model_url.rsplit("/", 1)[1])
    confirm = await client.get(model_url + "/delete")
    assert "Its training is stopped first." in confirm.text
    assert (await client.post(model_url + "/delete", data={"_csrf": token(confirm)})).is_redirect
    async with app.state.sessions() as session:
        assert await jobs.for_model(session, model_id) == []
        assert await models.get(session, "alice", model_id) is None


async def test_deleting_a_dataset_removes_its_models_and_files(
    app: Litestar, client: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    model_url = await trained(client, project_url, "Trained on people")
    url = dataset_delete_url((await client.get(project_url)).text)
    confirm = await client.get(url)
    assert "Delete dataset People?" in confirm.text
    assert "the 1 model trained on them" in confirm.text
    assert stored_files(settings)
    deleted = await client.post(url, data={"_csrf": token(confirm)})
    assert deleted.status_code == 303 and deleted.headers["location"] == project_url
    page = (await client.get(project_url)).text
    assert "No datasets yet." in page and "No models yet." in page
    assert (await client.get(model_url)).status_code == 404
    assert stored_files(settings) == []


async def test_deleting_a_project_goes_back_to_the_projects(
    app: Litestar, client: httpx.AsyncClient, settings: Settings
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    page = await client.get(project_url)
    assert f'href="{project_url}/delete" role="button">Delete project' in page.text
    confirm = await client.get(project_url + "/delete")
    assert "Delete project p?" in confirm.text
    deleted = await client.post(project_url + "/delete", data={"_csrf": token(confirm)})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/dashboard/projects"
    assert "No projects yet." in (await client.get("/dashboard/projects")).text
    assert (await client.get(project_url)).status_code == 404
    assert stored_files(settings) == []


async def test_a_delete_without_its_token_deletes_nothing(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    model_url = await trained(client, project_url, "Kept")
    dataset_url = dataset_delete_url((await client.get(project_url)).text)
    for url in (model_url + "/delete", dataset_url, project_url + "/delete"):
        assert (await client.post(url, data={})).status_code == 403, url
        assert (await client.post(url, data={"_csrf": "stale"})).status_code == 403, url
    page = (await client.get(project_url)).text
    assert "Kept" in page and "People" in page


async def test_another_owners_objects_cannot_be_deleted_or_even_seen(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await project_with_data(client)
    model_url = await trained(client, project_url, "Alice's")
    dataset_url = dataset_delete_url((await client.get(project_url)).text)
    urls = (model_url + "/delete", dataset_url, project_url + "/delete")
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as bob:
        await sign_in(bob, await new_key(app, "bob"))
        bobs_token = token(await bob.get("/dashboard/projects/new"))
        for url in urls:
            assert (await bob.get(url)).status_code == 404, url
            assert (await bob.post(url, data={"_csrf": bobs_token})).status_code == 404, url
    page = (await client.get(project_url)).text
    assert "Alice&#39;s" in page and "People" in page
    model_id = uuid.UUID(model_url.rsplit("/", 1)[1])
    async with app.state.sessions() as session:
        found = await jobs.for_model(session, model_id)
        assert [job.status for job in found] == [JobStatus.PENDING]


async def test_unknown_objects_are_404(app: Litestar, client: httpx.AsyncClient) -> None:
    await sign_in(client, await new_key(app, "alice"))
    for kind in ("models", "datasets", "projects"):
        assert (await client.get(f"/dashboard/{kind}/{uuid.uuid4()}/delete")).status_code == 404
