"""Uploads built to hurt the service: bombs, huge or ragged tables, odd encodings.

Each is refused with a JSON error that names the limit or the row at fault, and leaves
nothing behind: no dataset or version row, no file in the data dir, stored data unchanged.
"""

from __future__ import annotations

import gzip
import io
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthgen_service.app import create_app
from synthgen_service.dashboard.session import SECRET_FILE
from synthgen_service.ingest import LIMIT_SETTINGS, upload_limits
from synthgen_service.settings import Settings

MiB = 1024 * 1024
STATM = Path("/proc/self/statm")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with small limits, so that small files can cross them."""
    return msgspec.structs.replace(
        settings,
        max_decompressed_bytes=MiB,
        max_upload_rows=1_000,
        max_upload_columns=50,
        max_upload_cells=20_000,
    )


def _files(settings: Settings) -> list[Path]:
    return sorted(path for path in settings.data_dir.rglob("*") if path.is_file())


def _stored(settings: Settings) -> list[Path]:
    """Every file in the data dir but the SQLite database and the session-signing secret."""
    return [
        path
        for path in _files(settings)
        if not path.name.startswith("synthgen.db") and path.name != SECRET_FILE
    ]


async def _nothing_stored(alice: Any, settings: Settings) -> None:
    assert (await alice.get("/api/datasets")).json()["total"] == 0
    assert _stored(settings) == []


def _parquet(rows: int) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": pa.array(np.zeros(rows, dtype=np.int8))}), buffer)
    return buffer.getvalue()


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["extra"][0]["key"] == "file"
    detail: str = body["detail"]
    return detail


async def test_gzip_bomb_is_413_naming_the_setting_and_stores_nothing(alice, settings):
    project_id = await alice.project()
    bomb = gzip.compress(b"\n" * (8 * MiB), compresslevel=9)
    assert len(bomb) < 16 * 1024
    detail = _error(await alice.upload(project_id, bomb, "bomb.csv.gz"), 413)
    assert "decompresses to more than 1,048,576 bytes" in detail
    assert "SYNTHGEN_MAX_DECOMPRESSED_BYTES" in detail
    await _nothing_stored(alice, settings)


async def test_a_refused_new_version_leaves_the_dataset_as_it_was(alice, settings):
    project_id = await alice.project()
    first = await alice.dataset(project_id)
    before = {path: path.read_bytes() for path in _stored(settings)}
    bomb = gzip.compress(b"\n" * (8 * MiB), compresslevel=9)
    response = await alice.post(
        f"/api/datasets/{first['dataset_id']}/versions", files={"file": ("v1.csv.gz", bomb)}
    )
    _error(response, 413)
    detail = (await alice.get(f"/api/datasets/{first['dataset_id']}")).json()
    assert [version["version"] for version in detail["versions"]] == [0]
    assert {path: path.read_bytes() for path in _stored(settings)} == before


async def test_parquet_with_rows_over_the_limit_is_413(alice, settings):
    project_id = await alice.project()
    detail = _error(await alice.upload(project_id, _parquet(5_000), "rows.parquet"), 413)
    assert "more rows than the limit of 1,000" in detail
    assert "SYNTHGEN_MAX_UPLOAD_ROWS" in detail
    await _nothing_stored(alice, settings)


async def test_a_table_over_the_cell_limit_is_413(alice, settings):
    project_id = await alice.project()
    header = ",".join(f"c{i}" for i in range(40))
    content = (header + "\n" + (",".join(["1"] * 40) + "\n") * 600).encode()  # 24,000 cells
    detail = _error(await alice.upload(project_id, content, "cells.csv"), 413)
    assert "more cells (rows x columns) than the limit of 20,000" in detail
    assert "SYNTHGEN_MAX_UPLOAD_CELLS" in detail
    await _nothing_stored(alice, settings)


async def test_a_wide_csv_is_422_naming_its_width_and_refused_fast(alice, settings):
    project_id = await alice.project()
    columns = 20_000
    content = (
        ",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join(["1"] * columns) + "\n"
    ).encode()
    started = time.perf_counter()
    response = await alice.upload(project_id, content, "wide.csv")
    assert time.perf_counter() - started < 10
    detail = _error(response, 422)
    assert "has 20,000 columns, more than the limit of 50" in detail
    assert "SYNTHGEN_MAX_UPLOAD_COLUMNS" in detail
    await _nothing_stored(alice, settings)


async def test_trailing_delimiters_keep_every_column_in_place(alice):
    project_id = await alice.project()
    cities = ["Paris", "Oslo", "Zürich"]
    rows = "".join(f"u{i},{20 + i % 50},{cities[i % 3]},\n" for i in range(60))
    response = await alice.upload(project_id, f"id,age,city\n{rows}".encode(), "trailing.csv")
    assert response.status_code == 201, response.text
    kinds = {column["name"]: column["kind"] for column in response.json()["columns"]}
    assert list(kinds) == ["id", "age", "city"]
    assert kinds["age"] == "numerical" and kinds["city"] == "categorical"
    assert response.json()["row_count"] == 60


async def test_a_row_longer_than_the_header_is_422_naming_it(alice, settings):
    project_id = await alice.project()
    for content, where in [
        (b"id,age,city\nu1,34,Paris,\nu2,35,Oslo,extra\n", "data row 2"),
        (b"id,age,city\nu1,34,Paris\nu2,35,Oslo\nu3,36,Rome,x\n", "line 4 has 4 fields"),
    ]:
        detail = (await alice.upload(project_id, content, "ragged.csv")).json()["detail"]
        assert where in detail and "3 columns of the header" in detail
    await _nothing_stored(alice, settings)


async def test_utf32_with_a_byte_order_mark_is_read(alice, tables):
    project_id = await alice.project()
    content = tables.csv(tables.frame(), encoding="utf-32")
    response = await alice.upload(project_id, content, "unicode.csv")
    assert response.status_code == 201, response.text
    names = [column["name"] for column in response.json()["columns"]]
    assert names == ["age", "city", "income", "member"]
    version = f"/api/datasets/versions/{response.json()['dataset_version_id']}"
    assert (await alice.get(version)).json()["columns"][1]["kind"] == "categorical"


async def test_nul_bytes_past_the_first_64_kib_are_refused_too(alice, settings):
    project_id = await alice.project()
    late = b"a,b\n" + b"1,2\n" * 20_000 + b"3,\x00\n"
    early = b"a,b\n\x00" + b"1,2\n" * 20_000
    for content in (late, early):
        response = await alice.upload(project_id, content, "nul.csv")
        assert response.status_code == 422, response.text
        assert "binary file, not text" in response.json()["detail"]
    await _nothing_stored(alice, settings)


def test_every_limit_has_its_variable():
    for field, (variable, _) in LIMIT_SETTINGS.items():
        assert getattr(upload_limits(Settings.from_env({variable: "7"})), field) == 7


def _rss() -> int:
    pages = int(STATM.read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def _peak_rss_growth() -> Iterator[list[int]]:
    """This process' largest resident-memory growth while the block runs, sampled."""
    base, peak, done = _rss(), [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.005):
            peak[0] = max(peak[0], _rss() - base)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


@pytest.mark.skipif(not STATM.exists(), reason="reads resident memory from /proc")
async def test_bombs_at_the_default_limits_are_refused_in_bounded_memory(settings, serve, caller):
    defaults = Settings()
    at_defaults = msgspec.structs.replace(
        settings,
        max_upload_bytes=8 * MiB,
        max_decompressed_bytes=defaults.max_decompressed_bytes,
        max_upload_rows=defaults.max_upload_rows,
        max_upload_cells=defaults.max_upload_cells,
    )
    member = gzip.compress(b"\n" * (64 * MiB), compresslevel=9)
    gzip_bomb = member * (defaults.max_decompressed_bytes // (64 * MiB) + 1)  # ~2 MB
    parquet_bomb = _parquet(defaults.max_upload_rows + 1)
    app = create_app(at_defaults)
    async with serve(app) as client:
        carol = await caller(app, client, "carol")
        project_id = await carol.project()
        for content, name in [(gzip_bomb, "bomb.csv.gz"), (parquet_bomb, "rows.parquet")]:
            with _peak_rss_growth() as growth:
                response = await carol.upload(project_id, content, name)
            assert response.status_code == 413, response.text
            assert growth[0] < 300 * MiB, f"{name} grew the server by {growth[0] / MiB:.0f} MiB"
        await _nothing_stored(carol, at_defaults)
