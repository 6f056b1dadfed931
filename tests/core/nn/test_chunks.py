"""Chunked drawing: the rows of one big draw, column-major, whatever the chunk size."""

import numpy as np
import pytest
import torch

from synthgen_core.nn import chunks
from synthgen_core.nn.chunks import chunk_rows, draw_in_chunks, row_blocks


def _counting_draw(width: int) -> tuple[list[int], object]:
    calls: list[int] = []
    generator = torch.Generator().manual_seed(0)

    def draw(out: torch.Tensor) -> torch.Tensor:
        assert out.shape[0] == width
        rows = out.shape[1]
        calls.append(rows)
        return torch.rand(width, rows, generator=generator).t()  # (rows, D) view of (D, rows)

    return calls, draw


@pytest.mark.parametrize("num_rows", [0, 1, 1_024, 3_000])
def test_rows_come_column_major_in_request_order(
    num_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_FLOATS", 5 * 1_024)  # 1,024-row chunks at width 5
    calls, draw = _counting_draw(5)
    matrix = draw_in_chunks(num_rows, 5, draw)  # type: ignore[arg-type]
    assert matrix.shape == (num_rows, 5)
    assert matrix.dtype == np.float32
    assert matrix.flags.f_contiguous
    assert sum(calls) == num_rows
    assert all(rows <= 1_024 for rows in calls)
    replay = torch.Generator().manual_seed(0)
    parts = [torch.rand(5, rows, generator=replay).t().numpy() for rows in calls]
    np.testing.assert_array_equal(matrix, np.concatenate(parts) if parts else matrix)


def test_a_draw_that_writes_in_place_lands_where_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "CHUNK_FLOATS", 3 * 1_024)  # 1,024-row chunks at width 3
    sizes: list[int] = []

    def draw(out: torch.Tensor) -> torch.Tensor:
        rows = out.shape[1]
        first = sum(sizes)
        sizes.append(rows)
        torch.arange(first, first + rows, out=out[0])  # row numbers, written in place
        out[1:] = -1.0
        return out.t()

    matrix = draw_in_chunks(2_500, 3, draw)
    assert sizes == [1_024, 1_024, 452]
    np.testing.assert_array_equal(matrix[:, 0], np.arange(2_500))
    assert (matrix[:, 1:] == -1.0).all()


def test_chunks_shrink_as_the_encoding_widens() -> None:
    assert chunk_rows(1) > chunk_rows(100) > chunk_rows(10_000) >= 1_024
    assert chunk_rows(0) == chunk_rows(1)


def test_row_blocks_cover_every_row_once_in_order() -> None:
    blocks = list(row_blocks(1_000, torch.device("cpu"), 256))
    assert [(b.start, b.stop) for b in blocks] == [(0, 256), (256, 512), (512, 768), (768, 1_000)]
    assert list(row_blocks(0, torch.device("cpu"), 256)) == []
    assert list(row_blocks(1_000, torch.device("meta"), 256)) == [slice(0, 1_000)]  # not a CPU
