"""Worker tuning: retries, time limits, heartbeats and chunk sizes.

Kept apart from :class:`~synthgen_service.settings.Settings` (which both the API and the
worker read) because only the worker uses these. Like ``Settings`` they are read from the
environment once, in the CLI (``WorkerOptions.from_env()``), and passed down; tests build
``WorkerOptions(heartbeat_s=0.2, ...)`` directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated

import msgspec

Seconds = Annotated[float, msgspec.Meta(gt=0)]
Count = Annotated[int, msgspec.Meta(ge=1)]


class WorkerOptions(msgspec.Struct, frozen=True, kw_only=True):
    """How a worker runs jobs; every default suits a production deployment."""

    #: Runs of one job before it is failed for good; only lost runs (a worker that died or
    #: was stopped mid-job) are retried, a job that raises an error fails at once.
    max_tries: Count = 3
    #: Hard limit on one run; generous because training a GAN on a big table takes hours.
    job_timeout_s: Seconds = 48 * 3600.0
    #: How often a running job writes its heartbeat and progress and reads its cancel flag.
    heartbeat_s: Seconds = 2.0
    #: A ``running`` job whose heartbeat is older than this belongs to a dead worker.
    stale_after_s: Seconds = 60.0
    #: How often the recovery sweep (stale jobs, jobs missing from Redis) runs.
    recovery_every_s: Annotated[int, msgspec.Meta(ge=1, le=3600)] = 30
    #: A ``pending`` job younger than this may still be on its way into Redis: left alone.
    pending_grace_s: Annotated[float, msgspec.Meta(ge=0)] = 30.0
    #: Jobs one worker process runs at the same time.
    max_jobs: Count = 2
    #: Torch intra-op threads per process; 0 shares the CPUs this process may use among
    #: ``max_jobs``.
    torch_threads: Annotated[int, msgspec.Meta(ge=0)] = 0
    #: Rows sampled and written per step of a generation job (bounds its memory).
    chunk_rows: Count = 50_000
    #: Rows of the real and the synthetic table compared by the quality report.
    report_rows: Count = 10_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerOptions:
        """Options from ``SYNTHGEN_WORKER_<FIELD>`` variables (e.g. ``..._MAX_TRIES=5``)."""
        env = os.environ if environ is None else environ
        raw: dict[str, str] = {}
        for field in cls.__struct_fields__:
            value = env.get(f"SYNTHGEN_WORKER_{field.upper()}")
            if value not in (None, ""):
                raw[field] = value
        return msgspec.convert(raw, cls, strict=False)


__all__ = ["WorkerOptions"]
