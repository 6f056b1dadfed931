"""A database with no room left answers 507, and what it already stored stays readable."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar

from synthgen_service.settings import Settings
from tests.service.conftest import Api


def _no_new_pages(dbapi_connection: Any, _record: Any) -> None:
    """The database file may not grow by one page: SQLite's own "database or disk is full"."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA page_count")
    (pages,) = cursor.fetchone()
    cursor.execute(f"PRAGMA max_page_count = {int(pages)}")
    cursor.close()


async def test_a_full_database_answers_507_and_keeps_what_it_stored(
    alice: Api, app: Litestar, settings: Settings
) -> None:
    if not settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("a full database is made with SQLite's page cap")
    kept = await alice.project("kept")
    engine = app.state.engine
    sa.event.listen(engine.sync_engine, "connect", _no_new_pages)
    await engine.dispose()  # every connection from here on is capped
    statuses = []
    for attempt in range(2_000):
        response = await alice.post("/api/projects", json={"name": f"filler {attempt:04d} " * 10})
        statuses.append(response.status_code)
        if response.status_code != 201:
            break
    assert statuses[-1] == 507, statuses[-1:]
    body = response.json()
    assert "database" in body["detail"] and "retry" in body["detail"]
    sa.event.remove(engine.sync_engine, "connect", _no_new_pages)
    await engine.dispose()
    listed = await alice.get("/api/projects")
    assert kept in [project["id"] for project in listed.json()["items"]]
