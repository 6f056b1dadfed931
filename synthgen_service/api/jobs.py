"""``/api/synthgen/jobs``: list, detail, download the output, cancel (per the spec)."""

from __future__ import annotations

import uuid

from arq.connections import ArqRedis
from litestar import Controller, get, post
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.api.views import job_list_item, job_read
from synthgen_service.artifacts import ArtifactFiles
from synthgen_service.errors import Conflict, NotFound
from synthgen_service.exports import MEDIA_TYPES, ExportFormat, export_path
from synthgen_service.queue.enqueue import dequeue
from synthgen_service.schemas.common import Limit, Offset, Page
from synthgen_service.schemas.jobs import JobListItem, JobRead
from synthgen_service.store import artifacts, jobs
from synthgen_service.store.jobs import JobFilter, JobRow
from synthgen_service.store.tables import FINISHED_JOB_STATUSES, JobStatus


async def _owned_job(session: AsyncSession, owner: str, job_id: uuid.UUID) -> JobRow:
    row = await jobs.get(session, owner, job_id)
    if row is None:
        raise NotFound.of("job", job_id)
    return row


class JobController(Controller):
    path = "/api/synthgen/jobs"
    tags = ["jobs"]

    @get("/", operation_id="listJobs")
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

    @get("/{job_id:uuid}", operation_id="getJob")
    async def detail(self, job_id: uuid.UUID, session: AsyncSession, owner: str) -> JobRead:
        return job_read(await _owned_job(session, owner, job_id))

    @get("/{job_id:uuid}/download", operation_id="downloadJobOutput")
    async def download(
        self,
        job_id: uuid.UUID,
        session: AsyncSession,
        owner: str,
        files: ArtifactFiles,
        format: ExportFormat = ExportFormat.CSV,
    ) -> File:
        """The generated table (CSV by default); 409 until the job has produced it."""
        job = (await _owned_job(session, owner, job_id)).job
        if job.status != JobStatus.COMPLETED or job.output_artifact_id is None:
            raise Conflict(f"job {job_id} is {job.status}; its output is not available yet")
        artifact = await artifacts.get(session, owner, job.output_artifact_id)
        if artifact is None:
            raise Conflict(f"job {job_id} has no stored output; generate again")
        path = await export_path(files, files.path(artifact.path), format)
        return File(
            path=path,
            filename=f"synthgen-{job_id}.{format}",
            media_type=MEDIA_TYPES[format],
        )

    @post("/{job_id:uuid}/cancel", operation_id="cancelJob", status_code=200)
    async def cancel(
        self, job_id: uuid.UUID, session: AsyncSession, owner: str, queue: ArqRedis
    ) -> JobRead:
        """Cancel a pending job now, or ask the worker to stop a running one; 409 if finished."""
        row = await _owned_job(session, owner, job_id)
        if row.job.status in FINISHED_JOB_STATUSES:
            raise Conflict(f"job {job_id} is already {row.job.status}; nothing to cancel")
        was_pending = await jobs.cancel(session, row.job)
        await session.commit()
        if was_pending:
            await dequeue(queue, [job_id])
        return job_read(row)


__all__ = ["JobController"]
