"""``synthgen serve``: the REST API under uvicorn, with the embedded queue when no Redis is set."""

from __future__ import annotations

import functools
import importlib
import sys

from synthgen_cli.database import prepare_database
from synthgen_cli.keys import ensure_first_key
from synthgen_service.queue import QueueFactory
from synthgen_service.settings import Settings


def embedded_queue(settings: Settings | None = None) -> QueueFactory:
    """The embedded Redis queue (``queue/embedded.py``), imported only when used.

    Given ``settings``, the data dir is claimed now, so a second service on the same data
    dir stops here with one line.
    """
    module = importlib.import_module("synthgen_service.queue.embedded")
    if settings is None:
        factory: QueueFactory = module.embedded_queue
        return factory
    claimed = module.EmbeddedRedis.claim(settings.data_dir)
    return functools.partial(module.embedded_queue, claimed=claimed)


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run the API with uvicorn; in embedded mode, print a first key if none exists."""
    import uvicorn

    from synthgen_service.app import create_app

    prepare_database(settings)
    queue = None
    if settings.redis_url is None:
        queue = embedded_queue(settings)
        key = ensure_first_key(settings)
        if key is not None:
            print(f"Created the first API key (shown once, keep it): {key}", file=sys.stderr)
    app = create_app(settings, queue=queue)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port)


__all__ = ["embedded_queue", "serve"]
