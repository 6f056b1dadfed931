"""Every error the API answers, turned into JSON in this one module.

Handlers raise; nothing in ``api/`` catches. The mapping::

    ServiceError (this module)         its own status: 404, 409, 413, 422, 429, 503
    synthgen_core SynthGenError        ConfigError / ConditionError / DataError -> 422,
                                       NotFittedError -> 409, ModelFileError -> 422;
                                       an error about one option names ``config.<option>``,
                                       one about one condition ``conditions.<column>``
    litestar HTTPException             its status (validation -> 400 naming the field)
    sqlalchemy IntegrityError          409 (a concurrent request changed the same rows)
    redis ConnectionError / TimeoutError  503 (queue unreachable; the job row stays pending)
    OSError ENOSPC / EDQUOT            507 (the server's disk is full; retry once there is room)
    sqlalchemy DBAPIError, db full     507 (SQLite "database or disk is full", PostgreSQL 53100)
    RecursionError with a request body 400 (JSON nested too deeply to decode)
    anything else                      500, logged with its traceback, no internals in the body

Bodies are :class:`~synthgen_service.schemas.common.ErrorBody`: ``{status_code, detail,
extra?}`` where ``extra`` lists ``{message, key, source}`` per field at fault.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.types import ExceptionHandlersMap
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, IntegrityError

from synthgen_core.errors import (
    ConditionError,
    ConfigOptionError,
    NotFittedError,
    SynthGenError,
)
from synthgen_service.artifacts import DISK_FULL_MESSAGE, disk_full
from synthgen_service.schemas.common import ErrorBody, FieldError

logger = logging.getLogger("synthgen_service")
#: SQLite's SQLITE_FULL result code and PostgreSQL's disk_full SQLSTATE.
_SQLITE_FULL = 13
_POSTGRES_DISK_FULL = "53100"
_SQLITE_FULL_TEXT = "database or disk is full"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class ServiceError(Exception):
    """A request the service refuses; ``key`` names the field at fault, when there is one."""

    status_code = 400

    def __init__(self, detail: str, *, key: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.key = key


class NotFound(ServiceError):
    status_code = 404

    @classmethod
    def of(cls, what: str, ident: object) -> NotFound:
        # Same message whether it is missing or someone else's: ownership must not leak.
        return cls(f"{what} {ident} not found")


class Conflict(ServiceError):
    status_code = 409


class PayloadTooLarge(ServiceError):
    status_code = 413


class InvalidField(ServiceError):
    status_code = 422


class TooManyRequests(ServiceError):
    status_code = 429


class QueueUnavailable(ServiceError):
    status_code = 503


def _body(status: int, detail: str, extra: list[FieldError] | None = None) -> Response[Any]:
    content = msgspec.to_builtins(ErrorBody(status_code=status, detail=detail, extra=extra))
    return Response(content=content, status_code=status, media_type=MediaType.JSON)


def _service(_: Request[Any, Any, Any], exc: ServiceError) -> Response[Any]:
    extra = None if exc.key is None else [FieldError(message=exc.detail, key=exc.key)]
    return _body(exc.status_code, exc.detail, extra)


def _library(_: Request[Any, Any, Any], exc: SynthGenError) -> Response[Any]:
    status = 409 if isinstance(exc, NotFittedError) else 422
    extra = None
    if isinstance(exc, ConfigOptionError):  # only model configs raise it: their ``config``
        extra = [FieldError(message=str(exc), key=f"config.{exc.option}")]
    elif isinstance(exc, ConditionError) and exc.column is not None:
        extra = [FieldError(message=str(exc), key=f"conditions.{exc.column}")]
    return _body(status, str(exc), extra)


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    extra: list[FieldError] | None = None
    if isinstance(exc.extra, list):
        extra = [_field(item) for item in exc.extra]
    elif isinstance(exc.extra, dict) and exc.extra:
        extra = [_field(exc.extra)]
    return _body(exc.status_code, exc.detail, extra)


def _field(item: Any) -> FieldError:
    if not isinstance(item, dict):
        return FieldError(message=str(item))
    key, source = item.get("key"), item.get("source")
    return FieldError.of(
        str(item.get("message", "")),
        None if key is None else str(key),
        None if source is None else str(source),
    )


def _integrity(_: Request[Any, Any, Any], exc: IntegrityError) -> Response[Any]:
    logger.warning("integrity error: %s", type(exc.orig).__name__)
    return _body(409, "a concurrent request changed the same data; retry the request")


def _queue_down(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.error("job queue unreachable: %s", exc)
    detail = "the job queue (Redis) is unreachable; the job is recorded and will be picked up"
    return _body(503, detail + " when the queue is back")


def _os_error(request: Request[Any, Any, Any], exc: OSError) -> Response[Any]:
    """A full disk is 507 (the request may succeed once there is room); any other I/O, 500."""
    if not disk_full(exc):
        return _internal(request, exc)
    logger.error("disk full on %s %s: %s", request.method, request.url.path, exc.strerror)
    return _body(507, f"{DISK_FULL_MESSAGE}, then retry the request")


def _database_error(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    """A database out of room is 507, as a full disk is; nothing of the request was stored."""
    if not _database_full(exc):
        return _internal(request, exc)
    logger.error("database full on %s %s", request.method, request.url.path)
    detail = "the server's database has no room left; ask the operator to free space"
    return _body(507, detail + ", then retry the request")


def _database_full(exc: DBAPIError) -> bool:
    """SQLite's SQLITE_FULL (its code, or its text where a driver drops the code), PG's 53100."""
    original = exc.orig
    codes = {getattr(original, "sqlite_errorcode", None), getattr(original, "sqlstate", None)}
    return bool(codes & {_SQLITE_FULL, _POSTGRES_DISK_FULL}) or _SQLITE_FULL_TEXT in str(original)


def _too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    """A body nested a thousand levels deep exhausts the recursion limit of its decoder.

    Bodies are decoded in more than one place (Litestar, strict ``before_request`` hooks),
    so the error is mapped here, once. A request without a body has nothing to blame: 500.
    """
    if request.method not in _BODY_METHODS:
        return _internal(request, exc)
    where = "".join(traceback.format_tb(exc.__traceback__, limit=-3))
    logger.warning("body nested too deeply on %s %s\n%s", request.method, request.url.path, where)
    return _body(400, "the JSON body is nested too deeply to read; nest objects and arrays less")


def _error_name(exc: Exception) -> str:
    """The error's class, with a database driver's own class and SQLSTATE code behind it.

    Names and codes (``DeadlockDetectedError``, ``40P01``) never quote data, unlike messages.
    """
    name = type(exc).__name__
    cause = getattr(exc, "orig", None)
    if cause is None:
        return name
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return f"{name} ({type(cause).__name__}{f', SQLSTATE {code}' if code else ''})"


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # The traceback without the message: messages of pandas / driver errors can quote cells.
    where = "".join(traceback.format_tb(exc.__traceback__))
    logger.error(
        "unhandled %s on %s %s\n%s",
        _error_name(exc),
        request.method,
        request.url.path,
        where,
    )
    return _body(500, "internal server error; the service log has the details")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ServiceError: _service,
    SynthGenError: _library,
    HTTPException: _http,
    IntegrityError: _integrity,
    DBAPIError: _database_error,
    RedisConnectionError: _queue_down,
    RedisTimeoutError: _queue_down,
    OSError: _os_error,
    RecursionError: _too_deep,
    Exception: _internal,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "Conflict",
    "InvalidField",
    "NotFound",
    "PayloadTooLarge",
    "QueueUnavailable",
    "ServiceError",
    "TooManyRequests",
]
