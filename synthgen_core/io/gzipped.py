"""Gzip decompression that measures before it keeps, so a bomb costs almost no memory.

A megabyte of gzip can hold a gigabyte of newlines. When the decompressed size is capped,
a first pass streams the whole file through a fixed-size window and only counts; a file
within the cap is then decompressed for real. Compressed input is fed in small slices of
a ``memoryview``, so neither pass copies the file, and a file of many members (gzip
allows any number, one after the other) costs time linear in its size.
"""

from __future__ import annotations

import re
import zlib

from synthgen_core.errors import DataError
from synthgen_core.io.limits import TableLimits, TableTooLargeError

#: Compressed bytes fed to zlib per step, and most decompressed bytes it returns per step.
_IN_BYTES = 16 * 1024
_OUT_BYTES = 1024 * 1024
#: gzip readers skip zero bytes between and after members (tape-block padding).
_NOT_PADDING = re.compile(rb"[^\x00]")
_GZIP = 16 + zlib.MAX_WBITS  # zlib parses and checks the gzip header and trailer itself


class _Output:
    """Decompressed chunks, counted against ``cap`` and kept only when ``keep``."""

    def __init__(self, cap: int | None, *, keep: bool) -> None:
        self.cap, self.total = cap, 0
        self.parts: list[bytes] | None = [] if keep else None

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.cap is not None and self.total > self.cap:
            raise OverflowError(self.cap)
        if self.parts is not None:
            self.parts.append(chunk)


def gunzip(data: bytes, filename: str, limits: TableLimits) -> bytes:
    """The decompressed bytes of a gzip file, refused past ``max_decompressed_bytes``."""
    cap = limits.max_decompressed_bytes
    try:
        if cap is not None:
            _inflate(data, _Output(cap, keep=False))
        kept = _Output(None, keep=True)
        _inflate(data, kept)
    except OverflowError:
        raise TableTooLargeError(
            f"{filename!r} decompresses to more than {cap:,} bytes, the limit on "
            "decompressed size; upload a smaller table, or raise the limit",
            limit="max_decompressed_bytes",
        ) from None
    except (EOFError, zlib.error) as exc:
        raise DataError(
            f"{filename!r} is a damaged gzip file ({exc}); compress it again or "
            "upload it uncompressed"
        ) from exc
    return b"".join(kept.parts or [])


def _inflate(data: bytes, output: _Output) -> None:
    """Every member of ``data``, one after the other, into ``output``."""
    view, position = memoryview(data), 0
    while position < len(view):
        position = _inflate_member(view, position, output)
        padding_end = _NOT_PADDING.search(data, position)
        position = len(view) if padding_end is None else padding_end.start()


def _inflate_member(view: memoryview, position: int, output: _Output) -> int:
    """Decompress the member that starts at ``position``; returns where it ends."""
    inflater = zlib.decompressobj(_GZIP)
    pending: bytes | memoryview = b""
    while not inflater.eof:
        if not pending:
            if position >= len(view):
                output.add(inflater.flush())  # at most one match: the input is all read
                if not inflater.eof:
                    raise EOFError("the file ends in the middle of the compressed data")
                break
            pending = view[position : position + _IN_BYTES]
            position += len(pending)
        output.add(inflater.decompress(pending, _OUT_BYTES))
        pending = inflater.unconsumed_tail
    return position - len(inflater.unused_data)  # what follows the member, of the input read


__all__ = ["gunzip"]
