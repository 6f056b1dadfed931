"""What a job asks for, as stored in ``jobs.config``: one typed Struct per job type.

The API encodes the request into the row when it creates the job; the worker and the
responses decode it with :func:`decode_payload`, so all read the same fields with the same
defaults. Each payload carries a ``format_version``; rows written before payloads were
versioned hold the bare request (a training's model options, a generation's ``num_rows``,
``seed`` and ``conditions``) and decode as version 1. A new field gets a default, so older rows keep
decoding; a row from a newer service is refused with a message instead of misread.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from synthgen_core.errors import ConfigError
from synthgen_service.store.status import JobType

#: The version this service writes; it reads this one and every older one.
FORMAT_VERSION = 1
#: Rows generated when a request leaves ``num_rows`` out.
DEFAULT_ROWS = 1000


class TrainJob(msgspec.Struct, kw_only=True):
    """A training: the model's options, as validated when the model was created.

    The worker trains with the model row's own options (the model's truth); the job keeps
    the options it was submitted with, which is what the job's ``config`` shows.
    """

    options: dict[str, Any]
    format_version: int = FORMAT_VERSION

    def shown(self) -> dict[str, Any]:
        """The job's ``config`` in API responses: the options the model was created with."""
        return dict(self.options)


class GenerateJob(msgspec.Struct, kw_only=True):
    """A generation: how many rows, from which seed, under which conditions.

    No seed means one derived from the job id (a re-run reproduces its rows); conditions are
    checked when the request comes in and applied by ``model.sample``.
    """

    num_rows: int = DEFAULT_ROWS
    seed: int | None = None
    conditions: dict[str, Any] | None = None
    format_version: int = FORMAT_VERSION

    def shown(self) -> dict[str, Any]:
        """The job's ``config`` in API responses: the request's fields."""
        return {"num_rows": self.num_rows, "seed": self.seed, "conditions": self.conditions}


Payload = TrainJob | GenerateJob
_P = TypeVar("_P", TrainJob, GenerateJob)


def encode_payload(payload: Payload) -> dict[str, Any]:
    """The JSON object stored in ``jobs.config``."""
    encoded: dict[str, Any] = msgspec.to_builtins(payload)
    return encoded


def decode_payload(kind: type[_P], config: dict[str, Any]) -> _P:
    """A stored ``jobs.config`` as ``kind``, whatever version of the service wrote it."""
    version = config.get("format_version")
    if version is None:  # written before payloads were versioned
        config = {"options": config} if kind is TrainJob else config
    elif isinstance(version, int) and version > FORMAT_VERSION:
        raise ConfigError(
            f"this job was stored by a newer SynthGen (job format {version}, this one reads "
            f"up to {FORMAT_VERSION}); run a worker of the same version"
        )
    try:
        return msgspec.convert(config, kind)
    except msgspec.ValidationError as error:
        raise ConfigError(f"the stored job cannot be read ({error}); submit it again") from None


def shown_config(job_type: str, config: dict[str, Any]) -> dict[str, Any]:
    """A stored ``jobs.config`` as API responses show it: the request, without the version."""
    if JobType(job_type) == JobType.TRAIN:
        return decode_payload(TrainJob, config).shown()
    return decode_payload(GenerateJob, config).shown()


__all__ = [
    "DEFAULT_ROWS",
    "FORMAT_VERSION",
    "GenerateJob",
    "Payload",
    "TrainJob",
    "decode_payload",
    "encode_payload",
    "shown_config",
]
