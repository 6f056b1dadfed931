"""Deleting a model while a worker writes its job and model: one lock order, no deadlock."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar

from synthgen_service.api.removal import Removal
from synthgen_service.store.tables import Job, Model, utcnow
from tests.service.conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(
    DATABASE_URL is None or not DATABASE_URL.startswith("postgresql"),
    reason="row locks: SQLite locks the whole database on write",
)


async def test_deleting_a_model_waits_for_a_workers_heartbeat_instead_of_deadlocking(
    app: Litestar, alice: Any
) -> None:
    ids = await alice.workflow()
    model_id, job_id = uuid.UUID(ids["model_id"]), uuid.UUID(ids["job_id"])
    state = app.state
    async with state.sessions() as request, state.sessions() as worker:
        removal = Removal(request, state.queue, state.files, state.checkpoints)
        await removal.cancel([model_id])
        # A worker's heartbeat: its job row first ...
        await worker.execute(sa.update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow()))
        deleting = asyncio.create_task(
            removal.delete_rows([model_id], dataset_ids=(), project_id=None)
        )
        await asyncio.sleep(0.5)  # the deletion reaches its first row lock and waits there
        # ... then its model, which a deletion that locked the model first would hold.
        await worker.execute(
            sa.update(Model).where(Model.id == model_id).values(progress={"epoch": 1})
        )
        await worker.commit()
        await asyncio.wait_for(deleting, timeout=30)
    response = await alice.get(f"/api/synthgen/models/{model_id}")
    assert response.status_code == 404, response.text
