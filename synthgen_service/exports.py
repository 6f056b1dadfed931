"""Serving a generated table as CSV, Parquet or JSON Lines.

The worker stores each output once; another format is converted on first request and cached
next to the original inside the artifact's folder (so it is deleted with the artifact).
Conversion runs in a worker thread and is published atomically.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import anyio.to_thread

from synthgen_core.io.tables import read_table, write_table
from synthgen_service.artifacts import ArtifactFiles


class ExportFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    JSONL = "jsonl"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.PARQUET: "application/vnd.apache.parquet",
    ExportFormat.JSONL: "application/x-ndjson",
}


def stored_format(path: Path) -> ExportFormat | None:
    """The format of a stored file, judged by its suffix (None when it is none of ours)."""
    suffix = path.suffix.lstrip(".").lower()
    return ExportFormat(suffix) if suffix in set(ExportFormat) else None


def _convert(files: ArtifactFiles, source: Path, fmt: ExportFormat) -> Path:
    target = source.with_name(f"export.{fmt}")
    if target.exists():
        return target
    with files.temp_file(f".{fmt}") as tmp:
        write_table(read_table(source), tmp)
        tmp.replace(target)
    return target


async def export_path(files: ArtifactFiles, source: Path, fmt: ExportFormat) -> Path:
    """A file holding ``source`` in ``fmt`` (``source`` itself when it already is)."""
    if stored_format(source) == fmt:
        return source
    return await anyio.to_thread.run_sync(_convert, files, source, fmt)


__all__ = ["MEDIA_TYPES", "ExportFormat", "export_path", "stored_format"]
