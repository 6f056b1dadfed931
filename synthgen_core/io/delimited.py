"""Delimited text (CSV, TSV, ...) read the way spreadsheets write it, within the limits.

Uploaded CSVs come in every dialect: semicolons and decimal commas from European
spreadsheets, tabs, pipes, zip codes with leading zeros. The delimiter is sniffed rather
than asked for. Before pandas parses anything, the header and the first data row are read
by the ``csv`` module, which is linear in their length (pandas' own header parsing is
quadratic in the number of columns), so a table too wide for the limits is refused at
once.

Rows with more fields than the header: pandas takes the first column of such a file as
its index and shifts every other column left by one, silently (``u1,34,Paris,`` under
``id,age,city`` stores ``34`` as the id). Such files are read with extra, unnamed columns
instead; empty extra fields (a trailing delimiter) are dropped, and a row whose extra
field holds a value is refused, naming it.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.errors import DataError
from synthgen_core.io.limits import TableLimits, check_columns, check_shape

DELIMITERS = ",;\t|"
#: Bytes of text the delimiter sniffer looks at.
SNIFF_BYTES = 64 * 1024
_DECIMAL_COMMA = r"[-+]?\d+(?:,\d+)?"
#: A cell that starts with a leading zero (quotes and blanks before it allowed).
_LEADING_ZERO = r'[ \t"]*[-+]?0\d'
#: Names of the extra columns of a ragged file: no header holds a NUL (it is refused).
_SPILL = "\x00extra"
_TOO_MANY_FIELDS = re.compile(r"Expected \d+ fields in line (\d+), saw (\d+)")


class _Source(NamedTuple):
    """One file's bytes and how to read them; ``columns`` is its header's width."""

    data: bytes
    encoding: str
    delimiter: str
    filename: str
    columns: int = 0

    def read(self, **options: Any) -> pd.DataFrame:
        try:
            frame: pd.DataFrame = pd.read_csv(
                io.BytesIO(self.data), sep=self.delimiter, encoding=self.encoding, **options
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise self._unreadable(exc) from exc
        return frame

    def _unreadable(self, exc: Exception) -> DataError:
        found = _TOO_MANY_FIELDS.search(str(exc))
        if found is not None and self.columns:
            line, fields = found.groups()
            return DataError(
                f"{self.filename!r} is not a readable CSV: line {line} has {fields} fields, "
                f"more than the {self.columns} columns of the header; remove the extra "
                "fields, quote fields that contain the delimiter, or name every column in "
                "the header"
            )
        return DataError(
            f"{self.filename!r} is not a readable CSV ({exc}); save it as CSV with one "
            "header row and the same number of fields on every line"
        )


def read_delimited(data: bytes, encoding: str, filename: str, limits: TableLimits) -> pd.DataFrame:
    """The table in ``data`` (text in ``encoding``), refused past ``limits``."""
    delimiter = _sniff_delimiter(data[:SNIFF_BYTES].decode(encoding, errors="replace"))
    source = _Source(data, encoding, delimiter, filename)
    header, first = _first_rows(source)
    check_columns(max(header, first), limits, filename)
    source = source._replace(columns=header)
    budget = limits.row_budget(max(header, first))
    layout: dict[str, Any] = {"nrows": None if budget is None else budget + 1}
    df, layout = _parse(source, layout, first)
    check_shape(len(df), df.shape[1], limits, filename)
    df = _keep_leading_zeros(df, source, layout)
    return _read_decimal_commas(df) if delimiter == ";" else df


def _first_rows(source: _Source) -> tuple[int, int]:
    """Fields in the header and in the first data row (0 when there is none).

    Blank lines are skipped, as pandas skips them. A field beyond the ``csv`` module's
    size limit leaves the check to pandas (0, 0).
    """
    text = io.TextIOWrapper(io.BytesIO(source.data), encoding=source.encoding, newline="")
    rows = (row for row in csv.reader(text, delimiter=source.delimiter) if row)
    try:
        widths = [len(row) for row in itertools.islice(rows, 2)]
    except csv.Error:
        return 0, 0
    return widths[0] if widths else 0, widths[1] if len(widths) > 1 else 0


def _parse(
    source: _Source, layout: dict[str, Any], first: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table and the read options that gave it (the leading-zero pass reuses them).

    ``first`` is the width of the first data row; pandas' taking columns as an index is
    the sign of a longer first row where the ``csv`` module could not tell.
    """
    extra = first - source.columns
    if extra <= 0:
        df = source.read(low_memory=False, **layout)
        if isinstance(df.index, pd.RangeIndex):
            return df, layout
        extra = df.index.nlevels
        del df
    header = source.read(nrows=0, index_col=False).columns.tolist()
    spill = [f"{_SPILL}{i}" for i in range(extra)]
    layout = {**layout, "names": [*header, *spill], "header": 0, "index_col": False}
    df = source.read(low_memory=False, **layout)
    return _without_spill(df, spill, source._replace(columns=len(header))), layout


def _without_spill(df: pd.DataFrame, spill: list[str], source: _Source) -> pd.DataFrame:
    """``df`` less its extra columns, if they are empty; else a DataError naming the row."""
    filled = df[spill].notna().to_numpy().any(axis=1)  # (rows,)
    if filled.any():
        row = int(np.argmax(filled)) + 1
        raise DataError(
            f"{source.filename!r} is not a readable CSV: data row {row} has more fields "
            f"than the {source.columns} columns of the header; remove the extra fields, "
            "quote fields that contain the delimiter, or name every column in the header"
        )
    return df.drop(columns=spill)


def _keep_leading_zeros(df: pd.DataFrame, source: _Source, layout: dict[str, Any]) -> pd.DataFrame:
    """Numeric columns written with leading zeros (zip codes, product codes) as their text.

    pandas reads ``02134`` as the number 2134, and the synthetic table would then hold
    codes that the real one never writes. Only numeric columns are read a second time.
    """
    numeric = [
        position
        for position, dtype in enumerate(df.dtypes)
        if ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype)
    ]
    if not numeric or not _may_hold_leading_zeros(source.data, source.delimiter):
        return df
    raw = source.read(usecols=numeric, dtype=str, **layout)
    for position, name in zip(numeric, raw.columns, strict=True):
        cells = raw[name].dropna()
        if cells.str.match(_LEADING_ZERO).any():
            df.isetitem(position, raw[name].to_numpy(dtype=object))
    return df


def _may_hold_leading_zeros(data: bytes, delimiter: str) -> bool:
    """Whether any cell may start with a leading zero.

    One scan of the bytes spares most files a second read; two patterns that each start
    with a literal scan several times faster than one with an alternation. The encodings
    read here (UTF-8, Latin-1) write delimiters, quotes and digits as the ASCII bytes.
    """
    starts = (delimiter.encode(), b"\n")
    return any(re.search(re.escape(start) + _LEADING_ZERO.encode(), data) for start in starts)


def _read_decimal_commas(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns of numbers written with a decimal comma (``1,5``) as numbers.

    Spreadsheets in locales with decimal commas separate fields with semicolons; pandas
    reads their numbers as text. Only columns whose every cell is such a number change.
    """
    for name in df.select_dtypes(include="object").columns:
        cells = df[name].dropna()
        if cells.empty or not all(isinstance(cell, str) for cell in cells.unique()):
            continue
        text = cells.str.strip()
        if text.str.fullmatch(_DECIMAL_COMMA).all() and text.str.contains(",").any():
            df[name] = pd.to_numeric(df[name].str.strip().str.replace(",", ".", regex=False))
    return df


def _sniff_delimiter(sample: str) -> str:
    """The delimiter among comma, semicolon, tab and pipe (comma for one column)."""
    lines = sample.splitlines()
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        sample = "\n".join(lines[:-1])  # the last line may be cut mid-row
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] > 0 else ","


__all__ = ["DELIMITERS", "SNIFF_BYTES", "read_delimited"]
