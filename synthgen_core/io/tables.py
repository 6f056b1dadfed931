"""Reading and writing tables: CSV (sniffed), gzipped CSV, Parquet and JSON Lines.

Uploaded CSVs come in every dialect: semicolons and decimal commas from European
spreadsheets, tabs, pipes, a UTF-8 byte-order mark from Excel, Latin-1 from older systems,
zip codes with leading zeros. ``read_table`` sniffs the encoding and delimiter instead of
asking, and names the fix when a file cannot be read (a workbook: save it as CSV).
Missing cells follow pandas' defaults (``""``, ``NA``, ``NaN``, ... become NaN); other markers
such as ``" ?"`` stay strings for metadata detection to recognise.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.errors import DataError

DELIMITERS = ",;\t|"
ENCODINGS = ("utf-8-sig", "latin-1")  # utf-8-sig also reads plain UTF-8
#: Bytes of text the delimiter sniffer looks at.
SNIFF_BYTES = 64 * 1024
_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"  # .xlsx workbooks are zip archives
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls workbooks
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DECIMAL_COMMA = r"[-+]?\d+(?:,\d+)?"
#: A cell that starts with a leading zero (quotes and blanks before it allowed).
_LEADING_ZERO = r'[ \t"]*[-+]?0\d'
READ_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt", ".parquet", ".pq", ".jsonl")
WRITE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".jsonl")


def read_table(path: str | Path) -> pd.DataFrame:
    """A table from a CSV (any common dialect), ``.csv.gz``, Parquet or JSON Lines file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(
            f"cannot read {str(path)!r} ({exc.strerror}); check the path and its permissions"
        ) from exc
    return read_table_bytes(data, path.name)


def read_table_bytes(data: bytes, filename: str) -> pd.DataFrame:
    """A table from an uploaded file's bytes.

    ``filename``'s suffix picks the format; the content's magic bytes win over it.
    """
    name = filename.lower()
    if not data:
        raise DataError(f"{filename!r} is empty; upload a file with a header row and data")
    if data.startswith(_PARQUET_MAGIC) or name.endswith((".parquet", ".pq")):
        return _read_parquet(data, filename)
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, filename)
    refuse_binary(data, filename)
    if name.endswith(".jsonl"):
        return _read_jsonl(data, filename)
    return _read_csv(data, filename)


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


def refuse_binary(data: bytes, filename: str) -> None:
    """A DataError for workbooks and other binary files (given their first bytes at least).

    They would otherwise "parse" as a CSV of garbage columns.
    """
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise DataError(
            f"{filename!r} is an Excel workbook or a zip archive, not a table file; save the "
            "sheet as CSV (in Excel: File > Save As > CSV UTF-8), or unzip it, and upload that"
        )
    if not data.startswith(_UTF16_BOMS) and b"\x00" in data[:SNIFF_BYTES]:
        raise DataError(
            f"{filename!r} is a binary file, not text; upload a CSV, gzipped CSV, Parquet "
            "or JSON Lines file"
        )


def _read_csv(data: bytes, filename: str) -> pd.DataFrame:
    text = _decode(data)
    delimiter = _sniff_delimiter(text[:SNIFF_BYTES])
    try:
        df = pd.read_csv(io.StringIO(text), sep=delimiter, low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(
            f"{filename!r} is not a readable CSV ({exc}); save it as CSV with one "
            "header row and the same number of fields on every line"
        ) from exc
    if df.shape[1] == 0:
        raise DataError(f"{filename!r} has no columns; give a CSV with a header row")
    df = _keep_leading_zeros(df, text, delimiter)
    return _read_decimal_commas(df) if delimiter == ";" else df


def _keep_leading_zeros(df: pd.DataFrame, text: str, delimiter: str) -> pd.DataFrame:
    """Numeric columns written with leading zeros (zip codes, product codes) as their text.

    pandas reads ``02134`` as the number 2134, and the synthetic table would then hold
    codes that the real one never writes. Only numeric columns are read a second time.
    """
    numeric = [
        position
        for position, dtype in enumerate(df.dtypes)
        if ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype)
    ]
    if not numeric or not _may_hold_leading_zeros(text, delimiter):
        return df
    raw = pd.read_csv(io.StringIO(text), sep=delimiter, usecols=numeric, dtype=str)
    for position, name in zip(numeric, raw.columns, strict=True):
        cells = raw[name].dropna()
        if cells.str.match(_LEADING_ZERO).any():
            df.isetitem(position, raw[name].to_numpy(dtype=object))
    return df


def _may_hold_leading_zeros(text: str, delimiter: str) -> bool:
    """Whether any cell may start with a leading zero.

    One scan of the text spares most files a second read; two patterns that each start
    with a literal scan several times faster than one with an alternation.
    """
    return any(re.search(re.escape(start) + _LEADING_ZERO, text) for start in (delimiter, "\n"))


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


def _decode(data: bytes) -> str:
    """Text of ``data``: UTF-16 by its BOM, else UTF-8 (BOM or not) if valid, else Latin-1.

    Excel saves "Unicode text" as tab-separated UTF-16.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


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


def _gunzip(data: bytes, filename: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise DataError(
            f"{filename!r} is a damaged gzip file ({exc}); compress it again or "
            "upload it uncompressed"
        ) from exc


def _read_parquet(data: bytes, filename: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data))
    except (OSError, ValueError) as exc:
        raise DataError(
            f"{filename!r} is not a readable Parquet file ({exc}); export it again or upload a CSV"
        ) from exc


def _read_jsonl(data: bytes, filename: str) -> pd.DataFrame:
    try:
        return pd.read_json(io.StringIO(_decode(data)), lines=True)
    except ValueError as exc:
        raise DataError(
            f"{filename!r} is not readable JSON Lines ({exc}); write one JSON object per line"
        ) from exc
