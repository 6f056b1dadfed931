"""Strict JSON bodies: integers are integers, and every error names its field.

Litestar converts request bodies leniently (``"100"`` becomes ``100``, ``true`` may pass
where a number is due), and reports a body-level problem under the key ``data``. A route
that takes :func:`strict_json` as its ``before_request`` hook has its raw body decoded by
msgspec in strict mode first: a wrong type answers 400 whose ``extra[0].key`` is the field
(``num_rows``, ``conditions.city``), taken from msgspec's ``$.path``. The handler then
receives the same values Litestar decodes, which strict decoding has already vetted.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

_AT_PATH = re.compile(r"^(?P<message>.*) - at `\$(?:\.(?P<key>.+))?`$")

Hook = Callable[[Request[Any, Any, Any]], Awaitable[None]]


def strict_json(struct: type[msgspec.Struct], *, empty_is_default: bool = False) -> Hook:
    """A ``before_request`` hook refusing a body that ``struct`` does not strictly accept.

    With ``empty_is_default`` an empty body stands for ``{}`` (every field at its default).
    """
    decoder = msgspec.json.Decoder(struct)

    async def check(request: Request[Any, Any, Any]) -> None:
        body = await request.body()
        if empty_is_default and not body.strip():
            return
        try:
            decoder.decode(body)
        except msgspec.ValidationError as exc:
            raise _invalid(request, str(exc)) from None
        except msgspec.DecodeError as exc:
            raise ValidationException(
                detail=f"the request body is not valid JSON ({exc}); send a JSON object"
            ) from None

    return check


def _invalid(request: Request[Any, Any, Any], error: str) -> ValidationException:
    """400 naming the field at fault (its dotted path), as Litestar's own errors do."""
    match = _AT_PATH.match(error)
    message, key = (match["message"], match["key"]) if match else (error, None)
    item: dict[str, str] = {"message": message, "source": "body"}
    if key is not None:
        item["key"] = key.replace("[", ".").replace("]", "")
    path = request.url.path
    return ValidationException(
        detail=f"Validation failed for {request.method} {path}", extra=[item]
    )


__all__ = ["strict_json"]
