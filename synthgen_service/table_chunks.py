"""Reading a stored table chunk by chunk, each chunk typed as a whole-file read types it.

A generated table may hold ten million rows: read whole (``read_table``) it takes gigabytes,
read in chunks a few hundred megabytes at most, whatever its length. But pandas types each
chunk on its own: an integer column whose only blank cell is in the last chunk is ``int64``
in every other chunk, which would write ``3`` in one part of a JSON Lines file and ``3.0``
in another, and give Parquet chunks that do not share a schema. So :class:`CsvChunks` reads
the file twice: the first pass notes each column's kind in every chunk and settles the type
the whole-file read (:func:`synthgen_core.io.tables.read_table`) gives it, including its rule
that numbers written with a leading zero (``02134``) stay text; the second pass casts every
chunk to that type. :class:`ParquetChunks` does the same for the gaps of a Parquet file.

A table is given as an :data:`Opener`, a function that opens it as a new binary file (the
artifact store's ``open``, say): each pass reads its own stream, whatever holds the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api import types as ptypes

#: Bytes read at a time when scanning a file's text.
SCAN_BYTES = 4 * 1024 * 1024
#: A cell written with a leading zero: ``read_table`` keeps such a column as text.
LEADING_ZERO = r'[ \t"]*[-+]?0\d'
_LEADING_ZERO_AFTER = [
    re.compile(re.escape(start) + LEADING_ZERO.encode()) for start in (b",", b"\n")
]
#: The worker's output is comma-separated UTF-8 with a header row, as pandas writes it.
_ENCODING = "utf-8"
#: Opens a stored table for reading, from its start, as a new (seekable) binary file.
Opener = Callable[[], IO[bytes]]


def rows_per_chunk(source: Opener, chunk_bytes: int) -> int:
    """How many rows of ``source`` make about ``chunk_bytes`` of text (judged by its start)."""
    with source() as handle:
        head = handle.read(SCAN_BYTES)
    line_bytes = max(1, len(head) // max(1, head.count(b"\n")))
    return max(1, chunk_bytes // line_bytes)


@dataclass
class Plan:
    """How chunks become the whole-file types: columns read as text, casts for the others."""

    text: set[str] = field(default_factory=set)
    floats: set[str] = field(default_factory=set)
    #: Booleans with blanks: ``object`` in pandas (``True``, ``False``, NaN), bool in Arrow.
    gappy_bools: set[str] = field(default_factory=set)

    def casts(self, columns: Iterable[str]) -> dict[str, str]:
        wanted = dict.fromkeys(self.floats, "float64") | dict.fromkeys(self.gappy_bools, "object")
        return {name: wanted[name] for name in columns if name in wanted}


class CsvChunks:
    """The rows of the worker's output CSV, ``rows`` at a time, with whole-file types."""

    def __init__(self, source: Opener, rows: int) -> None:
        self.source, self.rows = source, rows
        self.plan = _plan(source, rows)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        dtype = dict.fromkeys(self.plan.text, str)
        with (
            self.source() as handle,
            pd.read_csv(handle, chunksize=self.rows, dtype=dtype, encoding=_ENCODING) as reader,
        ):
            for chunk in reader:
                casts = self.plan.casts(chunk.columns)
                yield chunk.astype(casts) if casts else chunk

    def arrow_types(self) -> dict[str, pa.DataType]:
        """Arrow types a chunk cannot show when its part of a column is all blank."""
        types = dict.fromkeys(self.plan.text, pa.string())
        return types | dict.fromkeys(self.plan.gappy_bools, pa.bool_())


def raw_csv_chunks(source: Opener, rows: int) -> Iterator[pd.DataFrame]:
    """Every cell of the worker's output CSV as the text it holds, header row included.

    Written back with ``to_csv(header=False, index=False)``, the chunks give the same bytes.
    """
    options: dict[str, Any] = {"header": None, "dtype": str, "keep_default_na": False}
    with (
        source() as handle,
        pd.read_csv(handle, chunksize=rows, encoding=_ENCODING, **options) as reader,
    ):
        yield from reader


class ParquetChunks:
    """The rows of a Parquet file, ``rows`` at a time, typed as ``pd.read_parquet`` types them.

    A batch without blanks in an integer or boolean column converts to ``int64``/``bool``;
    the whole file, with a blank in another batch, converts to ``float64``/``object``.
    """

    def __init__(self, source: Opener, rows: int) -> None:
        self.source, self.rows = source, rows
        with source() as handle, pq.ParquetFile(handle) as table:
            self.gaps = _columns_with_gaps(table.iter_batches(batch_size=rows))

    def __iter__(self) -> Iterator[pd.DataFrame]:
        with self.source() as handle, pq.ParquetFile(handle) as source:
            empty = True
            for batch in source.iter_batches(batch_size=self.rows):
                empty = False
                yield _fill_gaps(batch.to_pandas(), self.gaps)
            if empty:
                yield source.schema_arrow.empty_table().to_pandas()

    def arrow_types(self) -> dict[str, pa.DataType]:
        return {}


def _plan(source: Opener, rows: int) -> Plan:
    """First pass: each column's kinds over all chunks, settled into whole-file types."""
    kinds: dict[str, set[str]] = {}
    with source() as handle, pd.read_csv(handle, chunksize=rows, encoding=_ENCODING) as reader:
        for chunk in reader:
            for name in chunk.columns:
                kinds.setdefault(name, set()).add(_kind(chunk[name]))
    plan = Plan()
    for name, found in kinds.items():
        _settle(plan, name, found)
    numbers = [name for name, found in kinds.items() if found & {"int", "float"}]
    plan.text |= _leading_zero_columns(source, rows, [n for n in numbers if n not in plan.text])
    plan.floats -= plan.text
    return plan


def _kind(column: pd.Series) -> str:
    """``empty`` (all blank), ``bool``, ``gappy_bool``, ``int``, ``float`` or ``text``."""
    if ptypes.is_bool_dtype(column.dtype):
        return "bool"
    if column.isna().all():
        return "empty"
    if ptypes.is_integer_dtype(column.dtype):
        return "int"
    if ptypes.is_float_dtype(column.dtype):
        return "float"
    return "gappy_bool" if pd.api.types.infer_dtype(column) == "boolean" else "text"


def _settle(plan: Plan, name: str, kinds: set[str]) -> None:
    """The type pandas gives a column holding all of ``kinds`` at once."""
    found = kinds - {"empty"}
    booleans = found & {"bool", "gappy_bool"}
    if "text" in found or (booleans and found - booleans):
        plan.text.add(name)  # pandas keeps a column of mixed cells as their text
    elif booleans:
        if found != {"bool"} or "empty" in kinds:
            plan.gappy_bools.add(name)
    elif found != {"int"} or "empty" in kinds:
        plan.floats.add(name)  # numbers with blanks or decimals, or no value at all


def _leading_zero_columns(source: Opener, rows: int, numbers: list[str]) -> set[str]:
    """Number columns with a cell written with a leading zero (read as text, like read_table)."""
    if not numbers or not _may_hold_leading_zeros(source):
        return set()
    found: set[str] = set()
    options: dict[str, Any] = {"usecols": numbers, "dtype": str, "encoding": _ENCODING}
    with source() as handle, pd.read_csv(handle, chunksize=rows, **options) as reader:
        for chunk in reader:
            found.update(
                n for n in chunk.columns if chunk[n].str.match(LEADING_ZERO, na=False).any()
            )
    return found


def _may_hold_leading_zeros(source: Opener) -> bool:
    """Whether any cell may start with a leading zero; one cheap scan spares a second parse.

    A match starts at a comma or a line break, so each block's text from its last one on is
    carried into the next block: a match across two blocks is still found.
    """
    carry = b""
    with source() as handle:
        while block := handle.read(SCAN_BYTES):
            text = carry + block
            if any(pattern.search(text) for pattern in _LEADING_ZERO_AFTER):
                return True
            last = max(text.rfind(b","), text.rfind(b"\n"))
            carry = text[last:] if last >= 0 else b""
    return False


def _columns_with_gaps(batches: Iterable[pa.RecordBatch]) -> set[str]:
    gaps: set[str] = set()
    for batch in batches:
        columns = zip(batch.schema.names, batch.columns, strict=True)
        gaps.update(name for name, column in columns if column.null_count)
    return gaps


def _fill_gaps(frame: pd.DataFrame, gaps: set[str]) -> pd.DataFrame:
    """Integers and booleans with a blank anywhere in the file as pandas types them then."""
    casts: dict[str, str] = {}
    for name in gaps & set(frame.columns):
        if ptypes.is_bool_dtype(frame[name].dtype):
            casts[name] = "object"
        elif ptypes.is_integer_dtype(frame[name].dtype):
            casts[name] = "float64"
    return frame.astype(casts) if casts else frame


__all__ = ["CsvChunks", "Opener", "ParquetChunks", "Plan", "raw_csv_chunks", "rows_per_chunk"]
