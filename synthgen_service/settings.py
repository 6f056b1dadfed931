"""Service settings: read from the environment once, in the CLI, then passed down.

Nothing in the service reads ``os.environ`` at import time; tests build
``Settings(data_dir=tmp_path, ...)`` directly instead of patching the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec

#: 500 MB: the documented default for ``MAX_DATASET_UPLOAD_BYTES``.
DEFAULT_MAX_UPLOAD_BYTES = 500 * 1024 * 1024
#: arq's default queue; deployments that share a Redis may choose another.
DEFAULT_QUEUE_NAME = "arq:queue"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the service and its worker need to start.

    ``database_url=None`` means the SQLite file ``<data_dir>/synthgen.db``;
    ``redis_url=None`` means the embedded Redis (started next to the service).
    """

    data_dir: Path = Path("data")
    #: Where artifacts live (synthgen_service.artifacts.factory): ``local`` is files under
    #: ``data_dir``, the one implementation that ships.
    artifact_store: Literal["local"] = "local"
    database_url: str | None = None
    database_schema: str | None = None
    redis_url: str | None = None
    queue_name: str = DEFAULT_QUEUE_NAME
    max_upload_bytes: Annotated[int, msgspec.Meta(ge=1)] = DEFAULT_MAX_UPLOAD_BYTES
    #: What one upload may expand to once read (docs/security.md): a gzipped file's bytes
    #: after decompression, and the rows, columns and cells (rows x columns) of its table.
    max_decompressed_bytes: Annotated[int, msgspec.Meta(ge=1)] = 2 * 1024**3
    max_upload_rows: Annotated[int, msgspec.Meta(ge=1)] = 10_000_000
    max_upload_columns: Annotated[int, msgspec.Meta(ge=1)] = 1_000
    max_upload_cells: Annotated[int, msgspec.Meta(ge=1)] = 100_000_000
    max_generate_rows: Annotated[int, msgspec.Meta(ge=1)] = 10_000_000
    #: Budgets a model config must fit at creation (see ``synthgen_core.models.budget``).
    max_model_parameters: Annotated[int, msgspec.Meta(ge=1)] = 200_000_000
    max_training_memory_bytes: Annotated[int, msgspec.Meta(ge=1)] = 8 * 1024**3
    #: Every training job stops after the epoch that crosses this (a smaller config wins).
    max_training_seconds: Annotated[float, msgspec.Meta(gt=0)] = 6 * 3600.0
    #: Pending or running training jobs one owner may have at once.
    max_training_jobs_per_owner: Annotated[int, msgspec.Meta(ge=1)] = 4
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 8888
    #: Secret for model-file signatures (docs/security.md): when set, every model file the
    #: worker writes is signed with it, and a file without a valid signature is refused.
    model_signing_key: str | None = None
    #: Secret that signs dashboard session cookies (docs/dashboard.md); when unset, a random
    #: one is created on first start as ``<data_dir>/session-secret`` and kept there.
    session_secret: str | None = None

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL actually used (the SQLite default lives in the data dir)."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'synthgen.db').resolve()}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``SYNTHGEN_*`` variables (and ``MAX_DATASET_UPLOAD_BYTES``)."""
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        for field, name in _ENV_NAMES.items():
            value = env.get(name)
            if value not in (None, ""):
                raw[field] = value
        return msgspec.convert(raw, cls, strict=False, dec_hook=_decode_path)


def _decode_path(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(kind)


_ENV_NAMES = {
    "data_dir": "SYNTHGEN_DATA_DIR",
    "artifact_store": "SYNTHGEN_ARTIFACT_STORE",
    "database_url": "SYNTHGEN_DATABASE_URL",
    "database_schema": "SYNTHGEN_DATABASE_SCHEMA",
    "redis_url": "SYNTHGEN_REDIS_URL",
    "queue_name": "SYNTHGEN_QUEUE_NAME",
    "max_upload_bytes": "MAX_DATASET_UPLOAD_BYTES",
    "max_decompressed_bytes": "SYNTHGEN_MAX_DECOMPRESSED_BYTES",
    "max_upload_rows": "SYNTHGEN_MAX_UPLOAD_ROWS",
    "max_upload_columns": "SYNTHGEN_MAX_UPLOAD_COLUMNS",
    "max_upload_cells": "SYNTHGEN_MAX_UPLOAD_CELLS",
    "max_generate_rows": "SYNTHGEN_MAX_GENERATE_ROWS",
    "max_model_parameters": "SYNTHGEN_MAX_MODEL_PARAMETERS",
    "max_training_memory_bytes": "SYNTHGEN_MAX_TRAINING_MEMORY_BYTES",
    "max_training_seconds": "SYNTHGEN_MAX_TRAINING_SECONDS",
    "max_training_jobs_per_owner": "SYNTHGEN_MAX_TRAINING_JOBS_PER_OWNER",
    "host": "SYNTHGEN_HOST",
    "port": "SYNTHGEN_PORT",
    "model_signing_key": "SYNTHGEN_MODEL_SIGNING_KEY",
    "session_secret": "SYNTHGEN_SESSION_SECRET",
}

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "DEFAULT_QUEUE_NAME", "Settings"]
