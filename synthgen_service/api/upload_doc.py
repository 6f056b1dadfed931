"""OpenAPI description of the streamed multipart upload bodies.

The upload handlers read the raw request stream (see ``multipart_form``) instead of letting
Litestar parse the form, so the request body is described here by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

_FILE = Schema(type=OpenAPIType.STRING, format="binary", description="CSV or Parquet file")  # type: ignore[arg-type]
_UUID = Schema(type=OpenAPIType.STRING, format="uuid")  # type: ignore[arg-type]
_NAME = Schema(type=OpenAPIType.STRING, min_length=1, max_length=200, pattern=r"\S")
_TEXT = Schema(type=OpenAPIType.STRING, max_length=5000)


def _multipart(properties: dict[str, Schema], required: list[str]) -> RequestBody:
    schema = Schema(type=OpenAPIType.OBJECT, properties=properties, required=required)  # type: ignore[arg-type]
    return RequestBody(
        content={"multipart/form-data": OpenAPIMediaType(schema=schema)}, required=True
    )


@dataclass
class UploadOperation(Operation):
    def __post_init__(self) -> None:
        properties = {"project_id": _UUID, "name": _NAME, "description": _TEXT, "file": _FILE}
        self.request_body = _multipart(properties, ["project_id", "name", "file"])


@dataclass
class VersionOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = _multipart({"file": _FILE}, ["file"])


__all__ = ["UploadOperation", "VersionOperation"]
