"""Shapes shared by every resource: pages, errors and the constrained scalar types."""

from __future__ import annotations

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


class FieldError(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What is wrong with one field of the request (``key`` is its name or dotted path)."""

    message: str
    key: str | None = None
    source: str | None = None


class ErrorBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Every error response: the HTTP status, a message saying what to fix, field details."""

    status_code: int
    detail: str
    extra: list[FieldError] | None = None


__all__ = ["Description", "ErrorBody", "FieldError", "Limit", "Name", "Offset", "Page"]
