"""``/api/projects``: the owner's projects (companion API)."""

from __future__ import annotations

import uuid

import msgspec
from litestar import Controller, delete, get, patch, post
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.api.removal import Removal
from synthgen_service.api.views import from_row
from synthgen_service.errors import NotFound
from synthgen_service.schemas.common import Limit, Offset, Page
from synthgen_service.schemas.projects import (
    ProjectCreate,
    ProjectDeleted,
    ProjectRead,
    ProjectUpdate,
)
from synthgen_service.store import projects
from synthgen_service.store.tables import Project


def project_read(row: Project) -> ProjectRead:
    return from_row(ProjectRead, row, project_id=row.id)


async def owned_project(session: AsyncSession, owner: str, project_id: uuid.UUID) -> Project:
    row = await projects.get(session, owner, project_id)
    if row is None:
        raise NotFound.of("project", project_id)
    return row


class ProjectController(Controller):
    path = "/api/projects"
    tags = ["projects"]

    @post("/", operation_id="createProject")
    async def create(self, data: ProjectCreate, session: AsyncSession, owner: str) -> ProjectRead:
        return project_read(await projects.create(session, owner, data.name, data.description))

    @get("/", operation_id="listProjects")
    async def list(
        self, session: AsyncSession, owner: str, limit: Limit = 50, offset: Offset = 0
    ) -> Page[ProjectRead]:
        rows, total = await projects.page(session, owner, limit, offset)
        return Page(items=[project_read(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/{project_id:uuid}", operation_id="getProject")
    async def detail(self, project_id: uuid.UUID, session: AsyncSession, owner: str) -> ProjectRead:
        return project_read(await owned_project(session, owner, project_id))

    @patch("/{project_id:uuid}", operation_id="updateProject")
    async def update(
        self, project_id: uuid.UUID, data: ProjectUpdate, session: AsyncSession, owner: str
    ) -> ProjectRead:
        row = await owned_project(session, owner, project_id)
        if data.name is not msgspec.UNSET:
            row.name = data.name
        if data.description is not msgspec.UNSET:
            row.description = data.description
        await session.flush()
        return project_read(row)

    @delete("/{project_id:uuid}", operation_id="deleteProject", status_code=200)
    async def remove(
        self,
        *,
        project_id: uuid.UUID,
        session: AsyncSession,
        owner: str,
        removal: Removal,
    ) -> ProjectDeleted:
        await owned_project(session, owner, project_id)
        await removal.project(project_id)
        return ProjectDeleted(ok=True, project_id=project_id)


__all__ = ["ProjectController", "owned_project", "project_read"]
