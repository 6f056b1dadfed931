"""Which bytes are text, and in which encoding: byte-order marks, UTF-8, Latin-1.

Excel saves "Unicode text" as UTF-16 with a byte-order mark, a few tools write UTF-32 the
same way, older systems write Latin-1, and everything else is UTF-8 with or without a
mark. Files with a mark are transcoded to UTF-8 once, so that every reader downstream sees
bytes in an ASCII-compatible encoding; NUL bytes anywhere in the text mean a binary file
(a spreadsheet, an image), refused whichever part of the file they sit in.
"""

from __future__ import annotations

import codecs

from synthgen_core.errors import DataError

_ZIP_MAGIC = b"PK\x03\x04"  # .xlsx workbooks are zip archives
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls workbooks
#: Byte-order marks and their codecs; UTF-32's come first, as its little-endian mark
#: starts with UTF-16's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
#: Bytes validated as UTF-8 per step, so that no second copy of a large file is built.
_CHUNK_BYTES = 1024 * 1024


def refuse_binary(data: bytes, filename: str) -> None:
    """A DataError for workbooks and other binary files, given all of a file or its start.

    They would otherwise "parse" as a CSV of garbage columns.
    """
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise DataError(
            f"{filename!r} is an Excel workbook or a zip archive, not a table file; save the "
            "sheet as CSV (in Excel: File > Save As > CSV UTF-8), or unzip it, and upload that"
        )
    if _bom_codec(data) is None and b"\x00" in data:
        raise _binary(filename)


def text_encoding(data: bytes, filename: str) -> tuple[bytes, str]:
    """``data`` in an ASCII-compatible encoding, and that encoding's name for pandas.

    UTF-16 and UTF-32 (by their byte-order mark) become UTF-8; other bytes stay as they
    are, read as UTF-8 (mark or not) when valid, else as Latin-1, which decodes any bytes.
    """
    codec = _bom_codec(data)
    if codec is not None:
        return _transcoded(data, codec, filename), "utf-8"
    return data, "utf-8-sig" if _is_utf8(data) else "latin-1"


def _bom_codec(data: bytes) -> str | None:
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def _transcoded(data: bytes, codec: str, filename: str) -> bytes:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        raise DataError(
            f"{filename!r} starts with a {codec.upper()} byte-order mark but is not valid "
            f"{codec.upper()} text; save it as CSV UTF-8 and upload it again"
        ) from None
    if "\x00" in text:
        raise _binary(filename)
    return text.encode("utf-8")


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    decoder, view = codecs.getincrementaldecoder("utf-8")(), memoryview(data)
    try:
        for start in range(0, len(view), _CHUNK_BYTES):
            decoder.decode(view[start : start + _CHUNK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _binary(filename: str) -> DataError:
    return DataError(
        f"{filename!r} is a binary file, not text (it holds NUL bytes); upload a CSV, "
        "gzipped CSV, Parquet or JSON Lines file, as UTF-8 text (UTF-16 and UTF-32 text "
        "needs its byte-order mark)"
    )


__all__ = ["refuse_binary", "text_encoding"]
