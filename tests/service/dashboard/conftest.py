"""Fixtures for the dashboard's generate and job pages: a real burst worker trains and generates."""

from __future__ import annotations

import pytest

from synthgen_service.queue.options import WorkerOptions


@pytest.fixture
def options() -> WorkerOptions:
    """Small chunks and a small report sample: a generation finishes within a test's time."""
    return WorkerOptions(heartbeat_s=0.05, pending_grace_s=0.0, chunk_rows=400, report_rows=300)
