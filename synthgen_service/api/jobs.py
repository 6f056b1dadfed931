"""``/api/synthgen/jobs``: list, detail, download the output, cancel (per the spec)."""

from __future__ import annotations

import uuid
from typing import Annotated

from arq.connections import ArqRedis
from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.api.responses import DownloadOperation, error_responses
from synthgen_service.api.views import job_list_item, job_read
from synthgen_service.artifacts import ArtifactKey, ArtifactStore, read_chunks
from synthgen_service.errors import Conflict, NotFound
from synthgen_service.exports import MEDIA_TYPES, ExportFormat, export_key
from synthgen_service.queue.enqueue import dequeue
from synthgen_service.queue.liveness import waiting_note
from synthgen_service.schemas.common import Limit, Offset, Page
from synthgen_service.schemas.jobs import JobListItem, JobRead
from synthgen_service.settings import Settings
from synthgen_service.store import artifacts, jobs
from synthgen_service.store.jobs import JobFilter, JobRow
from synthgen_service.store.status import FINISHED_JOB_STATUSES, JobStatus, JobType

_FORMULA_SAFE = (
    "CSV only: prefix text cells that start with =, +, - or @ (and are not numbers) with a "
    "single quote, so that a spreadsheet shows them as text instead of running a formula"
)


async def owned_job(session: AsyncSession, owner: str, job_id: uuid.UUID) -> JobRow:
    row = await jobs.get(session, owner, job_id)
    if row is None:
        raise NotFound.of("job", job_id)
    return row


async def output_stream(
    session: AsyncSession,
    owner: str,
    files: ArtifactStore,
    row: JobRow,
    fmt: ExportFormat,
    *,
    formula_safe: bool = False,
) -> Stream:
    """A generate job's rows as a ``fmt`` attachment (the API's and the dashboard's download).

    409 for a training job, or until the job has completed and its output is stored.
    """
    job, job_id = row.job, row.job.id
    if job.job_type == JobType.TRAIN:
        raise Conflict(
            f"job {job_id} is a training job: training jobs have no downloadable output. "
            f"Generate rows with POST /api/synthgen/models/{job.model_id}/generate and "
            f"download that job's output; GET /api/synthgen/jobs?model_id={job.model_id} "
            "lists the model's generate jobs"
        )
    if job.status != JobStatus.COMPLETED or job.output_artifact_id is None:
        raise Conflict(f"job {job_id} is {job.status}; its output is not available yet")
    artifact = await artifacts.get(session, owner, job.output_artifact_id)
    source = None if artifact is None else ArtifactKey.parse(artifact.path)
    if source is None or not files.exists(source):
        raise Conflict(f"job {job_id} has no stored output; generate again")
    key = await export_key(files, source, fmt, formula_safe=formula_safe)
    headers = {
        "content-disposition": f'attachment; filename="synthgen-{job_id}.{fmt}"',
        "content-length": str(files.size(key)),
    }
    return Stream(read_chunks(files, key), media_type=MEDIA_TYPES[fmt], headers=headers)


class JobController(Controller):
    path = "/api/synthgen/jobs"
    tags = ["jobs"]

    @get("/", operation_id="listJobs", responses=error_responses("listJobs"))
    async def list(
        self,
        *,
        session: AsyncSession,
        owner: str,
        project_id: uuid.UUID | None = None,
        model_id: uuid.UUID | None = None,
        status: JobStatus | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[JobListItem]:
        where = JobFilter(project_id, model_id, None if status is None else str(status))
        rows, total = await jobs.page(session, owner, where, limit, offset)
        items = [job_list_item(row) for row in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{job_id:uuid}", operation_id="getJob", responses=error_responses("getJob"))
    async def detail(
        self,
        job_id: uuid.UUID,
        session: AsyncSession,
        owner: str,
        queue: ArqRedis,
        settings: Settings,
    ) -> JobRead:
        """The job; a pending one says in ``status_detail`` when no worker is alive."""
        row = await owned_job(session, owner, job_id)
        note = None
        if row.job.status == JobStatus.PENDING:
            note = await waiting_note(queue, settings.queue_name)
        return job_read(row, note)

    @get(
        "/{job_id:uuid}/download",
        operation_id="downloadJobOutput",
        responses=error_responses("downloadJobOutput"),
        operation_class=DownloadOperation,
    )
    async def download(
        self,
        *,
        job_id: uuid.UUID,
        session: AsyncSession,
        owner: str,
        files: ArtifactStore,
        format: ExportFormat = ExportFormat.CSV,
        formula_safe: Annotated[bool, Parameter(description=_FORMULA_SAFE)] = False,
    ) -> Stream:
        """The generated table (CSV by default); 409 until the job has produced it."""
        row = await owned_job(session, owner, job_id)
        return await output_stream(session, owner, files, row, format, formula_safe=formula_safe)

    @post(
        "/{job_id:uuid}/cancel",
        operation_id="cancelJob",
        status_code=200,
        responses=error_responses("cancelJob"),
    )
    async def cancel(
        self, job_id: uuid.UUID, session: AsyncSession, owner: str, queue: ArqRedis
    ) -> JobRead:
        """Cancel a pending job now, or ask the worker to stop a running one; 409 if finished."""
        row = await owned_job(session, owner, job_id)
        if row.job.status in FINISHED_JOB_STATUSES:
            raise Conflict(f"job {job_id} is already {row.job.status}; nothing to cancel")
        was_pending = await jobs.cancel(session, row.job)
        await session.commit()
        if was_pending:
            await dequeue(queue, [job_id])
        return job_read(row)


__all__ = ["JobController", "output_stream", "owned_job"]
