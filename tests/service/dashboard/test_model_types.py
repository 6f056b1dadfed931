"""The model-types page: the registry's types, as the REST API lists them, with defaults."""

from __future__ import annotations

import html

import httpx
from litestar import Litestar

from synthgen_core.models.registry import model_types, validate_config
from tests.service.conftest import new_key
from tests.service.dashboard.test_pages import sign_in


async def test_every_type_is_listed_with_its_description_and_option_defaults(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    projects = (await client.get("/dashboard/projects")).text
    assert '<a href="/dashboard/model-types">Model types</a>' in projects
    page = html.unescape((await client.get("/dashboard/model-types")).text)
    api = (await client.get("/api/synthgen/model-types")).status_code
    assert api == 401  # the page is the dashboard's; the API still wants its Bearer key
    for info in model_types():
        assert f'<h2 id="type-{info.id}">{info.name} <small>(<code>{info.id}</code>)' in page
        assert info.description in page
    epochs = validate_config("ctgan", {})["epochs"]
    assert f"<td><code>epochs</code></td>\n        <td><code>{epochs}</code>" in page
    assert "<code>constraints</code>" in page  # named, set through the REST API


async def test_the_page_needs_a_session(client: httpx.AsyncClient) -> None:
    response = await client.get("/dashboard/model-types")
    assert response.status_code == 303 and response.headers["location"] == "/"
