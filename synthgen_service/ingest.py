"""Turning an uploaded file into a dataset version: read, detect, score, keep the bytes.

The multipart body is streamed into an artifact writer (:mod:`multipart_form`, 413 past
the limit) and read back before it is published; the table is read by
``synthgen_core.io.tables.read_table_bytes`` (CSV delimiter, encoding and header are
sniffed there; Parquet and gzip by their magic bytes). Reading,
detection and scoring run in a worker thread so a large upload does not stall the event
loop. A file that cannot be read raises before anything is stored. Cell values are never
logged.

The upload limit counts the bytes received, not what they expand to: a megabyte of gzip
can hold a gigabyte of text, and a small Parquet file millions of rows. The reader is
given :func:`upload_limits` and refuses such a file before building its table: ``413``
past the decompressed size, row or cell limits, ``422`` past the column limit, each
naming the setting that raises it.
"""

from __future__ import annotations

import csv
import logging
import traceback
from collections.abc import Callable
from pathlib import PurePath
from typing import IO, Any, NamedTuple

import anyio.to_thread
import pandas as pd
import pyarrow as pa

from synthgen_core.constraints import suggest_constraints
from synthgen_core.errors import DataError, SynthGenError
from synthgen_core.io.limits import TableLimits, TableTooLargeError
from synthgen_core.io.tables import read_table_bytes, refuse_binary
from synthgen_core.metadata import Metadata
from synthgen_service.errors import InvalidField, PayloadTooLarge, ServiceError
from synthgen_service.quality import summarize
from synthgen_service.schemas.datasets import Quality
from synthgen_service.settings import Settings

PARQUET_MAGIC = b"PAR1"
GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 64 * 1024
TEXT_SUFFIXES = {
    ".csv": ".csv",
    ".tsv": ".tsv",
    ".txt": ".txt",
    ".tab": ".tsv",
    ".jsonl": ".jsonl",
}
CONTENT_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
    ".jsonl": "application/x-ndjson",
    ".gz": "application/gzip",
    ".parquet": "application/vnd.apache.parquet",
}
FORMATS = {".parquet": "parquet", ".jsonl": "jsonl"}  # everything else is (maybe gzipped) CSV
#: Each ``TableLimits`` field: the variable that sets it, and the error past it (a table
#: too big is 413, like a file too big; one too wide is an invalid table, 422).
LIMIT_SETTINGS: dict[str, tuple[str, type[ServiceError]]] = {
    "max_decompressed_bytes": ("SYNTHGEN_MAX_DECOMPRESSED_BYTES", PayloadTooLarge),
    "max_rows": ("SYNTHGEN_MAX_UPLOAD_ROWS", PayloadTooLarge),
    "max_cells": ("SYNTHGEN_MAX_UPLOAD_CELLS", PayloadTooLarge),
    "max_columns": ("SYNTHGEN_MAX_UPLOAD_COLUMNS", InvalidField),
}
logger = logging.getLogger("synthgen_service")


class Ingested(NamedTuple):
    file_format: str
    row_count: int
    columns: list[dict[str, str]]
    metadata: dict[str, Any]
    quality: Quality
    #: constraints every row keeps, with their evidence (:func:`suggest_constraints`)
    suggested_constraints: list[dict[str, Any]]


def sniff_suffix(filename: str, head: bytes) -> str:
    """The stored suffix: Parquet by magic bytes, else the text suffix the name suggests.

    ``head`` is the file's first :data:`SNIFF_BYTES`. Binary files (a spreadsheet, a zip,
    an image) are refused here, with the fix, rather than parsed into garbage columns.
    """
    if head[:4] == PARQUET_MAGIC:
        return ".parquet"
    if head[:2] == GZIP_MAGIC:
        return ".gz"
    refuse_binary(head, filename)
    return TEXT_SUFFIXES.get(PurePath(filename).suffix.lower(), ".csv")


def upload_limits(settings: Settings) -> TableLimits:
    """What an upload may expand to once read, from the service's settings."""
    return TableLimits(
        max_rows=settings.max_upload_rows,
        max_columns=settings.max_upload_columns,
        max_cells=settings.max_upload_cells,
        max_decompressed_bytes=settings.max_decompressed_bytes,
    )


def analyse(
    source: Callable[[], IO[bytes]], filename: str, suffix: str, limits: TableLimits
) -> Ingested:
    """Read the table ``source`` opens and describe it (blocking; see :func:`analyse_async`).

    ``filename`` (the upload's name) with the sniffed ``suffix`` is what error messages show.
    """
    with source() as handle:
        data = handle.read()
    frame = _read(data, f"{PurePath(filename).stem}{suffix}", limits)
    if frame.empty or len(frame.columns) == 0:
        raise DataError("the file has no data rows; upload a table with a header and rows")
    metadata, quality, suggested = _describe(frame)
    columns = [{"name": spec.name, "kind": str(spec.kind)} for spec in metadata.columns]
    file_format = FORMATS.get(suffix, "csv")
    return Ingested(file_format, len(frame), columns, metadata.to_dict(), quality, suggested)


def _describe(frame: pd.DataFrame) -> tuple[Metadata, Quality, list[dict[str, Any]]]:
    """Detected metadata and quality summary; a table that trips a SynthGen bug is a 422.

    The failure depends on the upload's content, so the client hears which table it was,
    and the log gets the traceback without the message (messages can quote cells).
    """
    try:
        metadata = Metadata.detect(frame)
        suggested = [item.to_dict() for item in suggest_constraints(frame, metadata)]
        return metadata, summarize(frame, metadata), suggested
    except SynthGenError:
        raise
    except Exception as exc:
        where = "".join(traceback.format_tb(exc.__traceback__))
        logger.error("analysing an upload failed: %s\n%s", type(exc).__name__, where)
        raise DataError(
            f"SynthGen could not analyse this table ({type(exc).__name__}); nothing was "
            "stored. The service log has the details: please report them"
        ) from None


def _read(data: bytes, filename: str, limits: TableLimits) -> Any:
    try:
        return read_table_bytes(data, filename, limits)
    except TableTooLargeError as exc:
        variable, error = LIMIT_SETTINGS[exc.limit]
        raise error(f"{exc} ({variable})", key="file") from None
    except SynthGenError:
        raise
    except (ValueError, OSError, csv.Error, pa.ArrowException) as exc:
        # A reader failing on garbage says so in its own words; never echo cell values.
        raise DataError(
            f"cannot read the file as CSV or Parquet ({type(exc).__name__}); "
            "check that it is a valid table with a header row"
        ) from None


async def analyse_async(
    source: Callable[[], IO[bytes]], filename: str, suffix: str, limits: TableLimits
) -> Ingested:
    return await anyio.to_thread.run_sync(analyse, source, filename, suffix, limits)


__all__ = [
    "CONTENT_TYPES",
    "LIMIT_SETTINGS",
    "Ingested",
    "analyse",
    "analyse_async",
    "sniff_suffix",
    "upload_limits",
]
