"""What each SynthGen endpoint can answer besides success, for the OpenAPI document.

Litestar documents a handler's success and the 400 of its own validation. The statuses
that :mod:`synthgen_service.errors` and the key middleware answer are listed here, per
operation id, each with the :class:`ErrorBody` it carries. Two operations also reshape
their documented bodies: the download (a CSV, Parquet or JSON Lines file, not JSON) and
generate (whose body may be left out, every field having a default).
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)

from synthgen_service.exports import MEDIA_TYPES
from synthgen_service.schemas.common import ErrorBody

_WHEN = {
    400: "Malformed JSON, or a missing, unknown or mistyped field or parameter; "
    "`extra[].key` names it.",
    401: "Missing, malformed, unknown or revoked API key.",
    404: "No such resource, or another owner's.",
    409: "The resource is not in a state that allows this request; `detail` says why.",
    422: "Well-formed but invalid; `detail` and `extra[].key` say what to change.",
    429: "Too many unfinished trainings for this owner; retry when one has finished.",
    503: "The job queue (Redis) is unreachable; a new job is recorded and queued once it is back.",
}
_SPECIFIC = {
    ("createModel", 404): "No such project, or the dataset version is not in it.",
    ("createModel", 422): "`config` does not suit the model type or exceeds the service's "
    "budgets; `detail` names the option.",
    ("generate", 409): "The model is not `ready` (still training, failed or cancelled).",
    ("generate", 422): "`num_rows` above the service's limit, or a condition the dataset "
    "cannot satisfy (`extra[0].key` is `conditions.<column>`).",
    ("downloadJobOutput", 409): "The job has not completed, its output is gone, or it is a "
    "training job (training jobs have no downloadable output).",
    ("cancelJob", 409): "The job has already finished.",
}
_STATUSES = {
    "createModel": (400, 401, 404, 422, 429, 503),
    "listModels": (400, 401),
    "getModel": (401, 404),
    "generate": (400, 401, 404, 409, 422, 503),
    "deleteModel": (401, 404, 409, 503),
    "listJobs": (400, 401),
    "getJob": (401, 404),
    "downloadJobOutput": (400, 401, 404, 409),
    "cancelJob": (401, 404, 409, 503),
    "listModelTypes": (401,),
}


def error_responses(operation_id: str) -> dict[int, ResponseSpec]:
    """The error statuses ``operation_id`` can answer, each with its ErrorBody."""
    return {
        status: ResponseSpec(
            data_container=ErrorBody,
            description=_SPECIFIC.get((operation_id, status), _WHEN[status]),
            generate_examples=False,
        )
        for status in _STATUSES[operation_id]
    }


@dataclass
class DownloadOperation(Operation):
    """The download's 200: one binary body per export format, named by its media type."""

    def __post_init__(self) -> None:
        binary = Schema(type=OpenAPIType.STRING, format="binary")  # type: ignore[arg-type]
        content = {media: OpenAPIMediaType(schema=binary) for media in MEDIA_TYPES.values()}
        self.responses = {
            **(self.responses or {}),
            "200": OpenAPIResponse(
                description="The generated table, as `?format=` asks: csv (default), "
                "parquet or jsonl.",
                content=content,
            ),
        }


@dataclass
class GenerateOperation(Operation):
    """Generate's body is optional: without one, every field takes its default."""

    def __post_init__(self) -> None:
        body = self.request_body
        if not isinstance(body, RequestBody):
            return
        for media in body.content.values():
            schema = media.schema
            if isinstance(schema, Schema) and schema.one_of:  # (GenerateRequest | None)
                media.schema = next(
                    s for s in schema.one_of if getattr(s, "type", None) != OpenAPIType.NULL
                )
        body.required = False


__all__ = ["DownloadOperation", "GenerateOperation", "error_responses"]
