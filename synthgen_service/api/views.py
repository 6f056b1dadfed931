"""Store rows -> response Structs, shared by the models and jobs endpoints."""

from __future__ import annotations

from synthgen_service.schemas.jobs import JobListItem, JobRead, JobSummary
from synthgen_service.schemas.models import ModelListItem, ModelRead
from synthgen_service.store.jobs import JobRow
from synthgen_service.store.models import ModelRow
from synthgen_service.store.tables import Job, JobStatus, JobType, ModelStatus


def model_list_item(row: ModelRow) -> ModelListItem:
    model = row.model
    return ModelListItem(
        id=model.id,
        name=model.name,
        model_type=model.model_type,
        status=ModelStatus(model.status),
        dataset_name=row.dataset_name,
        dataset_version=row.dataset_version,
        created_at=model.created_at,
        project_id=model.project_id,
        dataset_id=row.dataset_id,
        dataset_version_id=model.dataset_version_id,
    )


def model_read(row: ModelRow, status_detail: str | None = None) -> ModelRead:
    model = row.model
    return ModelRead(
        id=model.id,
        name=model.name,
        model_type=model.model_type,
        status=ModelStatus(model.status),
        config=model.config,
        dataset_name=row.dataset_name,
        dataset_version=row.dataset_version,
        dataset_id=row.dataset_id,
        created_at=model.created_at,
        project_id=model.project_id,
        dataset_version_id=model.dataset_version_id,
        error=model.error,
        progress=model.progress,
        updated_at=model.updated_at,
        status_detail=status_detail,
    )


def job_summary(job: Job) -> JobSummary:
    return JobSummary(
        id=job.id,
        job_type=JobType(job.job_type),
        status=JobStatus(job.status),
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=job.error,
    )


def job_list_item(row: JobRow) -> JobListItem:
    job = row.job
    return JobListItem(
        id=job.id,
        model_id=job.model_id,
        model_name=row.model_name,
        model_type=row.model_type,
        job_type=JobType(job.job_type),
        status=JobStatus(job.status),
        config=job.config,
        created_at=job.created_at,
        project_id=job.project_id,
        progress=job.progress,
        error=job.error,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def job_read(row: JobRow, status_detail: str | None = None) -> JobRead:
    job = row.job
    return JobRead(
        id=job.id,
        model_id=job.model_id,
        model_name=row.model_name,
        model_type=row.model_type,
        project_name=row.project_name,
        job_type=JobType(job.job_type),
        status=JobStatus(job.status),
        config=job.config,
        output_artifact_id=job.output_artifact_id,
        created_at=job.created_at,
        project_id=job.project_id,
        progress=job.progress,
        error=job.error,
        report=job.report,
        attempts=job.attempts,
        cancel_requested=job.cancel_requested,
        started_at=job.started_at,
        finished_at=job.finished_at,
        status_detail=status_detail,
    )


__all__ = ["job_list_item", "job_read", "job_summary", "model_list_item", "model_read"]
