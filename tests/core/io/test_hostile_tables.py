"""Reading tables that are built to hurt: bombs, huge or ragged shapes, odd encodings."""

from __future__ import annotations

import gzip
import io
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthgen_core.errors import DataError
from synthgen_core.io.gzipped import gunzip
from synthgen_core.io.tables import TableLimits, TableTooLargeError, read_table_bytes

FRAME = pd.DataFrame(
    {"id": ["u1", "u2", "u3"], "age": [34, 35, 36], "city": ["Paris", "Oslo", "Zürich"]}
)
MiB = 1024 * 1024


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _refused(data: bytes, filename: str, limits: TableLimits) -> TableTooLargeError:
    with pytest.raises(TableTooLargeError) as caught:
        read_table_bytes(data, filename, limits)
    return caught.value


def test_gzip_past_the_decompressed_cap_is_refused_naming_the_limit() -> None:
    bomb = gzip.compress(b"\n" * (4 * MiB), compresslevel=9) * 3  # 12 MiB in three members
    error = _refused(bomb, "bomb.csv.gz", TableLimits(max_decompressed_bytes=MiB))
    assert error.limit == "max_decompressed_bytes"
    assert "decompresses to more than 1,048,576 bytes" in str(error)
    assert "raise the limit" in str(error)


def test_gzip_members_and_padding_decompress_like_gzip_tools() -> None:
    first, second = b"id,age\n", b"u1,34\nu2,35\n"
    data = gzip.compress(first) + bytes(512) + gzip.compress(second) + bytes(7)
    limits = TableLimits(max_decompressed_bytes=len(first + second))
    assert gunzip(data, "parts.csv.gz", limits) == first + second
    assert read_table_bytes(data, "parts.csv.gz", limits)["age"].tolist() == [34, 35]
    whole = gzip.compress(first + second)
    for damaged in (whole[:-4], whole[:15], whole + b"trailing garbage"):
        with pytest.raises(DataError, match="damaged gzip file"):
            gunzip(damaged, "damaged.csv.gz", limits)


def test_parquet_rows_are_refused_from_the_footer_before_any_page_is_read() -> None:
    data = _parquet(pa.table({"a": pa.array(np.zeros(200_000, dtype=np.int8))}))
    assert len(data) < 64 * 1024  # the red team's kind of file: tiny, but many rows
    error = _refused(data, "rows.parquet", TableLimits(max_rows=100_000))
    assert error.limit == "max_rows" and "more rows than the limit of 100,000" in str(error)
    frame = read_table_bytes(data, "rows.parquet", TableLimits(max_rows=200_000))
    assert len(frame) == 200_000


def test_parquet_columns_cells_and_declared_size_are_checked() -> None:
    wide = pd.DataFrame(np.zeros((10, 30)), columns=[f"c{i}" for i in range(30)])
    buffer = io.BytesIO()
    wide.to_parquet(buffer)  # the stored pandas index is not a column
    data = buffer.getvalue()
    assert _refused(data, "w.parquet", TableLimits(max_columns=29)).limit == "max_columns"
    assert _refused(data, "w.parquet", TableLimits(max_cells=299)).limit == "max_cells"
    small = TableLimits(max_decompressed_bytes=100)
    assert _refused(data, "w.parquet", small).limit == "max_decompressed_bytes"
    assert read_table_bytes(
        data, "w.parquet", TableLimits(max_columns=30, max_cells=300)
    ).shape == (
        10,
        30,
    )


@pytest.mark.parametrize("filename", ["t.csv", "t.jsonl"])
def test_rows_and_cells_caps_allow_the_limit_and_refuse_one_more(filename: str) -> None:
    frame = pd.DataFrame({"a": range(100), "b": range(100)})
    if filename.endswith(".csv"):
        data = frame.to_csv(index=False).encode()
    else:
        data = frame.to_json(orient="records", lines=True).encode()
    assert len(read_table_bytes(data, filename, TableLimits(max_rows=100, max_cells=200))) == 100
    assert _refused(data, filename, TableLimits(max_rows=99)).limit == "max_rows"
    error = _refused(data, filename, TableLimits(max_cells=199))
    assert error.limit == "max_cells" and "more cells (rows x columns)" in str(error)


def test_a_wide_csv_is_refused_from_its_header_quickly() -> None:
    columns = 100_000
    data = (
        ",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join(["1"] * columns) + "\n"
    ).encode()
    started = time.perf_counter()
    error = _refused(data, "wide.csv", TableLimits(max_columns=1_000))
    assert time.perf_counter() - started < 5  # pandas alone needs minutes for this header
    assert error.limit == "max_columns"
    assert "has 100,000 columns, more than the limit of 1,000" in str(error)
    narrow_header = b"a\n" + b",".join([b"1"] * columns) + b"\n"  # width from the first row
    assert _refused(narrow_header, "n.csv", TableLimits(max_columns=1_000)).limit == "max_columns"


def test_a_wide_json_lines_file_is_refused_from_its_first_object() -> None:
    data = (FRAME.to_json(orient="records", lines=True) or "").encode()
    assert _refused(data, "t.jsonl", TableLimits(max_columns=2)).limit == "max_columns"


def test_a_trailing_delimiter_on_every_row_keeps_columns_in_place() -> None:
    data = b"id,age,city\nu1,34,Paris,\nu2,35,Oslo,\nu3,36,Z\xc3\xbcrich,\n"
    pd.testing.assert_frame_equal(read_table_bytes(data, "trailing.csv"), FRAME)
    semicolons = b"id;age;city\nu1;34;Paris;\nu2;35;Oslo\nu3;36;Z\xc3\xbcrich;\n"
    pd.testing.assert_frame_equal(read_table_bytes(semicolons, "s.csv"), FRAME)


def test_codes_keep_leading_zeros_in_a_file_with_trailing_delimiters() -> None:
    df = read_table_bytes(b"zip,n\n02134,1,\n10001,2,\n", "zips.csv")
    assert df.columns.tolist() == ["zip", "n"]
    assert df["zip"].tolist() == ["02134", "10001"] and df["n"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id,age,city\nu1,34,Paris,x\nu2,35,Oslo,\n", "data row 1 has more fields than the 3"),
        (b"id,age,city\nu1,34,Paris,\nu2,35,Oslo,extra\n", "data row 2 has more fields than the 3"),
        (b"id,age,city\nu1,34,Paris\nu2,35,Oslo,\n", "line 3 has 4 fields, more than the 3"),
        (b"id,age\nu1,34\nu2,35\nu3,36,x,y\n", "line 4 has 4 fields, more than the 2"),
    ],
)
def test_rows_longer_than_the_header_are_refused_naming_the_row(data: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_table_bytes(data, "ragged.csv")


def test_short_rows_still_read_as_missing_cells() -> None:
    df = read_table_bytes(b"a,b,c\n1,2\n3,4,5\n", "short.csv")
    assert df["a"].tolist() == [1, 3] and df["c"].isna().tolist() == [True, False]


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be", "utf-16-be"])
def test_utf32_and_utf16_with_a_byte_order_mark_are_read(encoding: str) -> None:
    text = FRAME.to_csv(index=False)
    data = text.encode(encoding)
    if not encoding.endswith(("32", "16")):  # the explicit-endian codecs write no mark
        data = ("\ufeff" + text).encode(encoding)
    pd.testing.assert_frame_equal(read_table_bytes(data, "unicode.csv"), FRAME)


@pytest.mark.parametrize(
    "data",
    [
        FRAME.to_csv(index=False).encode("utf-32-le"),  # no mark: NUL bytes everywhere
        ("\ufeff" + "a,b\n1,\x00\n").encode("utf-16-le"),  # a NUL character in the text
        b"\x00" + b"a,b\n1,2\n" * 20_000,
        b"a,b\n" + b"1,2\n" * 20_000 + b"3,\x00\n",  # past the first 64 KiB
    ],
)
def test_nul_bytes_anywhere_mean_a_binary_file(data: bytes) -> None:
    with pytest.raises(DataError, match="binary file, not text"):
        read_table_bytes(data, "nul.csv")


def test_a_broken_byte_order_mark_file_says_to_save_as_utf8() -> None:
    with pytest.raises(DataError, match="UTF-16 byte-order mark but is not valid"):
        read_table_bytes(b"\xff\xfea\x00,", "odd.csv")
