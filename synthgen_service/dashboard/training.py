"""Training a model from the dashboard, and the model's page with its live status.

The train form posts what the REST API's ``POST /api/synthgen/models`` takes and goes
through the same checks in the same order (ownership, config, budgets, per-owner slots);
what is wrong is shown next to its field. The model page polls a small status fragment
with htmx while the model is pending or training, and stops once it has settled.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, NamedTuple

from arq.connections import ArqRedis
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_core.models.registry import DEFAULT_MODEL_TYPE
from synthgen_service.api.projects import owned_project
from synthgen_service.dashboard.charts import loss_curve, score_bars
from synthgen_service.dashboard.options import form_options, option_error, parse_config, type_ids
from synthgen_service.dashboard.projects import NAME_ERROR, valid_name
from synthgen_service.dashboard.web import CSRF_FIELD, SECURITY_HEADERS, Viewer, check_csrf, page
from synthgen_service.errors import InvalidField, NotFound
from synthgen_service.limits import TrainingSlots, check_config
from synthgen_service.queue.enqueue import dequeue, enqueue_train
from synthgen_service.settings import Settings
from synthgen_service.store import datasets, jobs, models
from synthgen_service.store.payloads import TrainJob
from synthgen_service.store.status import JobStatus, ModelStatus
from synthgen_service.store.tables import DatasetVersion, Project

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
_SETTLING = {ModelStatus.PENDING, ModelStatus.TRAINING}


async def _versions(session: AsyncSession, owner: str, project: Project) -> list[dict[str, Any]]:
    """The project's dataset versions, newest first: what a model can be trained on."""
    rows, _ = await datasets.page(session, owner, project.id, 50, 0)
    names = {row.id: row.name for row in rows}
    found = await datasets.versions(session, list(names))
    found.sort(key=lambda v: (v.created_at, v.version), reverse=True)
    return [
        {"id": str(v.id), "label": f"{names[v.dataset_id]} v{v.version} ({v.row_count} rows)"}
        for v in found
    ]


async def _form(
    session: AsyncSession,
    viewer: Viewer,
    project: Project,
    sent: dict[str, str],
    errors: dict[str, str],
) -> Template:
    model_type = sent.get("model_type") or DEFAULT_MODEL_TYPE
    if model_type not in dict(type_ids()):
        model_type = DEFAULT_MODEL_TYPE
    return page(
        "train.html",
        viewer,
        project=project,
        types=type_ids(),
        model_type=model_type,
        versions=await _versions(session, viewer.owner, project),
        options=form_options(model_type, sent if sent.get("model_type") == model_type else None),
        sent=sent,
        errors=errors,
    )


@get("/dashboard/projects/{project_id:uuid}/train", include_in_schema=False)
async def train_form(
    viewer: Viewer, session: AsyncSession, project_id: uuid.UUID, model_type: str | None = None
) -> Template:
    project = await owned_project(session, viewer.owner, project_id)
    return await _form(session, viewer, project, {"model_type": model_type or ""}, {})


async def _version(
    session: AsyncSession, owner: str, project: Project, sent: str
) -> DatasetVersion | None:
    try:
        version_id = uuid.UUID(sent)
    except ValueError:
        return None
    found = await datasets.get_version(session, owner, version_id)
    return found[0] if found is not None and found[1].project_id == project.id else None


def _budget_errors(
    model_type: str, config: dict[str, Any], version: DatasetVersion, settings: Settings
) -> dict[str, str]:
    """What the service's budgets refuse in a valid config, by option."""
    try:
        check_config(model_type, config, version.table_metadata, settings)
    except InvalidField as exc:
        return option_error(exc) or {"model_type": exc.detail}
    return {}


class TrainRequest(NamedTuple):
    """A train form that passed every check: what ``models.create`` needs."""

    model_type: str
    name: str
    version: DatasetVersion
    config: dict[str, Any]


async def _checked(
    session: AsyncSession, owner: str, project: Project, data: dict[str, str], settings: Settings
) -> TrainRequest | dict[str, str]:
    """The request, or the errors by field, in the order the REST API checks them."""
    model_type, name = data.get("model_type", ""), valid_name(data.get("name", ""))
    if model_type not in dict(type_ids()):
        return {"model_type": "Pick a model type."}
    version = await _version(session, owner, project, data.get("dataset_version", ""))
    config, errors = parse_config(model_type, data)
    if name is None:
        errors["name"] = NAME_ERROR
    if version is None:
        errors["dataset_version"] = "Pick a dataset version of this project."
    if version is not None and not errors:
        errors = _budget_errors(model_type, config, version, settings)
    if errors or name is None or version is None:
        return errors
    return TrainRequest(model_type, name, version, config)


@post("/dashboard/projects/{project_id:uuid}/train", include_in_schema=False)
async def train(
    *,
    viewer: Viewer,
    session: AsyncSession,
    project_id: uuid.UUID,
    data: Form,
    queue: ArqRedis,
    settings: Settings,
    training_slots: TrainingSlots,
) -> Response[Any]:
    """Create the model and enqueue its training, then open the model's page."""
    check_csrf(viewer, data.get(CSRF_FIELD))
    project = await owned_project(session, viewer.owner, project_id)
    checked = await _checked(session, viewer.owner, project, data, settings)
    if not isinstance(checked, TrainRequest):
        return await _form(session, viewer, project, data, checked)
    async with training_slots.admit(session, viewer.owner, settings):
        model = await models.create(
            session,
            project_id=project.id,
            dataset_version_id=checked.version.id,
            name=checked.name,
            model_type=checked.model_type,
            config=checked.config,
        )
        options = TrainJob(options=checked.config)
        job = await jobs.create(session, model_id=model.id, project_id=project.id, payload=options)
        await session.commit()  # the worker must find the rows once the job is queued
    await enqueue_train(queue, job.id)
    return Redirect(f"/dashboard/models/{model.id}", status_code=303, headers=SECURITY_HEADERS)


async def _model_context(session: AsyncSession, owner: str, model_id: uuid.UUID) -> dict[str, Any]:
    row = await models.get(session, owner, model_id)
    if row is None:
        raise NotFound.of("model", model_id)
    progress = row.model.progress or {}
    return {
        "row": row,
        "progress": progress,
        "settling": row.model.status in _SETTLING,
        "loss_chart": loss_curve(progress.get("loss_history")),
    }


@get("/dashboard/models/{model_id:uuid}", include_in_schema=False)
async def model_page(viewer: Viewer, session: AsyncSession, model_id: uuid.UUID) -> Template:
    context = await _model_context(session, viewer.owner, model_id)
    project = await owned_project(session, viewer.owner, context["row"].model.project_id)
    report = (await jobs.latest_reports(session, [context["row"].model.id])).get(model_id)
    chart = score_bars(report.get("shapes", [])) if report else None
    return page("model.html", viewer, project=project, report=report, chart=chart, **context)


@post("/dashboard/models/{model_id:uuid}/cancel", include_in_schema=False)
async def cancel(
    viewer: Viewer, session: AsyncSession, model_id: uuid.UUID, data: Form, queue: ArqRedis
) -> Response[Any]:
    """Cancel the training: at once if it has not started, else at the worker's next epoch."""
    check_csrf(viewer, data.get(CSRF_FIELD))
    row = await models.get(session, viewer.owner, model_id)
    if row is None:
        raise NotFound.of("model", model_id)
    touched = await jobs.cancel_unfinished(session, [row.model.id])
    await session.commit()
    await dequeue(queue, [job.id for job in touched if job.status == JobStatus.CANCELLED])
    return Redirect(f"/dashboard/models/{model_id}", status_code=303, headers=SECURITY_HEADERS)


@get("/dashboard/models/{model_id:uuid}/status", include_in_schema=False)
async def model_status(viewer: Viewer, session: AsyncSession, model_id: uuid.UUID) -> Template:
    """The status fragment alone: what the model page's htmx poll swaps in."""
    return page(
        "model_status.html", viewer, **await _model_context(session, viewer.owner, model_id)
    )


__all__ = ["cancel", "model_page", "model_status", "train", "train_form"]
