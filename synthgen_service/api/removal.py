"""Deleting projects, datasets and models together with their jobs and files.

One order for all three, so a crash part-way leaves nothing dangling that matters:
cancel unfinished jobs (commit, drop pending ones from the queue) so no worker starts on
rows about to vanish; delete the rows (children by ON DELETE CASCADE) and the artifact rows
(commit); then remove the files. A crash before the last step leaves only orphan files.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.artifacts import ArtifactStore
from synthgen_service.queue.checkpoints import Checkpoints
from synthgen_service.queue.enqueue import dequeue
from synthgen_service.store import artifacts, datasets, jobs, models, projects
from synthgen_service.store.status import JobStatus
from synthgen_service.store.tables import Job


class Removal:
    """The collaborators a deletion needs (one request's session, the queue, the files)."""

    def __init__(
        self,
        session: AsyncSession,
        queue: ArqRedis,
        files: ArtifactStore,
        checkpoints: Checkpoints,
    ) -> None:
        self.session, self.queue = session, queue
        self.files, self.checkpoints = files, checkpoints

    async def models(self, model_ids: Collection[uuid.UUID]) -> None:
        await self._run(model_ids, dataset_ids=(), project_id=None)

    async def datasets(self, dataset_ids: Collection[uuid.UUID]) -> None:
        model_ids = await models.ids_where(self.session, dataset_ids=dataset_ids)
        await self._run(model_ids, dataset_ids=dataset_ids, project_id=None)

    async def project(self, project_id: uuid.UUID) -> None:
        model_ids = await models.ids_where(self.session, project_id=project_id)
        dataset_ids = await datasets.ids_in_project(self.session, project_id)
        await self._run(model_ids, dataset_ids=dataset_ids, project_id=project_id)

    async def _run(
        self,
        model_ids: Collection[uuid.UUID],
        *,
        dataset_ids: Collection[uuid.UUID],
        project_id: uuid.UUID | None,
    ) -> None:
        touched = await self.cancel(model_ids)
        await self.delete_rows(model_ids, dataset_ids=dataset_ids, project_id=project_id)
        self.checkpoints.delete(job.id for job in touched)

    async def cancel(self, model_ids: Collection[uuid.UUID]) -> list[Job]:
        """Cancel the models' unfinished jobs (committed) and take pending ones off the queue."""
        touched = await jobs.cancel_unfinished(self.session, model_ids)
        await self.session.commit()
        await dequeue(self.queue, [job.id for job in touched if job.status == JobStatus.CANCELLED])
        return touched

    async def delete_rows(
        self,
        model_ids: Collection[uuid.UUID],
        *,
        dataset_ids: Collection[uuid.UUID],
        project_id: uuid.UUID | None,
    ) -> None:
        """Delete the rows and artifact rows (committed), then the files.

        The models' jobs are locked first: a worker updates a job, then its model, in one
        transaction (heartbeat, progress, end), while deleting a model locks it, then its jobs
        (ON DELETE CASCADE). Taking the jobs first keeps one lock order, so the two wait for
        each other; in the other order PostgreSQL broke the deadlock by failing one of them.
        """
        await jobs.lock_for_removal(self.session, model_ids)
        doomed = await models.artifact_ids(self.session, model_ids)
        doomed += await datasets.artifact_ids(self.session, dataset_ids)
        await models.delete(self.session, model_ids)
        await datasets.delete(self.session, dataset_ids)
        if project_id is not None:
            await projects.delete(self.session, project_id)
        await artifacts.delete(self.session, doomed)
        await self.session.commit()
        self.files.delete(doomed)


__all__ = ["Removal"]
