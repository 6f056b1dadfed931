"""Store rows -> response Structs, shared by the models and jobs endpoints.

Each body is read off the row's attributes by ``msgspec.convert(..., from_attributes=True)``,
so a field added to a response Struct and the table is copied without another line here;
the columns a query joins in (dataset name, project name) and the values computed per
request (``status_detail``, the job's shown ``config``) are laid over the row.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from synthgen_service.schemas.jobs import JobListItem, JobRead, JobSummary
from synthgen_service.schemas.models import ModelListItem, ModelRead
from synthgen_service.store.jobs import JobRow
from synthgen_service.store.models import ModelRow
from synthgen_service.store.payloads import shown_config
from synthgen_service.store.tables import Job

_Body = TypeVar("_Body", bound=msgspec.Struct)


class _Overlay:
    """A row's attributes with some replaced or added: what ``from_attributes`` reads."""

    def __init__(self, row: object, **extra: Any) -> None:
        self._row, self._extra = row, extra

    def __getattr__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        return getattr(self._row, name)


def from_row(kind: type[_Body], row: object, **extra: Any) -> _Body:
    """The response Struct ``kind`` read off ``row``, with ``extra`` laid over it."""
    return msgspec.convert(_Overlay(row, **extra), kind, from_attributes=True)


def model_list_item(row: ModelRow) -> ModelListItem:
    return from_row(ModelListItem, row.model, **row._asdict())


def model_read(row: ModelRow, status_detail: str | None = None) -> ModelRead:
    return from_row(ModelRead, row.model, **row._asdict(), status_detail=status_detail)


def job_summary(job: Job) -> JobSummary:
    return from_row(JobSummary, job)


def job_config(job: Job) -> dict[str, Any]:
    """The request a job runs, as the API shows it (without the storage format's version)."""
    return shown_config(job.job_type, job.config)


def job_list_item(row: JobRow) -> JobListItem:
    return from_row(JobListItem, row.job, **row._asdict(), config=job_config(row.job))


def job_read(row: JobRow, status_detail: str | None = None) -> JobRead:
    extra = {**row._asdict(), "config": job_config(row.job), "status_detail": status_detail}
    return from_row(JobRead, row.job, **extra)


__all__ = [
    "job_config",
    "job_list_item",
    "job_read",
    "job_summary",
    "model_list_item",
    "model_read",
]
