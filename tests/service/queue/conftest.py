"""Fixtures for the queue tests (helpers live in :mod:`support`)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar

from synthgen_service.queue.options import WorkerOptions
from tests.service.queue.support import Rows


@pytest.fixture
def options() -> WorkerOptions:
    """Fast heartbeats and sweeps, small chunks: everything happens within a test's time."""
    return WorkerOptions(
        heartbeat_s=0.05,
        stale_after_s=3.0,
        pending_grace_s=0.0,
        max_tries=2,
        chunk_rows=400,
        report_rows=300,
        max_jobs=2,
        recovery_every_s=1,
    )


@pytest.fixture
def rows(app: Litestar, client: Any) -> Rows:
    return Rows(app)
