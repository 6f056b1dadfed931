"""``/api/synthgen/models``: create (train), list, detail, generate, delete (per the spec)."""

from __future__ import annotations

import uuid

from arq.connections import ArqRedis
from litestar import Controller, delete, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_core.metadata import Metadata
from synthgen_core.models.registry import validate_config
from synthgen_core.sampling.conditions import validate_conditions
from synthgen_service.api.body import strict_json
from synthgen_service.api.projects import owned_project
from synthgen_service.api.removal import Removal
from synthgen_service.api.responses import GenerateOperation, error_responses
from synthgen_service.api.views import job_summary, model_list_item, model_read
from synthgen_service.errors import Conflict, InvalidField, NotFound
from synthgen_service.limits import TrainingSlots, check_config
from synthgen_service.queue.enqueue import enqueue_generate, enqueue_train
from synthgen_service.queue.liveness import waiting_note
from synthgen_service.schemas.common import Limit, Offset, Page
from synthgen_service.schemas.models import (
    GenerateCreated,
    GenerateRequest,
    ModelCreate,
    ModelCreated,
    ModelDeleted,
    ModelDetail,
    ModelListItem,
)
from synthgen_service.settings import Settings
from synthgen_service.store import datasets, jobs, models
from synthgen_service.store.models import ModelRow
from synthgen_service.store.payloads import GenerateJob, TrainJob
from synthgen_service.store.status import JobStatus, ModelStatus
from synthgen_service.store.tables import DatasetVersion, Job


async def _owned_model(session: AsyncSession, owner: str, model_id: uuid.UUID) -> ModelRow:
    row = await models.get(session, owner, model_id)
    if row is None:
        raise NotFound.of("model", model_id)
    return row


async def _version_in_project(
    session: AsyncSession, owner: str, version_id: uuid.UUID, project_id: uuid.UUID
) -> DatasetVersion:
    found = await datasets.get_version(session, owner, version_id)
    if found is None or found[1].project_id != project_id:
        raise NotFound(
            f"dataset version {version_id} not found in project {project_id}",
            key="dataset_version_id",
        )
    return found[0]


async def sampling_metadata(session: AsyncSession, owner: str, row: ModelRow) -> Metadata:
    """What the model's ``sample`` checks conditions against, so both accept the same.

    A trained model keeps the metadata it learned; models trained before it was kept fall
    back on their dataset version's, which training only completes.
    """
    stored = row.model.learned_metadata
    if stored is None:
        found = await datasets.get_version(session, owner, row.model.dataset_version_id)
        assert found is not None  # the model row joins its version
        stored = found[0].table_metadata
    return Metadata.from_dict(stored)


async def start_generation(
    session: AsyncSession,
    owner: str,
    row: ModelRow,
    data: GenerateRequest,
    *,
    queue: ArqRedis,
    settings: Settings,
) -> Job:
    """Check a generate request and enqueue its job: the one path for the API and the dashboard.

    Refused before anything is stored: too many rows (422 naming ``num_rows``), a model that
    is not ready (409), a condition the model cannot meet (422 naming ``conditions.<column>``,
    now rather than in the worker).
    """
    if data.num_rows > settings.max_generate_rows:
        limit = settings.max_generate_rows
        raise InvalidField(f"num_rows must be at most {limit}", key="num_rows")
    if row.model.status != ModelStatus.READY:
        raise Conflict(f"model {row.model.id} is {row.model.status}; generate needs it ready")
    if data.conditions:
        validate_conditions(await sampling_metadata(session, owner, row), data.conditions)
    payload = GenerateJob(num_rows=data.num_rows, seed=data.seed, conditions=data.conditions)
    job = await jobs.create(
        session, model_id=row.model.id, project_id=row.model.project_id, payload=payload
    )
    await session.commit()  # the worker must find the row once the job is queued
    await enqueue_generate(queue, job.id)
    return job


class ModelController(Controller):
    path = "/api/synthgen/models"
    tags = ["models"]

    @post("/", operation_id="createModel", responses=error_responses("createModel"))
    async def create(
        self,
        *,
        data: ModelCreate,
        session: AsyncSession,
        owner: str,
        queue: ArqRedis,
        settings: Settings,
        training_slots: TrainingSlots,
    ) -> ModelCreated:
        """Create a model and enqueue its ``synthgen_train`` job.

        Refused before anything is stored: a config over the service's budgets (422) or an
        owner with too many unfinished trainings (429), see :mod:`synthgen_service.limits`.
        """
        project = await owned_project(session, owner, data.project_id)
        version = await _version_in_project(session, owner, data.dataset_version_id, project.id)
        config = validate_config(data.model_type, data.config)
        check_config(data.model_type, config, version.table_metadata, settings)
        async with training_slots.admit(session, owner, settings):
            model = await models.create(
                session,
                project_id=project.id,
                dataset_version_id=version.id,
                name=data.name,
                model_type=data.model_type,
                config=config,
            )
            job = await jobs.create(
                session, model_id=model.id, project_id=project.id, payload=TrainJob(options=config)
            )
            await session.commit()  # the worker must find the rows once the job is queued
        await enqueue_train(queue, job.id)
        return ModelCreated(id=model.id, model_id=model.id, job_id=job.id, status=JobStatus.PENDING)

    @get("/", operation_id="listModels", responses=error_responses("listModels"))
    async def list(
        self,
        session: AsyncSession,
        owner: str,
        project_id: uuid.UUID | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ModelListItem]:
        rows, total = await models.page(session, owner, project_id, limit, offset)
        items = [model_list_item(row) for row in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{model_id:uuid}", operation_id="getModel", responses=error_responses("getModel"))
    async def detail(
        self,
        model_id: uuid.UUID,
        session: AsyncSession,
        owner: str,
        queue: ArqRedis,
        settings: Settings,
    ) -> ModelDetail:
        """The model and its jobs, oldest first; a pending model says if no worker is alive."""
        row = await _owned_model(session, owner, model_id)
        found = await jobs.for_model(session, model_id)
        note = None
        if row.model.status == ModelStatus.PENDING:
            note = await waiting_note(queue, settings.queue_name)
        return ModelDetail(model=model_read(row, note), jobs=[job_summary(job) for job in found])

    @post(
        "/{model_id:uuid}/generate",
        operation_id="generate",
        status_code=200,
        before_request=strict_json(GenerateRequest, empty_is_default=True),
        responses=error_responses("generate"),
        operation_class=GenerateOperation,
    )
    async def generate(
        self,
        *,
        model_id: uuid.UUID,
        data: GenerateRequest | None = None,
        session: AsyncSession,
        owner: str,
        queue: ArqRedis,
        settings: Settings,
    ) -> GenerateCreated:
        """Enqueue a ``synthgen_generate`` job; the model must be ``ready`` (else 409)."""
        data = data or GenerateRequest()  # every field is optional, so is the body
        row = await _owned_model(session, owner, model_id)
        job = await start_generation(session, owner, row, data, queue=queue, settings=settings)
        return GenerateCreated(job_id=job.id, synthgen_job_id=job.id, status=JobStatus.PENDING)

    @delete(
        "/{model_id:uuid}",
        operation_id="deleteModel",
        status_code=200,
        responses=error_responses("deleteModel"),
    )
    async def remove(
        self,
        *,
        model_id: uuid.UUID,
        session: AsyncSession,
        owner: str,
        removal: Removal,
    ) -> ModelDeleted:
        """Delete the model, its jobs and their files (running jobs are asked to stop)."""
        await _owned_model(session, owner, model_id)
        await removal.models([model_id])
        return ModelDeleted(ok=True, model_id=model_id)


__all__ = ["ModelController", "sampling_metadata", "start_generation"]
