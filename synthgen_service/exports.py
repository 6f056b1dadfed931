"""Serving a generated table as CSV, Parquet or JSON Lines, optionally formula-safe CSV.

The worker stores each output once, as CSV; another format is converted on first request and
cached as another object of the same artifact (so it is deleted with the artifact).
Conversion runs in a worker thread, streams the table from the artifact store chunk by chunk
(:mod:`table_chunks`), so memory stays flat whatever the row count, and is published
atomically.

Formula-safe CSV defuses CSV injection (OWASP): a spreadsheet runs a cell that starts with
``=``, ``+``, ``-`` or ``@`` as a formula, so such text cells get a leading ``'``, which
spreadsheets show as text. Cells that are numbers (``-3.5``) are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import partial
from typing import IO

import anyio.to_thread
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synthgen_service.artifacts import ArtifactKey, ArtifactStore, text_stream
from synthgen_service.table_chunks import (
    CsvChunks,
    Opener,
    ParquetChunks,
    raw_csv_chunks,
    rows_per_chunk,
)


class ExportFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    JSONL = "jsonl"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.PARQUET: "application/vnd.apache.parquet",
    ExportFormat.JSONL: "application/x-ndjson",
}
#: CSV text per chunk while converting. A chunk's frame and its JSON take some 25 times its
#: text (about 50 MB here), whatever the row count; larger chunks were no faster.
CHUNK_BYTES = 2 * 1024 * 1024
#: Cells a spreadsheet would evaluate: a formula's first character (tab and CR as OWASP lists).
_FORMULA_START = r"[=+\-@\t\r]"


def stored_format(key: ArtifactKey) -> ExportFormat | None:
    """The format of a stored file, judged by its suffix (None when it is none of ours)."""
    suffix = key.suffix.lstrip(".")
    return ExportFormat(suffix) if suffix in set(ExportFormat) else None


def convert(
    source: Opener,
    target: IO[bytes],
    fmt: ExportFormat,
    *,
    from_csv: bool = True,
    formula_safe: bool = False,
    chunk_bytes: int = CHUNK_BYTES,
) -> None:
    """Blocking: write the CSV (else Parquet) table ``source`` to ``target`` as ``fmt``.

    ``formula_safe`` applies to CSV only; Parquet and JSON Lines hold typed values that no
    spreadsheet evaluates.
    """
    rows = rows_per_chunk(source, chunk_bytes)
    if fmt == ExportFormat.CSV and formula_safe and from_csv:
        # The cells' stored text, header row included: only defused cells change.
        _write_csv(map(defuse, raw_csv_chunks(source, rows)), target, header=False)
        return
    table = CsvChunks(source, rows) if from_csv else ParquetChunks(source, rows)
    if fmt == ExportFormat.CSV:
        _write_csv(map(defuse, table) if formula_safe else table, target, header=True)
    elif fmt == ExportFormat.JSONL:
        _write_jsonl(table, target)
    else:
        _write_parquet(table, target, table.arrow_types())


def defuse(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``'`` before each text cell (and name) a spreadsheet would evaluate."""
    frame = frame.copy(deep=False)  # columns are replaced, never changed in place
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        defused = _defused(column)
        if defused is not column:
            frame.isetitem(position, defused.to_numpy())
    frame.columns = pd.Index(_defused(pd.Series(frame.columns, dtype=object)).to_list())
    return frame


def _defused(cells: pd.Series) -> pd.Series:
    """Text cells that start like a formula and are not numbers, prefixed with ``'``."""
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "mixed"):
        return cells  # numbers, booleans, dates: nothing a spreadsheet would evaluate
    risky = cells.str.match(_FORMULA_START, na=False)
    if not risky.any():
        return cells
    risky &= pd.to_numeric(cells.where(risky), errors="coerce").isna()
    return cells.mask(risky, "'" + cells[risky])


def _write_csv(frames: Iterable[pd.DataFrame], target: IO[bytes], *, header: bool) -> None:
    """Chunks appended to one CSV; ``header`` writes the first chunk's column names."""
    with text_stream(target) as out:
        for index, frame in enumerate(frames):
            frame.to_csv(out, header=header and index == 0, index=False)


def _write_jsonl(frames: Iterable[pd.DataFrame], target: IO[bytes]) -> None:
    with text_stream(target) as out:
        for frame in frames:
            frame.to_json(out, orient="records", lines=True, date_format="iso")


def _write_parquet(
    frames: Iterable[pd.DataFrame], target: IO[bytes], types: dict[str, pa.DataType]
) -> None:
    """One row group per chunk, under the schema of the first chunk with ``types`` applied."""
    writer: pq.ParquetWriter | None = None
    try:
        for frame in frames:
            if writer is None:
                writer = pq.ParquetWriter(target, _schema(frame, types))
            table = pa.Table.from_pandas(frame, schema=writer.schema, preserve_index=False)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def _schema(frame: pd.DataFrame, types: dict[str, pa.DataType]) -> pa.Schema:
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    for position, name in enumerate(schema.names):
        if name in types:
            schema = schema.set(position, schema.field(position).with_type(types[name]))
    return schema


def _export_name(fmt: ExportFormat, formula_safe: bool) -> str:
    return f"export-formula-safe.{fmt}" if formula_safe else f"export.{fmt}"


def _convert(
    files: ArtifactStore, source: ArtifactKey, fmt: ExportFormat, formula_safe: bool
) -> ArtifactKey:
    target = source.sibling(_export_name(fmt, formula_safe))
    if files.exists(target):
        return target
    from_csv = stored_format(source) == ExportFormat.CSV
    with files.writer() as writer:
        opener = partial(files.open, source)
        convert(opener, writer.stream, fmt, from_csv=from_csv, formula_safe=formula_safe)
        writer.publish(target)
    return target


async def export_key(
    files: ArtifactStore, source: ArtifactKey, fmt: ExportFormat, *, formula_safe: bool = False
) -> ArtifactKey:
    """The key of ``source`` in ``fmt`` (``source`` itself when it already is)."""
    formula_safe = formula_safe and fmt == ExportFormat.CSV
    if stored_format(source) == fmt and not formula_safe:
        return source
    return await anyio.to_thread.run_sync(_convert, files, source, fmt, formula_safe)


__all__ = ["CHUNK_BYTES", "MEDIA_TYPES", "ExportFormat", "convert", "defuse", "export_key"]
