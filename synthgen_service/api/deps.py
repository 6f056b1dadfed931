"""What handlers receive by name: the session, owner id, files, checkpoints, queue, settings.

``files`` is the artifact store (:mod:`synthgen_service.artifacts`); ``checkpoints`` the
training checkpoints a deletion removes with their model.

Everything comes from ``app.state``, filled by the app's lifespan from the ``Settings`` given
to ``create_app`` — nothing here reads the environment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from arq.connections import ArqRedis
from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.api.removal import Removal
from synthgen_service.artifacts import ArtifactStore
from synthgen_service.limits import TrainingSlots
from synthgen_service.queue.checkpoints import Checkpoints
from synthgen_service.settings import Settings


async def provide_session(state: State) -> AsyncIterator[AsyncSession]:
    """One session per request, committed when the handler returns, rolled back on error."""
    async with state.sessions() as session:
        yield session
        await session.commit()


def provide_owner(request: Request[str, Any, Any]) -> str:
    return request.user


def provide_files(state: State) -> ArtifactStore:
    files: ArtifactStore = state.files
    return files


def provide_checkpoints(state: State) -> Checkpoints:
    checkpoints: Checkpoints = state.checkpoints
    return checkpoints


def provide_queue(state: State) -> ArqRedis:
    queue: ArqRedis = state.queue
    return queue


def provide_training_slots(state: State) -> TrainingSlots:
    slots: TrainingSlots = state.training_slots
    return slots


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_removal(
    session: AsyncSession, queue: ArqRedis, files: ArtifactStore, checkpoints: Checkpoints
) -> Removal:
    """Deleting with this request's session, the queue and the stores (REST and dashboard)."""
    return Removal(session, queue, files, checkpoints)


DEPENDENCIES = {
    "session": Provide(provide_session),
    "owner": Provide(provide_owner, sync_to_thread=False),
    "files": Provide(provide_files, sync_to_thread=False),
    "checkpoints": Provide(provide_checkpoints, sync_to_thread=False),
    "queue": Provide(provide_queue, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "training_slots": Provide(provide_training_slots, sync_to_thread=False),
    "removal": Provide(provide_removal, sync_to_thread=False),
}

__all__ = ["DEPENDENCIES"]
