"""A streaming ``multipart/form-data`` reader for uploads that may be hundreds of megabytes.

Litestar's form parsing buffers the whole body in memory first; this reader feeds the body
chunk by chunk to ``python_multipart``'s push parser and writes the one file part straight
to a binary file (an artifact writer's), counting bytes as they arrive, so an oversized
upload is refused (413) as soon as it crosses the limit and memory stays flat whatever the
upload size.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import IO, TypeVar

import msgspec
from python_multipart.multipart import MultipartParser, parse_options_header

from synthgen_service.errors import InvalidField, PayloadTooLarge, ServiceError

T = TypeVar("T")
FILE_FIELD = "file"
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 32
#: Room for the text fields and part headers on top of the file itself.
FORM_OVERHEAD_BYTES = MAX_FIELDS * MAX_FIELD_BYTES + 64 * 1024
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class BadForm(ServiceError):
    status_code = 400


class FormData:
    """Text fields and where the file part went."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.file_size = 0


class _Sink:
    """python_multipart callbacks: collect text fields, stream the file part to disk."""

    def __init__(self, target: IO[bytes], limit: int) -> None:
        self.form = FormData()
        self.ended = False
        self._target, self._limit = target, limit
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._disposition: dict[bytes, bytes] = {}
        self._value = bytearray()

    def on_part_begin(self) -> None:
        self._disposition = {}
        self._value = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if bytes(self._header_field).lower() == b"content-disposition":
            self._disposition = parse_options_header(bytes(self._header_value))[1]
        self._header_field, self._header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        if self._is_file() and self.form.filename is not None:
            raise InvalidField("send exactly one file part named 'file'", key=FILE_FIELD)
        if self._is_file():
            raw_name = self._disposition.get(b"filename", b"")
            self.form.filename = _checked_filename(raw_name.decode("utf-8", "replace"))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file():
            self.form.file_size += end - start
            if self.form.file_size > self._limit:
                raise PayloadTooLarge(
                    f"the file is larger than the upload limit of {self._limit} bytes "
                    "(MAX_DATASET_UPLOAD_BYTES); split it or raise the limit",
                    key=FILE_FIELD,
                )
            self._target.write(data[start:end])
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise PayloadTooLarge(f"form field is longer than {MAX_FIELD_BYTES} bytes")

    def on_part_end(self) -> None:
        if self._is_file():
            return
        name = self._disposition.get(b"name", b"").decode("utf-8", "replace")
        if len(self.form.fields) >= MAX_FIELDS:
            raise BadForm(f"more than {MAX_FIELDS} form fields")
        try:
            self.form.fields[name] = self._value.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidField("form fields must be UTF-8 text", key=name) from None

    def on_end(self) -> None:
        self.ended = True

    def _is_file(self) -> bool:
        return self._disposition.get(b"name") == FILE_FIELD.encode()


async def read_form(
    content_type: str | None, chunks: AsyncIterator[bytes], target: IO[bytes], limit: int
) -> FormData:
    """Parse a multipart body from ``chunks``, writing its ``file`` part to ``target``.

    ``target`` is flushed, not closed: a write the disk refuses fails here.
    """
    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadForm("send the upload as multipart/form-data with a 'file' part")
    body_limit, received = limit + FORM_OVERHEAD_BYTES, 0
    sink = _Sink(target, limit)
    parser = _parser(boundary, sink)
    async for chunk in chunks:
        received += len(chunk)
        if received > body_limit:
            raise PayloadTooLarge(f"the request body is larger than {body_limit} bytes")
        _feed(parser, chunk)
    parser.finalize()
    target.flush()
    if not sink.ended:
        raise BadForm("the multipart body ended early; resend the complete upload")
    return sink.form


def convert_fields(form: FormData, kind: type[T]) -> T:
    """The text fields as a msgspec Struct; a bad or missing field is a 422 naming it."""
    try:
        return msgspec.convert(form.fields, kind, strict=False)
    except msgspec.ValidationError as exc:
        match = re.search(r"`\$\.([^`]+)`", str(exc))
        missing = re.search(r"required field `([^`]+)`", str(exc))
        key = match.group(1) if match else (missing.group(1) if missing else None)
        raise InvalidField(f"invalid form field: {exc}", key=key) from None


def _checked_filename(name: str) -> str:
    """The file part's name, refused up front when it holds control characters.

    The name is stored with the dataset version; PostgreSQL refuses NUL in text, and no
    real file name carries a NUL, a line break or another control character.
    """
    if _CONTROL_CHARS.search(name):
        raise BadForm(
            "the file name contains control characters (such as NUL or a line break); "
            "rename the file and upload it again",
            key=FILE_FIELD,
        )
    return name or "upload"


def _parser(boundary: bytes, sink: _Sink) -> MultipartParser:
    """A push parser feeding ``sink``; a boundary it cannot use (too long, say) is a 400."""
    callbacks = {name: getattr(sink, name) for name in _CALLBACKS}
    try:
        return MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    except Exception as exc:  # python_multipart raises bare errors on a bad boundary
        raise BadForm(
            f"unusable multipart boundary ({exc}); use a boundary of 1 to 70 characters (RFC 2046)"
        ) from None


def _feed(parser: MultipartParser, chunk: bytes) -> None:
    """Push ``chunk`` to the parser; its errors on malformed input become a 400.

    Our own refusals pass through unchanged, and so does ``OSError``: a failed write of the
    temp file (a full disk) is the server's problem, not a malformed body.
    """
    try:
        parser.write(chunk)
    except (ServiceError, OSError):
        raise
    except Exception as exc:  # python_multipart raises bare errors on malformed input
        raise BadForm(f"malformed multipart body: {exc}") from None


_CALLBACKS = (
    "on_part_begin",
    "on_header_field",
    "on_header_value",
    "on_header_end",
    "on_headers_finished",
    "on_part_data",
    "on_part_end",
    "on_end",
)

__all__ = [
    "FILE_FIELD",
    "FORM_OVERHEAD_BYTES",
    "BadForm",
    "FormData",
    "convert_fields",
    "read_form",
]
