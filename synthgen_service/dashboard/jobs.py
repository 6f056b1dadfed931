"""The jobs list, a job's page with its live progress, and a generation's downloads.

A job's page polls a small status fragment with htmx while the job is pending or running
and stops once it has finished; a completed generation's fragment carries the download
links and the quality and privacy report of those rows. Downloads go through the REST
API's own writer (``output_stream``), so a file from the page is byte for byte the API's.
The list takes the REST list's filters (project, model, status) as form controls.
"""

from __future__ import annotations

import uuid
from typing import Any

from arq.connections import ArqRedis
from litestar import get
from litestar.response import Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.api.jobs import output_stream, owned_job
from synthgen_service.api.views import job_config
from synthgen_service.artifacts import ArtifactStore
from synthgen_service.dashboard.charts import score_bars
from synthgen_service.dashboard.marginals import marginal_charts
from synthgen_service.dashboard.projects import PAGE_SIZE, Offset
from synthgen_service.dashboard.web import Viewer, page
from synthgen_service.errors import InvalidField
from synthgen_service.exports import ExportFormat
from synthgen_service.queue.liveness import waiting_note
from synthgen_service.settings import Settings
from synthgen_service.store import jobs, models, projects
from synthgen_service.store.jobs import JobFilter, JobRow
from synthgen_service.store.status import FINISHED_JOB_STATUSES, JobStatus

#: Models and projects offered by the list's filters (the newest).
FILTER_CHOICES = 100
#: The download links: (format, link text).
DOWNLOADS = [
    (ExportFormat.CSV, "Download CSV"),
    (ExportFormat.PARQUET, "Download Parquet"),
    (ExportFormat.JSONL, "Download JSONL"),
]


async def _job_context(
    session: AsyncSession, owner: str, job_id: uuid.UUID, queue: ArqRedis, settings: Settings
) -> dict[str, Any]:
    row = await owned_job(session, owner, job_id)
    job, report = row.job, row.job.report or None
    note = None
    if job.status == JobStatus.PENDING:
        note = await waiting_note(queue, settings.queue_name)
    done = job.status == JobStatus.COMPLETED and job.output_artifact_id is not None
    return {
        "row": row,
        "job": job,
        "progress": job.progress or {},
        "settling": job.status not in FINISHED_JOB_STATUSES,
        "note": note,
        "downloads": DOWNLOADS if done else [],
        "report": report,
        "chart": score_bars(report.get("shapes", [])) if report else None,
        "marginals": marginal_charts(report) if report else [],
    }


@get("/dashboard/jobs/{job_id:uuid}", include_in_schema=False)
async def job_page(
    viewer: Viewer, session: AsyncSession, job_id: uuid.UUID, queue: ArqRedis, settings: Settings
) -> Template:
    context = await _job_context(session, viewer.owner, job_id, queue, settings)
    config = job_config(context["job"])
    return page("job.html", viewer, config=config, **context)


@get("/dashboard/jobs/{job_id:uuid}/status", include_in_schema=False)
async def job_status(
    viewer: Viewer, session: AsyncSession, job_id: uuid.UUID, queue: ArqRedis, settings: Settings
) -> Template:
    """The status fragment alone: what the job page's htmx poll swaps in."""
    context = await _job_context(session, viewer.owner, job_id, queue, settings)
    return page("job_status.html", viewer, **context)


@get("/dashboard/jobs/{job_id:uuid}/download", include_in_schema=False)
async def download(
    viewer: Viewer,
    session: AsyncSession,
    job_id: uuid.UUID,
    files: ArtifactStore,
    format: ExportFormat = ExportFormat.CSV,
) -> Stream:
    """The generated rows as CSV, Parquet or JSON Lines, as the REST download serves them."""
    row = await owned_job(session, viewer.owner, job_id)
    return await output_stream(session, viewer.owner, files, row, format)


def _uuid(text: str, field: str) -> uuid.UUID | None:
    """A filter's id; empty means "any" (a form's empty choice)."""
    if not text.strip():
        return None
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise InvalidField(f"{field} must be an id from the list, or empty", key=field) from None


def _filter(project_id: str, model_id: str, status: str) -> JobFilter:
    if status and status not in set(JobStatus):
        raise InvalidField(f"status must be one of {', '.join(JobStatus)}, or empty", key="status")
    project, model = _uuid(project_id, "project_id"), _uuid(model_id, "model_id")
    return JobFilter(project, model, status or None)


async def _choices(session: AsyncSession, owner: str, where: JobFilter) -> dict[str, Any]:
    """The projects and models the filter selects offer (the model's of the chosen project)."""
    owned, _ = await projects.page(session, owner, FILTER_CHOICES, 0)
    rows, _ = await models.page(session, owner, where.project_id, FILTER_CHOICES, 0)
    return {
        "projects": [(str(p.id), p.name) for p in owned],
        "models": [(str(r.model.id), r.model.name) for r in rows],
    }


def _query(where: JobFilter) -> str:
    """The filters as a query string prefix for the pager's links."""
    fields = zip(("project_id", "model_id", "status"), where, strict=True)
    return "".join(f"{name}={value}&" for name, value in fields if value is not None)


@get("/dashboard/jobs", include_in_schema=False)
async def job_list(
    viewer: Viewer,
    session: AsyncSession,
    *,
    project_id: str = "",
    model_id: str = "",
    status: str = "",
    offset: Offset = 0,
) -> Template:
    where = _filter(project_id, model_id, status)
    rows, total = await jobs.page(session, viewer.owner, where, PAGE_SIZE, offset)
    return page(
        "jobs.html",
        viewer,
        jobs=rows,
        total=total,
        offset=offset,
        size=PAGE_SIZE,
        where=where,
        statuses=list(JobStatus),
        pager_query=_query(where),
        rows_of=_rows_of,
        **await _choices(session, viewer.owner, where),
    )


def _rows_of(row: JobRow) -> int | None:
    """Rows a generation asked for (None for a training)."""
    rows = job_config(row.job).get("num_rows")
    return rows if isinstance(rows, int) else None


__all__ = ["download", "job_list", "job_page", "job_status"]
