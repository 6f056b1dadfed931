"""Reading and writing tables: CSV (sniffed), gzipped CSV, Parquet and JSON Lines.

Uploaded tables come in every dialect and encoding (:mod:`synthgen_core.io.delimited`,
:mod:`synthgen_core.io.encodings`), and from callers who cannot be trusted:
``read_table_bytes`` takes :class:`~synthgen_core.io.limits.TableLimits` and checks them
before the table is built (decompressed bytes, rows, columns, cells). The format is told by
the content's magic bytes first, then by the file name; a file that cannot be read raises a
``DataError`` that names the fix (a workbook: save it as CSV). Missing cells follow pandas'
defaults (``""``, ``NA``, ``NaN``, ... become NaN); other markers such as ``" ?"`` stay
strings for metadata detection to recognise.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synthgen_core.errors import DataError
from synthgen_core.io.delimited import read_delimited
from synthgen_core.io.encodings import refuse_binary, text_encoding
from synthgen_core.io.gzipped import gunzip
from synthgen_core.io.limits import (
    TableLimits,
    TableTooLargeError,
    check_columns,
    check_shape,
)

_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
#: No limits: the library's default, for a caller's own files.
UNLIMITED = TableLimits()
READ_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt", ".parquet", ".pq", ".jsonl")
WRITE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".jsonl")


def read_table(path: str | Path, limits: TableLimits = UNLIMITED) -> pd.DataFrame:
    """A table from a CSV (any common dialect), ``.csv.gz``, Parquet or JSON Lines file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(
            f"cannot read {str(path)!r} ({exc.strerror}); check the path and its permissions"
        ) from exc
    return read_table_bytes(data, path.name, limits)


def read_table_bytes(data: bytes, filename: str, limits: TableLimits = UNLIMITED) -> pd.DataFrame:
    """A table from an uploaded file's bytes, refused past ``limits``.

    ``filename``'s suffix picks the format; the content's magic bytes win over it.
    """
    name = filename.lower()
    if not data:
        raise DataError(f"{filename!r} is empty; upload a file with a header row and data")
    if data.startswith(_PARQUET_MAGIC) or name.endswith((".parquet", ".pq")):
        return _read_parquet(data, filename, limits)
    if data.startswith(_GZIP_MAGIC):
        data = gunzip(data, filename, limits)
    refuse_binary(data, filename)
    data, encoding = text_encoding(data, filename)
    if name.endswith(".jsonl"):
        return _read_jsonl(data, encoding, filename, limits)
    return read_delimited(data, encoding, filename, limits)


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write ``df`` as CSV (``.csv``, ``.csv.gz``), Parquet or JSON Lines, by suffix."""
    path = Path(path)
    name = path.name.lower()
    try:
        if name.endswith((".csv", ".csv.gz")):
            df.to_csv(path, index=False)
        elif name.endswith((".parquet", ".pq")):
            df.to_parquet(path, index=False)
        elif name.endswith(".jsonl"):
            df.to_json(path, orient="records", lines=True, date_format="iso")
        else:
            raise DataError(
                f"cannot write {path.name!r}: unknown format; use one of "
                f"{', '.join(WRITE_SUFFIXES)}"
            )
    except (ValueError, TypeError, ImportError) as exc:  # e.g. Parquet on mixed-type columns
        raise DataError(
            f"cannot write {path.name!r} ({exc}); write CSV instead, or convert "
            "mixed-type columns to str"
        ) from exc


def _read_parquet(data: bytes, filename: str, limits: TableLimits) -> pd.DataFrame:
    """The Parquet table, once its footer shows it within ``limits``."""
    _check_parquet_footer(data, filename, limits)
    try:
        return pd.read_parquet(io.BytesIO(data))
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise _unreadable_parquet(filename, exc) from exc


def _check_parquet_footer(data: bytes, filename: str, limits: TableLimits) -> None:
    """Rows, columns and decompressed size as the footer declares them, before any page.

    The row count is the larger of the file's and its row groups' sums, so neither can
    understate it; the size is what the row groups declare they hold uncompressed.
    """
    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
        groups = [meta.row_group(index) for index in range(meta.num_row_groups)]
        schema = meta.schema.to_arrow_schema()
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise _unreadable_parquet(filename, exc) from exc
    rows = max(meta.num_rows, sum(group.num_rows for group in groups))
    check_shape(rows, _data_columns(schema), limits, filename)
    declared = sum(group.total_byte_size for group in groups)
    cap = limits.max_decompressed_bytes
    if cap is not None and declared > cap:
        raise TableTooLargeError(
            f"{filename!r} holds {declared:,} bytes once decompressed, more than the limit "
            f"of {cap:,}; upload a smaller table, or raise the limit",
            limit="max_decompressed_bytes",
        )


def _data_columns(schema: pa.Schema) -> int:
    """Columns of the table pandas will build: the schema's, less a stored pandas index."""
    index = (schema.pandas_metadata or {}).get("index_columns", [])
    return len([name for name in schema.names if name not in index])


def _unreadable_parquet(filename: str, exc: Exception) -> DataError:
    return DataError(
        f"{filename!r} is not a readable Parquet file ({exc}); export it again or upload a CSV"
    )


def _read_jsonl(data: bytes, encoding: str, filename: str, limits: TableLimits) -> pd.DataFrame:
    width = _first_object_width(data)
    check_columns(width, limits, filename)
    budget = limits.row_budget(width)
    try:
        df = pd.read_json(
            io.BytesIO(data),
            lines=True,
            encoding=encoding,
            nrows=None if budget is None else budget + 1,
        )
    except ValueError as exc:
        raise DataError(
            f"{filename!r} is not readable JSON Lines ({exc}); write one JSON object per line"
        ) from exc
    check_shape(len(df), df.shape[1], limits, filename)
    return df


def _first_object_width(data: bytes) -> int:
    """Keys of the first line's object (0 if it is none), to refuse a wide file early."""
    end = data.find(b"\n")
    try:
        first = json.loads(data if end < 0 else data[:end])
    except ValueError:
        return 0
    return len(first) if isinstance(first, dict) else 0


__all__ = [
    "READ_SUFFIXES",
    "UNLIMITED",
    "WRITE_SUFFIXES",
    "TableLimits",
    "TableTooLargeError",
    "read_table",
    "read_table_bytes",
    "refuse_binary",
    "write_table",
]
