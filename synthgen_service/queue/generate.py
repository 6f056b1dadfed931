"""``synthgen_generate``: sample rows from a ready model into one CSV artifact.

load (model file) -> sample (chunk by chunk in a thread, each chunk appended to a temp CSV,
so memory stays flat whatever ``num_rows``) -> write (atomic move to a path derived from
the job id) -> evaluate (quality report on a capped sample) -> mark. Chunk ``i`` is
sampled with the ``i``-th seed drawn from the job's seed, so one seed always gives the same
values, and a job without a seed takes one from its id: a re-run reproduces the same rows.

Ids are unique across a model's outputs: each chunk is sampled with ``first_row`` set to its
position, and a job's first position is the sum of ``num_rows`` over the model's generate
jobs created before it (whatever became of them), so the second job continues numbering
where the first ends, and a re-run of a job gets the same ids.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from synthgen_core.errors import ModelFileError, NotFittedError, SynthGenError
from synthgen_core.io.tables import read_table
from synthgen_core.metadata import Metadata
from synthgen_core.models.base import Synthesizer
from synthgen_core.models.load import load as load_model
from synthgen_core.rng import child_seed, numpy_rng
from synthgen_service.queue import lease as leases
from synthgen_service.queue.execution import execute, finished, stopped
from synthgen_service.queue.lease import Lease, NewArtifact
from synthgen_service.queue.progress import Monitor, Phase, sampling_progress
from synthgen_service.queue.runtime import Runtime
from synthgen_service.store.tables import (
    Artifact,
    ArtifactKind,
    DatasetVersion,
    Job,
    JobType,
    Model,
    ModelStatus,
)

logger = logging.getLogger("synthgen.worker")

OUTPUT_SUFFIX = ".csv"


def output_artifact_id(job_id: uuid.UUID) -> uuid.UUID:
    """The output's artifact id: fixed per job, so retries overwrite rather than add."""
    return uuid.uuid5(job_id, "output")


def job_rows(config: dict[str, Any]) -> int:
    return int(config.get("num_rows", 1000))


def job_seed(lease: Lease) -> int:
    seed = lease.config.get("seed")
    return int(seed) if seed is not None else lease.job_id.int % (2**63)


@dataclass(frozen=True)
class GenerateInput:
    model: Synthesizer
    num_rows: int
    seed: int
    #: Position of the job's first row among all rows generated from the model.
    first_row: int
    conditions: dict[str, Any] | None
    real_path: Path
    metadata: Metadata


async def synthgen_generate(ctx: dict[str, Any], job_id: str) -> str:
    """Arq task: generate the rows of job ``job_id``."""
    return await execute(ctx, job_id, _generate)


async def _generate(rt: Runtime, lease: Lease, monitor: Monitor) -> str:
    data = await load(rt, lease)
    if data is None or monitor.stopped:
        return await stopped(rt, lease, monitor, "generation")
    with rt.files.temp_file(OUTPUT_SUFFIX) as tmp:
        kept = await asyncio.to_thread(
            sample_to_csv, data, tmp, monitor, rt.options.chunk_rows, rt.options.report_rows
        )
        if monitor.stopped:
            return await stopped(rt, lease, monitor, "generation")
        artifact = await write(rt, lease, tmp)
    monitor.enter(Phase.EVALUATING)
    report = await asyncio.to_thread(quality_report, data, kept, rt.options.report_rows)
    done = await leases.complete(
        rt,
        lease,
        {"output_artifact_id": artifact.artifact_id, "report": report, "progress": monitor.final()},
        artifact=artifact,
    )
    if not done:
        await leases.discard(rt, artifact.artifact_id)
    return await finished(rt, lease, monitor, "generation", done)


async def load(rt: Runtime, lease: Lease) -> GenerateInput | None:
    """The fitted model and the real table's location (None: the model is gone)."""
    stmt = (
        sa.select(Model.status, Artifact.path, DatasetVersion)
        .outerjoin(Artifact, Artifact.id == Model.model_artifact_id)
        .join(DatasetVersion, DatasetVersion.id == Model.dataset_version_id)
        .where(Model.id == lease.model_id)
    )
    async with rt.sessions() as session:
        row = (await session.execute(stmt)).one_or_none()
        real = None if row is None else await session.get(Artifact, row[2].artifact_id)
    if row is None or real is None:
        return None
    status, model_path, version = row
    if status != ModelStatus.READY or model_path is None:
        raise NotFittedError(f"the model is {status}, not ready; generate once training is done")
    missing = ModelFileError("the model file is missing on the server; train the model again")
    stored = leases.stored_file(rt, model_path, missing)
    key = rt.settings.model_signing_key
    model = await asyncio.to_thread(load_model, stored, signing_key=key)
    return GenerateInput(
        model=model,
        num_rows=job_rows(lease.config),
        seed=job_seed(lease),
        first_row=await first_row(rt, lease),
        conditions=lease.config.get("conditions") or None,
        real_path=rt.files.path(real.path),
        metadata=Metadata.from_dict(version.table_metadata),
    )


async def first_row(rt: Runtime, lease: Lease) -> int:
    """Rows the model's earlier generate jobs asked for: where this job's ids start.

    Earlier by creation time (then id), whatever their status: a job's position never
    changes once it exists, so re-runs and concurrent jobs keep disjoint ids.
    """
    created = sa.select(Job.created_at).where(Job.id == lease.job_id).scalar_subquery()
    stmt = sa.select(Job.config).where(
        Job.model_id == lease.model_id,
        Job.job_type == JobType.GENERATE,
        sa.or_(Job.created_at < created, sa.and_(Job.created_at == created, Job.id < lease.job_id)),
    )
    async with rt.sessions() as session:
        configs = (await session.scalars(stmt)).all()
    return sum(job_rows(config) for config in configs)


def chunk_sizes(total: int, chunk: int) -> list[int]:
    """Row counts per chunk (at least one chunk, so an empty table still has its header)."""
    full, rest = divmod(total, chunk)
    return [chunk] * full + ([rest] if rest or not full else [])


def sample_to_csv(
    data: GenerateInput, target: Path, monitor: Monitor, chunk_rows: int, keep_rows: int
) -> pd.DataFrame:
    """Blocking: append chunk after chunk to ``target``; returns the first ``keep_rows`` rows."""
    rng = numpy_rng(data.seed)
    start, written, kept = time.monotonic(), 0, []
    with target.open("w", encoding="utf-8", newline="") as handle:
        for index, size in enumerate(chunk_sizes(data.num_rows, chunk_rows)):
            frame = data.model.sample(
                size,
                seed=child_seed(rng),
                conditions=data.conditions,
                first_row=data.first_row + written,
            )
            frame.to_csv(handle, header=index == 0, index=False)
            if written < keep_rows:
                kept.append(frame.iloc[: keep_rows - written])
            written += len(frame)
            if monitor.report(sampling_progress(written, data.num_rows, time.monotonic() - start)):
                break  # cancelled: checked between chunks
    return pd.concat(kept, ignore_index=True)


async def write(rt: Runtime, lease: Lease, tmp: Path) -> NewArtifact:
    artifact_id = output_artifact_id(lease.job_id)
    path, size = await asyncio.to_thread(rt.files.publish, tmp, artifact_id, OUTPUT_SUFFIX)
    return NewArtifact(artifact_id, ArtifactKind.SYNTHETIC, path, size, "text/csv")


def quality_report(data: GenerateInput, synthetic: pd.DataFrame, cap: int) -> dict[str, Any] | None:
    """Blocking: compare up to ``cap`` real rows with the first ``cap`` synthetic rows."""
    if synthetic.empty or not data.real_path.is_file():
        return None
    # Imported here: the evaluation stack (scikit-learn) would add seconds to worker start-up.
    from synthgen_core.evaluation.report import evaluate

    real = read_table(data.real_path)
    if len(real) > cap:
        real = real.sample(n=cap, random_state=numpy_rng(data.seed))
    try:
        return evaluate(real, synthetic, metadata=data.metadata, seed=data.seed % 2**32).to_dict()
    except SynthGenError as exc:  # e.g. nothing scorable: the rows are still good
        logger.info("no quality report: %s", type(exc).__name__)
        return None


__all__ = ["OUTPUT_SUFFIX", "chunk_sizes", "output_artifact_id", "synthgen_generate"]
