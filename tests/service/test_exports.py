"""Exports read the stored table chunk by chunk and still write what a whole-file read writes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from synthgen_core.io.tables import read_table, write_table
from synthgen_service.exports import ExportFormat, convert
from synthgen_service.table_chunks import CsvChunks, Opener, ParquetChunks, rows_per_chunk

ROWS = 40
#: Seven rows a chunk: the cells below that change a column's type sit in later chunks.
CHUNK_ROWS = 7


def _tricky_frame() -> pd.DataFrame:
    """Columns whose whole-file type only shows in a late chunk, as the worker writes them."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "count": rng.integers(0, 100, ROWS).astype(object),
            "flag": rng.choice([True, False], ROWS).astype(object),
            "note": pd.Series([None] * 10 + ["ok"] * (ROWS - 10), dtype=object),
            "zip": rng.integers(10_000, 99_999, ROWS).astype(str).astype(object),
            "code": rng.integers(0, 9, ROWS).astype(object),
            "blank": [None] * ROWS,
            "income": rng.normal(50_000, 9_000, ROWS).round(2),
            "city": rng.choice(["Zürich", 'say "hi", twice', "two\nlines"], ROWS),
            "label": rng.choice(["=SUM(A1)", "-3.5", "+x", "@cmd", "plain", "-"], ROWS),
        }
    )
    frame.loc[35, "count"] = None  # integers until the last chunk: the column is float
    frame.loc[38, "flag"] = None  # booleans with one blank: True/False/NaN objects
    frame.loc[30, "zip"] = "02134"  # a leading zero keeps the whole column as text
    frame.loc[33, "code"] = "n/a-code"  # numbers, then text: the column is text
    return frame


def _opener(path: Path) -> Opener:
    """How exports read a stored table: a new binary stream per pass."""

    def open_binary() -> IO[bytes]:
        return path.open("rb")

    return open_binary


def _convert(source: Path, target: Path, fmt: ExportFormat, **options: Any) -> None:
    """Convert ``source`` into the file ``target``, as exports do through a store writer."""
    from_csv = source.suffix == ".csv"
    with target.open("wb") as out:
        convert(_opener(source), out, fmt, from_csv=from_csv, **options)


@pytest.fixture
def stored_csv(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    _tricky_frame().to_csv(path, index=False)
    return path


def _one_shot(source: Path, fmt: ExportFormat, tmp_path: Path) -> Path:
    """What exports wrote when they read the whole table at once."""
    target = tmp_path / f"whole.{fmt}"
    write_table(read_table(source), target)
    return target


def test_csv_chunks_have_the_whole_file_types(stored_csv):
    chunks = list(CsvChunks(_opener(stored_csv), rows=CHUNK_ROWS))
    assert len(chunks) == -(-ROWS // CHUNK_ROWS)
    whole = read_table(stored_csv)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    assert whole["zip"].iloc[30] == "02134"
    assert whole["count"].dtype == "float64"


def test_chunked_json_lines_are_byte_identical_to_a_whole_file_export(stored_csv, tmp_path):
    target = tmp_path / "chunked.jsonl"
    assert rows_per_chunk(_opener(stored_csv), chunk_bytes=400) < ROWS / 3
    _convert(stored_csv, target, ExportFormat.JSONL, chunk_bytes=400)
    expected = _one_shot(stored_csv, ExportFormat.JSONL, tmp_path).read_bytes()
    assert target.read_bytes() == expected


def test_chunked_parquet_holds_the_whole_file_table(stored_csv, tmp_path):
    target = tmp_path / "chunked.parquet"
    _convert(stored_csv, target, ExportFormat.PARQUET, chunk_bytes=400)
    expected = _one_shot(stored_csv, ExportFormat.PARQUET, tmp_path)
    assert pq.ParquetFile(target).num_row_groups > 1  # written chunk by chunk
    assert pq.read_schema(target).remove_metadata() == pq.read_schema(expected).remove_metadata()
    pd.testing.assert_frame_equal(pd.read_parquet(target), pd.read_parquet(expected))


def test_parquet_sources_convert_chunk_by_chunk_too(tmp_path):
    source = tmp_path / "data.parquet"
    frame = pd.DataFrame(
        {
            "n": pd.array([1, 2, 3, 4, 5, None], dtype="float64"),
            "flag": [True, False, True, True, False, None],
            "city": ["Oslo", "Paris", None, "Oslo", "=1+1", "Zürich"],
        }
    )
    pq.write_table(
        pq.read_table(io.BytesIO(frame.to_parquet(index=False))), source, row_group_size=2
    )
    chunks = list(ParquetChunks(_opener(source), rows=2))
    assert len(chunks) == 3
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), pd.read_parquet(source))
    for fmt in (ExportFormat.CSV, ExportFormat.JSONL):
        target = tmp_path / f"chunked.{fmt}"
        _convert(source, target, fmt, chunk_bytes=1)
        assert target.read_bytes() == _one_shot(source, fmt, tmp_path).read_bytes()


def test_formula_safe_csv_quotes_formulas_only(stored_csv, tmp_path):
    target = tmp_path / "safe.csv"
    _convert(stored_csv, target, ExportFormat.CSV, formula_safe=True, chunk_bytes=400)
    with target.open(encoding="utf-8", newline="") as handle:
        safe = list(csv.reader(handle))
    with stored_csv.open(encoding="utf-8", newline="") as handle:
        stored = list(csv.reader(handle))
    assert len(safe) == len(stored) == ROWS + 1
    label = stored[0].index("label")
    expected = {"=SUM(A1)": "'=SUM(A1)", "+x": "'+x", "@cmd": "'@cmd", "-": "'-"}
    for before, after in zip(stored[1:], safe[1:], strict=True):
        assert after[label] == expected.get(before[label], before[label])
        assert after[:label] + after[label + 1 :] == before[:label] + before[label + 1 :]
    assert "-3.5" in {row[label] for row in safe}  # a number is left alone


def test_formula_safe_csv_changes_nothing_else(tmp_path):
    source = tmp_path / "data.csv"
    frame = pd.DataFrame({"=evil": [-3.5, 2.0], "city": ['a "b", c', "two\nlines"]})
    frame.to_csv(source, index=False)
    target = tmp_path / "safe.csv"
    _convert(source, target, ExportFormat.CSV, formula_safe=True)
    assert target.read_bytes() == source.read_bytes().replace(b"=evil", b"'=evil", 1)


_MEASURE = textwrap.dedent(
    """
    import functools
    import sys
    from pathlib import Path
    from synthgen_service.exports import ExportFormat, convert

    def kib(field):
        status = Path("/proc/self/status").read_text().splitlines()
        return int(next(line for line in status if line.startswith(field)).split()[1])

    source = Path(sys.argv[1])
    for fmt in (ExportFormat.JSONL, ExportFormat.PARQUET):
        Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) restarts from here
        before = kib("VmRSS:")
        with source.with_name(f"out.{fmt}").open("wb") as out:
            convert(functools.partial(source.open, "rb"), out, fmt, chunk_bytes=1024 * 1024)
        print((kib("VmHWM:") - before) * 1024)
    """
)


def _peak_growth(source: Path) -> list[int]:
    """Peak RSS growth of a JSON Lines and a Parquet export, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(source)],
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
        cwd=Path(__file__).parents[2],
    )
    return [int(line) for line in result.stdout.split()]


@pytest.mark.slow
def test_export_memory_stays_flat_in_the_row_count(tmp_path):
    rows = 400_000
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 90, rows),
            "city": rng.choice(["Zürich", "Paris", "Oslo", "Lisbon"], rows),
            "income": rng.normal(50_000, 12_000, rows).round(2),
            "member": rng.choice([True, False], rows),
            "code": rng.integers(0, 10**6, rows).astype(str),
        }
    )
    (tmp_path / "small").mkdir()
    (tmp_path / "large").mkdir()
    frame.iloc[: rows // 4].to_csv(tmp_path / "small" / "data.csv", index=False)
    frame.to_csv(tmp_path / "large" / "data.csv", index=False)
    small = _peak_growth(tmp_path / "small" / "data.csv")
    large = _peak_growth(tmp_path / "large" / "data.csv")
    # Read whole, 300,000 more rows cost over 100 MB more; in chunks of 1 MB of text,
    # the peak barely moves.
    for fmt, before, after in zip(("jsonl", "parquet"), small, large, strict=True):
        assert after - before < 32 * 2**20, (fmt, before, after)
        assert after < 128 * 2**20, (fmt, before, after)
