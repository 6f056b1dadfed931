"""The Litestar application: routes, auth, error mapping, OpenAPI, and the lifespan.

``create_app(settings)`` is the only way in; settings are never read at import time. The
lifespan opens the database (running migrations up to head) and the arq pool, and keeps
them on ``app.state`` for the request dependencies in :mod:`synthgen_service.api.deps`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from synthgen_core._version import __version__
from synthgen_service.api.datasets import DatasetController
from synthgen_service.api.deps import DEPENDENCIES
from synthgen_service.api.health import health, ready
from synthgen_service.api.jobs import JobController
from synthgen_service.api.model_types import list_model_types
from synthgen_service.api.models import ModelController
from synthgen_service.api.projects import ProjectController
from synthgen_service.artifacts import open_artifact_store
from synthgen_service.auth import auth_middleware
from synthgen_service.dashboard import dashboard_router, load_secret, template_config
from synthgen_service.errors import EXCEPTION_HANDLERS
from synthgen_service.limits import TrainingSlots
from synthgen_service.queue import QueueFactory, redis_queue
from synthgen_service.queue.checkpoints import Checkpoints
from synthgen_service.settings import Settings
from synthgen_service.store.engine import create_engine, migrate, session_factory

#: JSON bodies are small (names, configs, conditions); uploads stream with their own limit.
MAX_JSON_BODY_BYTES = 1024 * 1024


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="SynthGen",
        version=__version__,
        description="Synthetic tabular data: upload a table, train a model, generate rows.",
        path="/schema",
        components=Components(
            security_schemes={"BearerKey": SecurityScheme(type="http", scheme="bearer")}
        ),
        security=[{"BearerKey": []}],
    )


def create_app(settings: Settings, *, queue: QueueFactory | None = None) -> Litestar:
    """Build the service for ``settings``.

    ``queue`` yields the arq pool; it defaults to a connection to ``settings.redis_url``.
    With ``redis_url=None`` (embedded mode) the caller must pass the embedded queue.
    """
    if queue is None and settings.redis_url is None:
        raise ValueError("settings.redis_url is None: pass the embedded queue as queue=...")
    queue_factory = queue or redis_queue

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_engine(settings)
        try:
            await migrate(engine)
            app.state.update(
                settings=settings,
                engine=engine,
                sessions=session_factory(engine),
                files=open_artifact_store(settings),
                checkpoints=Checkpoints(settings.data_dir),
                training_slots=TrainingSlots(),
                session_secret=load_secret(settings),
            )
            async with queue_factory(settings) as pool:
                app.state.queue = pool
                yield
        finally:
            await engine.dispose()

    return Litestar(
        route_handlers=[
            health,
            ready,
            ProjectController,
            DatasetController,
            ModelController,
            JobController,
            list_model_types,
            dashboard_router(),
        ],
        dependencies=DEPENDENCIES,
        middleware=[auth_middleware()],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=_openapi(),
        template_config=template_config(),
        request_max_body_size=MAX_JSON_BODY_BYTES,
    )


__all__ = ["create_app"]
