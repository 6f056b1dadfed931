"""The projects page, the new-project form, and a project's page (datasets and models).

Every list is one page of an owner-scoped store query, so a project with thousands of
models renders as fast as one with ten. The models table refreshes itself with htmx
while any model is still pending or training, and stops polling once all have settled.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.api.projects import owned_project
from synthgen_service.dashboard.web import CSRF_FIELD, SECURITY_HEADERS, Viewer, check_csrf, page
from synthgen_service.schemas.common import Name
from synthgen_service.store import datasets, jobs, models, projects
from synthgen_service.store.status import ModelStatus
from synthgen_service.store.tables import Dataset, DatasetVersion

#: Rows per page in every dashboard list.
PAGE_SIZE = 50
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Offset = Annotated[int, msgspec.Meta(ge=0)]
_SETTLING = {ModelStatus.PENDING, ModelStatus.TRAINING}


class DatasetLine(msgspec.Struct, kw_only=True):
    """One row of the project page's datasets table (its newest version's numbers)."""

    id: uuid.UUID
    name: str
    #: The newest version, whose columns are a click away.
    version_id: uuid.UUID | None
    versions: int
    rows: int
    columns: int
    issues: int


def _dataset_lines(rows: list[Dataset], versions: list[DatasetVersion]) -> list[DatasetLine]:
    newest = {v.dataset_id: v for v in versions}  # versions come oldest first
    counts: dict[uuid.UUID, int] = {}
    for version in versions:
        counts[version.dataset_id] = counts.get(version.dataset_id, 0) + 1
    return [
        DatasetLine(
            id=row.id,
            name=row.name,
            version_id=newest[row.id].id if row.id in newest else None,
            versions=counts.get(row.id, 0),
            rows=newest[row.id].row_count if row.id in newest else 0,
            columns=len(newest[row.id].columns) if row.id in newest else 0,
            issues=len(newest[row.id].quality.get("issues", [])) if row.id in newest else 0,
        )
        for row in rows
    ]


NAME_ERROR = "Enter a name of 1 to 200 characters, without control characters."


def valid_name(text: str) -> str | None:
    """The stripped name when it is one the API would accept too, else None."""
    name = text.strip()
    try:
        return msgspec.convert(name, Name)
    except msgspec.ValidationError:
        return None


@get("/dashboard/projects", include_in_schema=False)
async def project_list(viewer: Viewer, session: AsyncSession, offset: Offset = 0) -> Template:
    rows, total = await projects.page(session, viewer.owner, PAGE_SIZE, offset)
    return page("projects.html", viewer, projects=rows, total=total, offset=offset, size=PAGE_SIZE)


@get("/dashboard/projects/new", include_in_schema=False)
async def new_project(viewer: Viewer) -> Template:
    return page("project_new.html", viewer, error=None, name="")


@post("/dashboard/projects", include_in_schema=False)
async def create_project(viewer: Viewer, session: AsyncSession, data: Form) -> Response[Any]:
    check_csrf(viewer, data.get(CSRF_FIELD))
    name = valid_name(data.get("name", ""))
    if name is None:
        return page("project_new.html", viewer, error=NAME_ERROR, name="")
    row = await projects.create(session, viewer.owner, name, None)
    return Redirect(f"/dashboard/projects/{row.id}", status_code=303, headers=SECURITY_HEADERS)


async def _models_context(
    session: AsyncSession, owner: str, project_id: uuid.UUID
) -> dict[str, Any]:
    rows, total = await models.page(session, owner, project_id, PAGE_SIZE, 0)
    scores = await jobs.latest_scores(session, [row.model.id for row in rows])
    settling = any(row.model.status in _SETTLING for row in rows)
    return {"models": rows, "models_total": total, "scores": scores, "settling": settling}


@get("/dashboard/projects/{project_id:uuid}", include_in_schema=False)
async def project_page(viewer: Viewer, session: AsyncSession, project_id: uuid.UUID) -> Template:
    project = await owned_project(session, viewer.owner, project_id)
    rows, total = await datasets.page(session, viewer.owner, project.id, PAGE_SIZE, 0)
    lines = _dataset_lines(rows, await datasets.versions(session, [row.id for row in rows]))
    context = await _models_context(session, viewer.owner, project.id)
    return page(
        "project.html", viewer, project=project, datasets=lines, datasets_total=total, **context
    )


@get("/dashboard/projects/{project_id:uuid}/models", include_in_schema=False)
async def project_models(viewer: Viewer, session: AsyncSession, project_id: uuid.UUID) -> Template:
    """The models table alone: what the project page's htmx poll swaps in."""
    project = await owned_project(session, viewer.owner, project_id)
    context = await _models_context(session, viewer.owner, project.id)
    return page("models_table.html", viewer, project=project, **context)


__all__ = [
    "NAME_ERROR",
    "create_project",
    "new_project",
    "project_list",
    "project_models",
    "project_page",
    "valid_name",
]
