"""Shapes shared by every resource: pages, errors and the constrained scalar types."""

from __future__ import annotations

import re
from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import Parameter

T = TypeVar("T")

#: A display name: 1..200 characters, not blank, no NUL (PostgreSQL text refuses NUL).
Name = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")
]
Description = Annotated[str, msgspec.Meta(max_length=5000, pattern=r"^[^\x00]*$")]
#: List endpoints: ``limit`` 1..500 (default 50) and ``offset`` >= 0 (query parameters).
Limit = Annotated[int, Parameter(ge=1, le=500, description="Max items (1..500).")]
Offset = Annotated[int, Parameter(ge=0, le=2**31 - 1, description="Items to skip.")]


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """One page of a list endpoint."""

    items: list[T]
    total: int
    limit: int
    offset: int


#: msgspec's words for a field missing from, or unknown to, a JSON object.
_NAMED_FIELD = re.compile(r"(?:missing required|contains unknown) field `([^`]+)`")


class FieldError(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What is wrong with one field of the request (``key`` is its name or dotted path)."""

    message: str
    key: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, message: str, key: str | None, source: str | None) -> FieldError:
        """The error, keyed by the field a missing/unknown-field message names.

        Such messages arrive keyed by the object holding the field (``data``, Litestar's name
        for the whole body, or a parent's path); the user needs the field itself.
        """
        named = _NAMED_FIELD.search(message)
        if named is not None:
            key = named[1] if key in (None, "", "data") else f"{key}.{named[1]}"
        elif key == "data":  # the body as a whole: no field to name
            key = None
            if message == "'data'":  # Litestar found no body at all
                message = "this request needs a JSON object body"
        return cls(message=message, key=key, source=source)


class ErrorBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Every error response: the HTTP status, a message saying what to fix, field details."""

    status_code: int
    detail: str
    extra: list[FieldError] | None = None


__all__ = ["Description", "ErrorBody", "FieldError", "Limit", "Name", "Offset", "Page"]
