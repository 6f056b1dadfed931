"""Uploading a table as a new dataset of a project.

The file streams to disk through the same reader and the same checks as the REST API's
upload (size, rows, columns, cells, decompressed size); the form's token travels as one of
its text fields and is checked before anything is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service import ingest
from synthgen_service.api.datasets import add_version, receive_form
from synthgen_service.api.projects import owned_project
from synthgen_service.artifacts import ArtifactStore
from synthgen_service.dashboard.projects import NAME_ERROR, valid_name
from synthgen_service.dashboard.web import CSRF_FIELD, SECURITY_HEADERS, Viewer, check_csrf, page
from synthgen_service.settings import Settings
from synthgen_service.store import datasets


@get("/dashboard/projects/{project_id:uuid}/upload", include_in_schema=False)
async def upload_form(viewer: Viewer, session: AsyncSession, project_id: uuid.UUID) -> Template:
    project = await owned_project(session, viewer.owner, project_id)
    return page("upload.html", viewer, project=project, error=None)


@post(
    "/dashboard/projects/{project_id:uuid}/upload",
    include_in_schema=False,
    request_max_body_size=None,
)
async def upload(
    *,
    request: Request[Any, Any, Any],
    viewer: Viewer,
    session: AsyncSession,
    project_id: uuid.UUID,
    files: ArtifactStore,
    settings: Settings,
) -> Response[Any]:
    """Store the file as version 0 of a new dataset, then show the project page."""
    project = await owned_project(session, viewer.owner, project_id)
    with files.writer() as writer:
        form = await receive_form(request, writer, settings.max_upload_bytes)
        check_csrf(viewer, form.fields.get(CSRF_FIELD))
        name = valid_name(form.fields.get("name", ""))
        if name is None:
            return page("upload.html", viewer, project=project, error=NAME_ERROR)
        dataset = await datasets.create(session, project.id, name, None)
        limits = ingest.upload_limits(settings)
        await add_version(session, viewer.owner, files, dataset, (form, writer), limits=limits)
    target = f"/dashboard/projects/{project.id}"
    return Redirect(target, status_code=303, headers=SECURITY_HEADERS)


__all__ = ["upload", "upload_form"]
