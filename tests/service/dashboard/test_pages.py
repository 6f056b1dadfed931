"""Dashboard pages over the real app (SQLite or PostgreSQL, real Redis), through HTTP.

The browser tests (tests/e2e/test_dashboard.py) drive the same pages by their labels;
these check what a browser does not show: cookies, tokens, headers and status codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar

from synthgen_service.dashboard.session import COOKIE
from tests.service.conftest import csv_bytes, new_key, sample_frame

TOKEN = re.compile(r'name="_csrf" value="([^"]+)"')


def token(page: httpx.Response) -> str:
    match = TOKEN.search(page.text)
    assert match, page.text
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    form = await client.get("/")
    return await client.post("/dashboard/sign-in", data={"api_key": key, "_csrf": token(form)})


async def new_project(client: httpx.AsyncClient, name: str) -> str:
    form = await client.get("/dashboard/projects/new")
    created = await client.post("/dashboard/projects", data={"name": name, "_csrf": token(form)})
    assert created.status_code == 303, created.text
    location: str = created.headers["location"]
    return location


async def test_sign_in_sets_a_strict_httponly_cookie_without_the_key(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    key = await new_key(app, "alice")
    response = await sign_in(client, key)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/projects"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE))
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert key not in cookie
    assert (await client.get("/dashboard/projects")).status_code == 200


async def test_wrong_key_stays_on_the_sign_in_page(client: httpx.AsyncClient) -> None:
    response = await sign_in(client, "sg_not-a-key")
    assert response.status_code == 200  # the form again, with the error
    assert "unknown or revoked" in response.text
    assert COOKIE not in client.cookies
    page = await client.get("/dashboard/projects")
    assert page.status_code == 303
    assert page.headers["location"] == "/"


async def test_forged_cookie_is_refused(app: Litestar, client: httpx.AsyncClient) -> None:
    await sign_in(client, await new_key(app, "alice"))
    payload, mac = client.cookies[COOKIE].split(".")
    client.cookies.set(COOKIE, f"{payload}.{mac[:-2]}AA")
    assert (await client.get("/dashboard/projects")).status_code == 303


async def test_forms_without_their_token_are_refused(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    refused = await client.post("/dashboard/projects", data={"name": "no token"})
    assert refused.status_code == 403
    stale = await client.post("/dashboard/projects", data={"name": "x", "_csrf": "stale"})
    assert stale.status_code == 403
    listing = await client.get("/dashboard/projects")
    assert "no token" not in listing.text
    assert (await client.post("/dashboard/sign-out", data={})).status_code == 403


async def test_sign_in_form_needs_its_own_token(app: Litestar, client: httpx.AsyncClient) -> None:
    key = await new_key(app, "alice")
    response = await client.post("/dashboard/sign-in", data={"api_key": key})
    assert response.status_code == 403
    assert COOKIE not in client.cookies


async def test_revoking_the_key_ends_its_sessions(app: Litestar, client: httpx.AsyncClient) -> None:
    from synthgen_service.store import keys

    key = await new_key(app, "alice")
    await sign_in(client, key)
    async with app.state.sessions() as session:
        await keys.revoke(session, key)
        await session.commit()
    assert (await client.get("/dashboard/projects")).status_code == 303


async def test_pages_forbid_inline_scripts(app: Litestar, client: httpx.AsyncClient) -> None:
    for response in [await client.get("/"), await client.get("/dashboard/static/htmx.min.js")]:
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy


async def test_create_project_and_upload_a_dataset(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await new_project(client, "Fraud <b>2026</b>")
    page = await client.get(project_url)
    assert "Fraud &lt;b&gt;2026&lt;/b&gt;" in page.text  # escaped, never markup
    form = await client.get(project_url + "/upload")
    files = {"file": ("people.csv", csv_bytes(sample_frame(rows=60)), "text/csv")}
    data = {"name": "People", "_csrf": token(form)}
    uploaded = await client.post(project_url + "/upload", data=data, files=files)
    assert uploaded.status_code == 303, uploaded.text
    html = (await client.get(project_url)).text
    cells = re.findall(r"<td>(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>", html)
    assert cells[:5] == ["People", "1", "60", "4", "0"]


async def test_upload_without_a_name_keeps_the_form(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await new_project(client, "p")
    form = await client.get(project_url + "/upload")
    files = {"file": ("people.csv", csv_bytes(sample_frame()), "text/csv")}
    response = await client.post(
        project_url + "/upload", data={"name": " ", "_csrf": token(form)}, files=files
    )
    assert response.status_code == 200  # the form again, with the error next to the field
    assert 'id="name_error"' in response.text
    assert "Enter a name" in response.text


async def test_another_owner_sees_nothing(
    app: Litestar, client: httpx.AsyncClient, caller: Callable[..., Any]
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await new_project(client, "Alice's project")
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as bob:
        await sign_in(bob, await new_key(app, "bob"))
        assert "Alice's project" not in (await bob.get("/dashboard/projects")).text
        for path in ["", "/upload", "/models"]:
            response = await bob.get(project_url + path)
            assert response.status_code == 404, path
            assert "not found" in response.text


@pytest.mark.parametrize("path", ["/dashboard/projects", "/dashboard/projects/new"])
async def test_pages_need_a_session(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    htmx = await client.get(path, headers={"HX-Request": "true"})
    assert htmx.headers["hx-redirect"] == "/"


async def test_a_datasets_columns_are_a_click_away(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    await sign_in(client, await new_key(app, "alice"))
    project_url = await new_project(client, "p")
    form = await client.get(project_url + "/upload")
    frame = sample_frame(rows=60)
    frame.loc[:29, "income"] = None
    files = {"file": ("people.csv", csv_bytes(frame), "text/csv")}
    await client.post(
        project_url + "/upload", data={"name": "People", "_csrf": token(form)}, files=files
    )
    link = re.search(
        r'href="(/dashboard/versions/[0-9a-f-]+)">People<', (await client.get(project_url)).text
    )
    assert link, "the dataset name links to its newest version"
    page = (await client.get(link.group(1))).text
    rows = re.findall(
        r"<tr>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", page
    )
    by_name = {name: (kind, missing, categories) for name, kind, missing, categories in rows}
    assert by_name["income"][:2] == ("numerical", "50.0%")
    assert by_name["city"][0] == "categorical"
    assert sorted(by_name["city"][2].split(", ")) == ["Oslo", "Paris", "Zürich"]
    async with httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url)) as bob:
        await sign_in(bob, await new_key(app, "bob"))
        assert (await bob.get(link.group(1))).status_code == 404
