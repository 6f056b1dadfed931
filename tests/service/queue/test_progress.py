"""A running job's heartbeat, progress JSON and cancel flag, against a real database row."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from synthgen_core.nn.training import TrainingProgress
from synthgen_service.queue.lease import Lease, claim
from synthgen_service.queue.options import WorkerOptions
from synthgen_service.queue.progress import Monitor, StopReason, sampling_progress
from synthgen_service.queue.runtime import Runtime
from synthgen_service.settings import Settings
from synthgen_service.store import leases
from tests.service.queue.support import Rows, copula_model

pytestmark = pytest.mark.redis


@pytest.fixture
async def rt(settings: Settings, options: WorkerOptions, rows: Rows) -> AsyncIterator[Runtime]:
    runtime = await Runtime.open(settings, options)
    yield runtime
    await runtime.close()


async def _running(alice: Any, rt: Runtime) -> tuple[dict[str, str], Lease]:
    ids = await copula_model(alice)
    lease = await claim(rt, uuid.UUID(ids["job_id"]))
    assert lease is not None and lease.attempt == 1
    return ids, lease


def _epoch(epoch: int, total: int = 10) -> TrainingProgress:
    return TrainingProgress(
        epoch=epoch,
        total_epochs=total,
        losses={"generator": 0.5, "discriminator": -0.25},
        elapsed=2.0 * epoch,
    )


async def test_claim_marks_job_running_and_model_training(
    alice: Any, rt: Runtime, rows: Rows
) -> None:
    ids, _ = await _running(alice, rt)
    job, model = await rows.job(ids["job_id"]), await rows.model(ids["model_id"])
    assert job is not None and model is not None
    assert (job.status, job.attempts, model.status) == ("running", 1, "training")
    assert job.started_at is not None and job.heartbeat_at is not None
    assert await claim(rt, uuid.UUID(ids["job_id"])) is not None  # a re-delivery takes over


async def test_epoch_progress_reaches_job_and_model(alice: Any, rt: Runtime, rows: Rows) -> None:
    ids, lease = await _running(alice, rt)
    monitor = Monitor(rt, lease)

    assert monitor.training_callback(_epoch(3)) is False
    await monitor.beat()

    job, model = await rows.job(ids["job_id"]), await rows.model(ids["model_id"])
    assert job is not None and model is not None
    assert job.progress is not None and model.progress == job.progress
    assert {k: job.progress[k] for k in ("phase", "epoch", "total_epochs", "losses")} == {
        "phase": "training",
        "epoch": 3,
        "total_epochs": 10,
        "losses": {"generator": 0.5, "discriminator": -0.25},
    }
    assert job.progress["eta_seconds"] == pytest.approx(14.0)
    assert job.progress["fraction"] == pytest.approx(0.3)
    assert job.progress["updated_at"].endswith("Z")


async def test_the_loss_history_reaches_job_and_model_and_stays_once_done(
    alice: Any, rt: Runtime, rows: Rows
) -> None:
    ids, lease = await _running(alice, rt)
    monitor = Monitor(rt, lease)
    for epoch in range(1, 4):
        monitor.training_callback(_epoch(epoch))
    await monitor.beat()

    model = await rows.model(ids["model_id"])
    assert model is not None and model.progress is not None
    assert model.progress["loss_history"] == {
        "epochs": [1, 2, 3],
        "series": {"generator": [0.5, 0.5, 0.5], "discriminator": [-0.25, -0.25, -0.25]},
    }
    job = await rows.job(ids["job_id"])
    assert job is not None and job.progress == model.progress
    done = monitor.final()
    assert done["phase"] == "done" and done["loss_history"]["epochs"] == [1, 2, 3]


async def test_sampling_progress_has_no_loss_history(alice: Any, rt: Runtime, rows: Rows) -> None:
    ids, lease = await _running(alice, rt)
    monitor = Monitor(rt, lease)
    monitor.report(sampling_progress(10, 100, 1.0))
    await monitor.beat()
    job = await rows.job(ids["job_id"])
    assert job is not None and job.progress is not None and "loss_history" not in job.progress


async def test_cancel_flag_stops_training_at_the_next_epoch(
    alice: Any, rt: Runtime, rows: Rows
) -> None:
    ids, lease = await _running(alice, rt)
    monitor = Monitor(rt, lease)
    assert monitor.training_callback(_epoch(1)) is False

    await rows.update_job(ids["job_id"], cancel_requested=True)
    await monitor.beat()

    assert monitor.training_callback(_epoch(2)) is True
    assert monitor.reason == StopReason.CANCELLED


async def test_a_run_that_lost_its_lease_is_told_to_stop(
    alice: Any, rt: Runtime, rows: Rows
) -> None:
    ids, lease = await _running(alice, rt)
    monitor = Monitor(rt, lease)
    newer = await claim(rt, uuid.UUID(ids["job_id"]))  # recovery gave the job to another run
    assert newer is not None and newer.attempt == 2

    monitor.report(sampling_progress(10, 100, 1.0))
    await monitor.beat()

    assert monitor.stopped and monitor.reason == StopReason.GONE
    job = await rows.job(ids["job_id"])
    assert job is not None and job.progress is None  # the old run wrote nothing


async def test_generation_progress_shape(alice: Any, rt: Runtime, rows: Rows) -> None:
    ids, lease = await _running(alice, rt)
    monitor = Monitor(rt, lease)
    monitor.report(sampling_progress(250, 1000, 2.0))
    await monitor.beat()

    job = await rows.job(ids["job_id"])
    assert job is not None and job.progress is not None
    assert job.progress["rows_written"] == 250 and job.progress["total_rows"] == 1000
    assert job.progress["eta_seconds"] == pytest.approx(6.0)
    assert "epoch" not in job.progress


async def test_leaving_the_monitor_lets_a_beat_in_progress_finish(
    alice: Any, rt: Runtime, rows: Rows, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A beat cancelled halfway through its transaction could strand its connection."""
    ids, lease = await _running(alice, rt)
    writing, outcomes = asyncio.Event(), []
    plain_beat = leases.beat

    async def slow_beat(session: Any, run: Lease, progress: dict[str, Any] | None) -> bool | None:
        writing.set()
        try:
            await asyncio.sleep(0.3)  # the job ends while this write is under way
            cancel = await plain_beat(session, run, progress)
        except asyncio.CancelledError:
            outcomes.append("cancelled")
            raise
        outcomes.append("written")
        return cancel

    monkeypatch.setattr(leases, "beat", slow_beat)
    async with Monitor(rt, lease) as monitor:
        monitor.report(sampling_progress(7, 10, 1.0))
        await writing.wait()
    assert outcomes == ["written"]  # finished, and no beat after the monitor closed
    job = await rows.job(ids["job_id"])
    assert job is not None and job.progress is not None
    assert job.progress["rows_written"] == 7
