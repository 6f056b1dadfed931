"""``synthgen_generate``: sample rows from a ready model into one CSV artifact.

load (model file) -> sample (chunk by chunk in a thread, each chunk appended to an artifact
writer's CSV, so memory stays flat whatever ``num_rows``) -> write (atomic publish under a
key derived from the job id) -> evaluate (quality report on a capped sample) -> mark.
Chunk ``i`` is sampled with the ``i``-th seed drawn from the job's seed, so one seed always
gives the same values, and a job without a seed takes one from its id: a re-run reproduces
the same rows.

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
from typing import IO, Any

import pandas as pd

from synthgen_core.errors import ModelFileError, NotFittedError, SynthGenError
from synthgen_core.metadata import Metadata
from synthgen_core.models.base import Synthesizer
from synthgen_core.rng import child_seed, numpy_rng
from synthgen_service.artifacts import ArtifactKey, ArtifactWriter, text_stream
from synthgen_service.queue import lease as leases
from synthgen_service.queue.execution import execute, finished, stopped
from synthgen_service.queue.lease import Lease, NewArtifact
from synthgen_service.queue.progress import Monitor, Phase, sampling_progress
from synthgen_service.queue.runtime import Runtime
from synthgen_service.queue.stored import load_model, read_table, stored_key
from synthgen_service.store import jobs, models
from synthgen_service.store.payloads import GenerateJob, decode_payload
from synthgen_service.store.status import ArtifactKind, ModelStatus

logger = logging.getLogger("synthgen.worker")

OUTPUT_SUFFIX = ".csv"


def output_artifact_id(job_id: uuid.UUID) -> uuid.UUID:
    """The output's artifact id: fixed per job, so retries overwrite rather than add."""
    return uuid.uuid5(job_id, "output")


@dataclass(frozen=True)
class GenerateInput:
    model: Synthesizer
    num_rows: int
    seed: int
    #: Position of the job's first row among all rows generated from the model.
    first_row: int
    conditions: dict[str, Any] | None
    real: ArtifactKey
    metadata: Metadata


async def synthgen_generate(ctx: dict[str, Any], job_id: str) -> str:
    """Arq task: generate the rows of job ``job_id``."""
    return await execute(ctx, job_id, _generate)


async def _generate(rt: Runtime, lease: Lease, monitor: Monitor) -> str:
    data = await load(rt, lease)
    if data is None or monitor.stopped:
        return await stopped(rt, lease, monitor, "generation")
    options = rt.options
    with rt.files.writer() as output:
        kept = await asyncio.to_thread(
            sample_to_csv, data, output.stream, monitor, options.chunk_rows, options.report_rows
        )
        if monitor.stopped:
            return await stopped(rt, lease, monitor, "generation")
        artifact = await write(rt, lease, output)
    monitor.enter(Phase.EVALUATING)
    real = await asyncio.to_thread(read_real, rt, data)
    report = await asyncio.to_thread(quality_report, data, real, kept, rt.options.report_rows)
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
    request = decode_payload(GenerateJob, lease.config)
    async with rt.sessions() as session:
        row = await models.generate_source(session, lease.model_id)
    if row is None:
        return None
    status, model_path, metadata, real_path = row
    if status != ModelStatus.READY or model_path is None:
        raise NotFittedError(f"the model is {status}, not ready; generate once training is done")
    missing = ModelFileError("the model file is missing on the server; train the model again")
    stored = stored_key(rt.files, model_path, missing)
    key = rt.settings.model_signing_key
    model = await asyncio.to_thread(load_model, rt.files, stored, key)
    return GenerateInput(
        model=model,
        num_rows=request.num_rows,
        seed=lease.job_id.int % (2**63) if request.seed is None else request.seed,
        first_row=await first_row(rt, lease),
        conditions=request.conditions or None,
        real=ArtifactKey.parse(real_path),
        metadata=Metadata.from_dict(metadata),
    )


async def first_row(rt: Runtime, lease: Lease) -> int:
    """Where this job's ids start: after the rows of the model's earlier generate jobs."""
    async with rt.sessions() as session:
        return await jobs.generated_before(session, lease.job_id, lease.model_id)


def chunk_sizes(total: int, chunk: int) -> list[int]:
    """Row counts per chunk (at least one chunk, so an empty table still has its header)."""
    full, rest = divmod(total, chunk)
    return [chunk] * full + ([rest] if rest or not full else [])


def sample_to_csv(
    data: GenerateInput, target: IO[bytes], monitor: Monitor, chunk_rows: int, keep_rows: int
) -> pd.DataFrame:
    """Blocking: append chunk after chunk to ``target``; returns the first ``keep_rows`` rows."""
    rng = numpy_rng(data.seed)
    start, written, kept = time.monotonic(), 0, []
    with text_stream(target) as handle:
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


async def write(rt: Runtime, lease: Lease, output: ArtifactWriter) -> NewArtifact:
    artifact_id = output_artifact_id(lease.job_id)
    key = ArtifactKey.data(artifact_id, OUTPUT_SUFFIX)
    size = await asyncio.to_thread(output.publish, key)
    return NewArtifact(artifact_id, ArtifactKind.SYNTHETIC, str(key), size, "text/csv")


def read_real(rt: Runtime, data: GenerateInput) -> pd.DataFrame | None:
    """Blocking: the real table the report compares with (None: its file is gone)."""
    return read_table(rt.files, data.real) if rt.files.exists(data.real) else None


def quality_report(
    data: GenerateInput, real: pd.DataFrame | None, synthetic: pd.DataFrame, cap: int
) -> dict[str, Any] | None:
    """Blocking: compare up to ``cap`` real rows with the first ``cap`` synthetic rows."""
    if synthetic.empty or real is None:
        return None
    # Imported here: the evaluation stack (scikit-learn) would add seconds to worker start-up.
    from synthgen_core.evaluation.report import evaluate

    if len(real) > cap:
        real = real.sample(n=cap, random_state=numpy_rng(data.seed))
    try:
        return evaluate(real, synthetic, metadata=data.metadata, seed=data.seed % 2**32).to_dict()
    except SynthGenError as exc:  # e.g. nothing scorable: the rows are still good
        logger.info("no quality report: %s", type(exc).__name__)
        return None


__all__ = ["OUTPUT_SUFFIX", "chunk_sizes", "output_artifact_id", "synthgen_generate"]
