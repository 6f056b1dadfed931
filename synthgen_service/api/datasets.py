"""``/api/datasets``: upload tables as numbered versions of a dataset (companion API)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_core.io.limits import TableLimits
from synthgen_service import ingest
from synthgen_service.api.projects import owned_project
from synthgen_service.api.removal import Removal
from synthgen_service.api.upload_doc import UploadOperation, VersionOperation
from synthgen_service.api.views import from_row
from synthgen_service.artifacts import (
    ArtifactKey,
    ArtifactStore,
    ArtifactWriter,
    removed_on_error,
)
from synthgen_service.errors import InvalidField, NotFound
from synthgen_service.multipart_form import FormData, convert_fields, read_form
from synthgen_service.schemas.common import Description, ErrorBody, Limit, Name, Offset, Page
from synthgen_service.schemas.datasets import (
    ColumnRead,
    DatasetDeleted,
    DatasetRead,
    Quality,
    UploadRead,
    VersionRead,
    VersionSummary,
)
from synthgen_service.settings import Settings
from synthgen_service.store import artifacts, datasets
from synthgen_service.store.status import ArtifactKind
from synthgen_service.store.tables import Dataset, DatasetVersion

_UPLOAD_ERRORS = {
    413: ResponseSpec(
        ErrorBody,
        description="The file is over MAX_DATASET_UPLOAD_BYTES, or its table over the "
        "decompressed size, row or cell limits (SYNTHGEN_MAX_DECOMPRESSED_BYTES, "
        "SYNTHGEN_MAX_UPLOAD_ROWS, SYNTHGEN_MAX_UPLOAD_CELLS).",
    ),
    422: ResponseSpec(
        ErrorBody,
        description="A form field or the file is invalid, or its table has more columns "
        "than SYNTHGEN_MAX_UPLOAD_COLUMNS.",
    ),
}


class UploadFields(msgspec.Struct, kw_only=True):
    project_id: uuid.UUID
    name: Name
    description: Description | None = None


async def receive_form(
    request: Request[Any, Any, Any], upload: ArtifactWriter, limit: int
) -> FormData:
    content_type = request.headers.get("content-type")
    return await read_form(content_type, request.stream(), upload.stream, limit)


async def add_version(
    session: AsyncSession,
    owner: str,
    files: ArtifactStore,
    dataset: Dataset,
    received: tuple[FormData, ArtifactWriter],
    *,
    limits: TableLimits,
) -> UploadRead:
    """Read and describe the received file, then store it as the dataset's next version.

    Reading it within ``limits`` (rows, columns, cells, decompressed size) is what keeps a
    small hostile file from expanding in memory; a refused file leaves nothing behind.
    """
    form, upload = received
    if form.filename is None:
        raise InvalidField("send the table as a multipart part named 'file'", key="file")
    filename = form.filename
    with upload.read_back() as head:
        suffix = ingest.sniff_suffix(filename, head.read(ingest.SNIFF_BYTES))
    found = await ingest.analyse_async(upload.read_back, filename, suffix, limits)
    artifact_id = uuid.uuid4()
    key = ArtifactKey.data(artifact_id, suffix)
    size = upload.publish(key)
    with removed_on_error(files, artifact_id):
        await artifacts.add(
            session,
            artifact_id=artifact_id,
            owner=owner,
            kind=ArtifactKind.DATASET,
            path=str(key),
            size=size,
            content_type=ingest.CONTENT_TYPES[suffix],
        )
        version = await datasets.add_version(
            session,
            dataset.id,
            filename=filename[:300],
            file_format=found.file_format,
            row_count=found.row_count,
            columns=found.columns,
            table_metadata=found.metadata,
            quality=msgspec.to_builtins(found.quality),
            suggested_constraints=found.suggested_constraints,
            artifact_id=artifact_id,
        )
        await session.commit()  # here, so that a failed commit removes the file too
    return UploadRead(
        id=dataset.id,
        dataset_id=dataset.id,
        dataset_version_id=version.id,
        artifact_id=artifact_id,
        version=version.version,
        row_count=version.row_count,
        columns=_columns(version),
        quality=found.quality,
    )


def _columns(version: DatasetVersion) -> list[ColumnRead]:
    return msgspec.convert(version.columns, list[ColumnRead])


def _summary(version: DatasetVersion) -> VersionSummary:
    return from_row(VersionSummary, version, dataset_version_id=version.id)


def _dataset_read(row: Dataset, versions: list[DatasetVersion]) -> DatasetRead:
    mine = [_summary(v) for v in versions if v.dataset_id == row.id]
    return from_row(DatasetRead, row, dataset_id=row.id, versions=mine)


async def _owned_dataset(session: AsyncSession, owner: str, dataset_id: uuid.UUID) -> Dataset:
    row = await datasets.get(session, owner, dataset_id)
    if row is None:
        raise NotFound.of("dataset", dataset_id)
    return row


class DatasetController(Controller):
    path = "/api/datasets"
    tags = ["datasets"]

    @post(
        "/upload",
        operation_id="uploadDataset",
        operation_class=UploadOperation,
        request_max_body_size=None,
        responses=_UPLOAD_ERRORS,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        owner: str,
        files: ArtifactStore,
        settings: Settings,
    ) -> UploadRead:
        """Upload a CSV or Parquet file as version 0 of a new dataset."""
        with files.writer() as upload:
            form = await receive_form(request, upload, settings.max_upload_bytes)
            fields = convert_fields(form, UploadFields)
            project = await owned_project(session, owner, fields.project_id)
            dataset = await datasets.create(session, project.id, fields.name, fields.description)
            limits = ingest.upload_limits(settings)
            received = (form, upload)
            return await add_version(session, owner, files, dataset, received, limits=limits)

    @post(
        "/{dataset_id:uuid}/versions",
        operation_id="uploadDatasetVersion",
        operation_class=VersionOperation,
        request_max_body_size=None,
        responses=_UPLOAD_ERRORS,
    )
    async def new_version(
        self,
        *,
        dataset_id: uuid.UUID,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        owner: str,
        files: ArtifactStore,
        settings: Settings,
    ) -> UploadRead:
        """Upload a file as the next version (1, 2, ...) of an existing dataset."""
        dataset = await _owned_dataset(session, owner, dataset_id)
        with files.writer() as upload:
            form = await receive_form(request, upload, settings.max_upload_bytes)
            limits = ingest.upload_limits(settings)
            received = (form, upload)
            return await add_version(session, owner, files, dataset, received, limits=limits)

    @get("/", operation_id="listDatasets")
    async def list(
        self,
        session: AsyncSession,
        owner: str,
        project_id: uuid.UUID | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[DatasetRead]:
        rows, total = await datasets.page(session, owner, project_id, limit, offset)
        versions = await datasets.versions(session, [row.id for row in rows])
        items = [_dataset_read(row, versions) for row in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{dataset_id:uuid}", operation_id="getDataset")
    async def detail(self, dataset_id: uuid.UUID, session: AsyncSession, owner: str) -> DatasetRead:
        row = await _owned_dataset(session, owner, dataset_id)
        return _dataset_read(row, await datasets.versions(session, [row.id]))

    @get("/versions/{dataset_version_id:uuid}", operation_id="getDatasetVersion")
    async def version(
        self, dataset_version_id: uuid.UUID, session: AsyncSession, owner: str
    ) -> VersionRead:
        found = await datasets.get_version(session, owner, dataset_version_id)
        if found is None:
            raise NotFound.of("dataset version", dataset_version_id)
        version, dataset = found
        return VersionRead(
            id=version.id,
            dataset_version_id=version.id,
            dataset_id=dataset.id,
            dataset_name=dataset.name,
            project_id=dataset.project_id,
            version=version.version,
            row_count=version.row_count,
            filename=version.filename,
            file_format=version.file_format,
            artifact_id=version.artifact_id,
            columns=_columns(version),
            quality=msgspec.convert(version.quality, Quality),
            created_at=version.created_at,
            suggested_constraints=version.suggested_constraints or [],
        )

    @delete("/{dataset_id:uuid}", operation_id="deleteDataset", status_code=200)
    async def remove(
        self,
        *,
        dataset_id: uuid.UUID,
        session: AsyncSession,
        owner: str,
        removal: Removal,
    ) -> DatasetDeleted:
        """Delete the dataset, its versions, the models trained on them and all their files."""
        await _owned_dataset(session, owner, dataset_id)
        await removal.datasets([dataset_id])
        return DatasetDeleted(ok=True, dataset_id=dataset_id)


__all__ = ["DatasetController", "add_version", "receive_form"]
