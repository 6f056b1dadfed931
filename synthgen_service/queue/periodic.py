"""Heartbeats that stop between two beats, never inside one.

A beat cancelled halfway through its database transaction or Redis pipeline can leave its
connection neither returned to the pool nor closed, for the garbage collector to find. So
a heartbeat loop waits on a stop event instead of sleeping, and its owner sets the event
and lets a beat under way finish; one that hangs past a grace period is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib


async def pause(stopping: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds``, or less if ``stopping`` is set; whether it is."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)
    return stopping.is_set()


async def stop_between_beats(
    task: asyncio.Task[None], stopping: asyncio.Event, grace: float
) -> None:
    """Ask ``task`` to stop after its beat under way; cancel it after ``grace`` seconds."""
    stopping.set()
    _, pending = await asyncio.wait({task}, timeout=grace)
    if pending:
        task.cancel()
    await asyncio.gather(task, return_exceptions=True)
