"""Deleting a model, a dataset or a whole project, after a confirmation page.

A ``Delete`` button is a link to a page that says what goes with the object and asks
again; only that page's form (a POST with the session's form token) deletes. A GET never
deletes. The deletion itself is the REST API's own
(:class:`~synthgen_service.api.removal.Removal`): unfinished jobs are cancelled first (a
running training stops at its next epoch), then the rows, then their files. Afterwards
the browser goes to the parent page, where the object is gone.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.api.projects import owned_project
from synthgen_service.api.removal import Removal
from synthgen_service.dashboard.web import CSRF_FIELD, SECURITY_HEADERS, Viewer, check_csrf, page
from synthgen_service.errors import NotFound
from synthgen_service.store import datasets, models
from synthgen_service.store.models import ModelRow
from synthgen_service.store.status import ModelStatus
from synthgen_service.store.tables import Dataset

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
_SETTLING = {ModelStatus.PENDING, ModelStatus.TRAINING}


def _confirm(viewer: Viewer, question: str, consequence: str, back: str, action: str) -> Template:
    """The confirmation page: ``Delete`` posts to ``action``, ``Cancel`` goes ``back``."""
    return page(
        "confirm_delete.html",
        viewer,
        question=question,
        consequence=consequence,
        back=back,
        action=action,
    )


def _gone(location: str) -> Response[Any]:
    return Redirect(location, status_code=303, headers=SECURITY_HEADERS)


async def _model(session: AsyncSession, owner: str, model_id: uuid.UUID) -> ModelRow:
    row = await models.get(session, owner, model_id)
    if row is None:
        raise NotFound.of("model", model_id)
    return row


async def _dataset(session: AsyncSession, owner: str, dataset_id: uuid.UUID) -> Dataset:
    row = await datasets.get(session, owner, dataset_id)
    if row is None:
        raise NotFound.of("dataset", dataset_id)
    return row


@get("/dashboard/models/{model_id:uuid}/delete", include_in_schema=False)
async def confirm_model(viewer: Viewer, session: AsyncSession, model_id: uuid.UUID) -> Template:
    row = await _model(session, viewer.owner, model_id)
    training = " Its training is stopped first." if row.model.status in _SETTLING else ""
    return _confirm(
        viewer,
        f"Delete model {row.model.name}?",
        f"This removes its files and jobs.{training}",
        f"/dashboard/models/{model_id}",
        f"/dashboard/models/{model_id}/delete",
    )


@post("/dashboard/models/{model_id:uuid}/delete", include_in_schema=False)
async def delete_model(
    *,
    viewer: Viewer,
    session: AsyncSession,
    model_id: uuid.UUID,
    data: Form,
    removal: Removal,
) -> Response[Any]:
    check_csrf(viewer, data.get(CSRF_FIELD))
    row = await _model(session, viewer.owner, model_id)
    await removal.models([model_id])
    return _gone(f"/dashboard/projects/{row.model.project_id}")


@get("/dashboard/datasets/{dataset_id:uuid}/delete", include_in_schema=False)
async def confirm_dataset(viewer: Viewer, session: AsyncSession, dataset_id: uuid.UUID) -> Template:
    row = await _dataset(session, viewer.owner, dataset_id)
    trained = len(await models.ids_where(session, dataset_ids=[dataset_id]))
    models_text = "1 model" if trained == 1 else f"{trained} models"
    return _confirm(
        viewer,
        f"Delete dataset {row.name}?",
        f"This removes its versions and files, and the {models_text} trained on them "
        "with their files and jobs.",
        f"/dashboard/projects/{row.project_id}",
        f"/dashboard/datasets/{dataset_id}/delete",
    )


@post("/dashboard/datasets/{dataset_id:uuid}/delete", include_in_schema=False)
async def delete_dataset(
    *,
    viewer: Viewer,
    session: AsyncSession,
    dataset_id: uuid.UUID,
    data: Form,
    removal: Removal,
) -> Response[Any]:
    check_csrf(viewer, data.get(CSRF_FIELD))
    row = await _dataset(session, viewer.owner, dataset_id)
    await removal.datasets([dataset_id])
    return _gone(f"/dashboard/projects/{row.project_id}")


@get("/dashboard/projects/{project_id:uuid}/delete", include_in_schema=False)
async def confirm_project(viewer: Viewer, session: AsyncSession, project_id: uuid.UUID) -> Template:
    project = await owned_project(session, viewer.owner, project_id)
    return _confirm(
        viewer,
        f"Delete project {project.name}?",
        "This removes all its datasets and models, with their files and jobs.",
        f"/dashboard/projects/{project_id}",
        f"/dashboard/projects/{project_id}/delete",
    )


@post("/dashboard/projects/{project_id:uuid}/delete", include_in_schema=False)
async def delete_project(
    *,
    viewer: Viewer,
    session: AsyncSession,
    project_id: uuid.UUID,
    data: Form,
    removal: Removal,
) -> Response[Any]:
    check_csrf(viewer, data.get(CSRF_FIELD))
    await owned_project(session, viewer.owner, project_id)
    await removal.project(project_id)
    return _gone("/dashboard/projects")


__all__ = [
    "confirm_dataset",
    "confirm_model",
    "confirm_project",
    "delete_dataset",
    "delete_model",
    "delete_project",
]
