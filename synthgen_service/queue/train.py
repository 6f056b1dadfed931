"""``synthgen_train``: fit a model on its dataset version and store the model file.

load (dataset file + metadata) -> fit (in a thread, the callback reports each epoch and
stops within one epoch of a cancel) -> write (one model file under a key derived from the
job id, so a re-run overwrites instead of adding) -> mark (job ``completed``, model ``ready``).

The neural models save a checkpoint of their training every few epochs or seconds, in a
local file named after the job (:mod:`synthgen_service.queue.checkpoints` says why it is
not an artifact). A run that dies (the worker killed, the machine lost) leaves it
behind, and the retry that recovery schedules resumes from it, reporting
``resumed_from_epoch`` in its progress. A worker that shuts down cleanly saves one at its
last epoch. Every other ending (completed, failed, cancelled) removes the file.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.metadata import Metadata
from synthgen_core.models.base import Synthesizer
from synthgen_core.models.registry import create
from synthgen_service.artifacts import ArtifactKey
from synthgen_service.limits import time_capped
from synthgen_service.queue import lease as leases
from synthgen_service.queue.execution import execute, finished, stopped
from synthgen_service.queue.lease import Lease, NewArtifact
from synthgen_service.queue.progress import Monitor, Phase
from synthgen_service.queue.runtime import Runtime
from synthgen_service.queue.stored import read_table, stored_key
from synthgen_service.store import models
from synthgen_service.store.status import ArtifactKind, ModelStatus

MODEL_SUFFIX = ".synthgen"
MODEL_CONTENT_TYPE = "application/octet-stream"


def model_artifact_id(job_id: uuid.UUID) -> uuid.UUID:
    """The model file's artifact id: fixed per job, so retries never add a second file."""
    return uuid.uuid5(job_id, "model")


@dataclass(frozen=True)
class TrainInput:
    model_type: str
    config: dict[str, Any]
    table: pd.DataFrame
    metadata: Metadata


async def synthgen_train(ctx: dict[str, Any], job_id: str) -> str:
    """Arq task: train the model of job ``job_id``."""
    return await execute(ctx, job_id, _train)


async def _train(rt: Runtime, lease: Lease, monitor: Monitor) -> str:
    checkpoint = rt.checkpoints.path(lease.job_id)  # a local file: see queue.checkpoints
    try:
        outcome = await _train_from(rt, lease, monitor, checkpoint)
    except asyncio.CancelledError:
        raise  # the worker is shutting down: the retry resumes from the checkpoint
    except BaseException:
        checkpoint.unlink(missing_ok=True)
        raise
    checkpoint.unlink(missing_ok=True)
    return outcome


async def _train_from(rt: Runtime, lease: Lease, monitor: Monitor, checkpoint: Path) -> str:
    data = await load(rt, lease)
    if data is None or monitor.stopped:
        return await stopped(rt, lease, monitor, "training")
    model = await asyncio.to_thread(fit, data, monitor, checkpoint)
    if monitor.stopped:
        return await stopped(rt, lease, monitor, "training")
    monitor.enter(Phase.SAVING)
    artifact = await write(rt, lease, model)
    done = await mark(rt, lease, artifact, model.table_metadata_.to_dict(), monitor.final())
    if not done:
        await leases.discard(rt, artifact.artifact_id)
    return await finished(rt, lease, monitor, "training", done)


async def load(rt: Runtime, lease: Lease) -> TrainInput | None:
    """The model's type and options and its dataset version's table (None: model gone)."""
    async with rt.sessions() as session:
        row = await models.train_source(session, lease.model_id)
    if row is None:
        return None
    model_type, config, metadata, path = row
    missing = DataError(
        "the uploaded file of this model's dataset version is missing on the server; "
        "upload the dataset again and train a new model on it"
    )
    table = await asyncio.to_thread(read_table, rt.files, stored_key(rt.files, path, missing))
    options = time_capped(dict(config), rt.settings)  # every training ends by the budget
    return TrainInput(model_type, options, table, Metadata.from_dict(metadata))


def fit(data: TrainInput, monitor: Monitor, checkpoint: Path) -> Synthesizer:
    """Blocking: build and fit the model (runs in a worker thread)."""
    model = create(data.model_type, **data.config)
    monitor.enter(Phase.TRAINING)
    return model.fit(
        data.table, data.metadata, callback=monitor.training_callback, checkpoint=checkpoint
    )


async def write(rt: Runtime, lease: Lease, model: Synthesizer) -> NewArtifact:
    artifact_id = model_artifact_id(lease.job_id)

    key = ArtifactKey.data(artifact_id, MODEL_SUFFIX)

    def save() -> int:
        with rt.files.writer() as output:
            model.save(output.stream, signing_key=rt.settings.model_signing_key)
            return output.publish(key)

    size = await asyncio.to_thread(save)
    return NewArtifact(artifact_id, ArtifactKind.MODEL, str(key), size, MODEL_CONTENT_TYPE)


async def mark(
    rt: Runtime, lease: Lease, artifact: NewArtifact, learned: dict[str, Any], done: dict[str, Any]
) -> bool:
    """Completed; the model keeps its learned metadata, which generate requests check."""
    model_values = {
        "status": ModelStatus.READY,
        "error": None,
        "model_artifact_id": artifact.artifact_id,
        "learned_metadata": learned,
        "progress": done,
    }
    return await leases.complete(
        rt, lease, {"progress": done}, artifact=artifact, model_values=model_values
    )


__all__ = ["MODEL_SUFFIX", "model_artifact_id", "synthgen_train"]
