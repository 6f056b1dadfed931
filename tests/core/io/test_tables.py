"""read_table / write_table: CSV dialects and encodings, gzip, Parquet, JSON Lines."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthgen_core.errors import DataError
from synthgen_core.io.tables import read_table, read_table_bytes, write_table
from tests.shared_data import DATASETS

FRAME = pd.DataFrame(
    {"name": ["Zoë", "Ana", "Bo"], "score": [1.5, np.nan, 3.0], "note": ["a,b", "c;d", "e|f"]}
)


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_csv_dialects_and_encodings_are_sniffed(sep: str, encoding: str) -> None:
    data = FRAME.to_csv(index=False, sep=sep).encode(encoding)
    pd.testing.assert_frame_equal(read_table_bytes(data, "upload.csv"), FRAME)


def test_excel_unicode_text_utf16_tabs_is_read() -> None:
    data = FRAME.to_csv(index=False, sep="\t").encode("utf-16")
    pd.testing.assert_frame_equal(read_table_bytes(data, "export.txt"), FRAME)


def test_semicolon_csv_with_decimal_commas_reads_numbers() -> None:
    data = b"id;price;code;note\n1;1,5;007;a,b\n2;-2,25;012;c\n3;3;100;\n"
    df = read_table_bytes(data, "export.csv")
    assert df["price"].tolist() == [1.5, -2.25, 3.0]
    assert df["code"].tolist() == ["007", "012", "100"]  # codes keep their zeros
    assert df["note"].tolist()[:2] == ["a,b", "c"]  # text with a comma stays text


def test_codes_with_leading_zeros_stay_text_and_numbers_stay_numbers() -> None:
    data = b"zip,amount,flag,count\n02134,0.5,True,0\n10001,-1.25,False,10\n,3,True,\n"
    df = read_table_bytes(data, "codes.csv")
    assert df["zip"].tolist()[:2] == ["02134", "10001"] and pd.isna(df["zip"][2])
    assert df["amount"].tolist() == [0.5, -1.25, 3.0]
    assert df["flag"].tolist() == [True, False, True]
    assert df["count"].tolist()[:2] == [0.0, 10.0]


def test_single_column_csv_reads_as_one_column() -> None:
    df = read_table_bytes(b"only\n1\n2\n", "one.csv")
    assert df.columns.tolist() == ["only"] and df["only"].tolist() == [1, 2]


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet", ".jsonl"])
def test_write_then_read_gives_the_table_back(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"table{suffix}"
    write_table(FRAME, path)
    pd.testing.assert_frame_equal(read_table(path), FRAME)


def test_gzip_and_parquet_are_recognised_by_content(tmp_path: Path) -> None:
    gz = gzip.compress(FRAME.to_csv(index=False).encode())
    pd.testing.assert_frame_equal(read_table_bytes(gz, "blob"), FRAME)
    FRAME.to_parquet(tmp_path / "t.parquet", index=False)
    parquet = (tmp_path / "t.parquet").read_bytes()
    pd.testing.assert_frame_equal(read_table_bytes(parquet, "mislabelled.csv"), FRAME)


def test_dataset_reads_like_plain_pandas() -> None:
    path = DATASETS / "taxis.csv"
    if not path.exists():
        pytest.skip("shared datasets not present")
    pd.testing.assert_frame_equal(read_table(path), pd.read_csv(path))


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "e.csv", "is empty"),
        (b"a,b\n1,2\n3,4,5,6\n", "bad.csv", "not a readable CSV"),
        (b"\x1f\x8bnot really gzip", "x.csv.gz", "damaged gzip"),
        (b"PAR1 garbage", "x.parquet", "not a readable Parquet"),
        (b"{not json}\n", "x.jsonl", "not readable JSON Lines"),
        (b"PK\x03\x04" + bytes(64), "book.xlsx", "Excel workbook.*save the sheet as CSV"),
        (b"\xd0\xcf\x11\xe0" + bytes(64), "old.csv", "Excel workbook"),
        (bytes(range(256)) * 4, "blob.csv", "binary file, not text"),
    ],
)
def test_unreadable_files_raise_data_error(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_table_bytes(data, filename)


def test_missing_file_and_unknown_suffix_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="check the path"):
        read_table(tmp_path / "absent.csv")
    with pytest.raises(DataError, match=r"unknown format; use one of \.csv"):
        write_table(FRAME, tmp_path / "out.xlsx")


def test_parquet_refusing_mixed_types_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="write CSV instead"):
        write_table(pd.DataFrame({"m": [1, "a"]}), tmp_path / "m.parquet")
