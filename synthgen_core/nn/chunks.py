"""Drawing many rows in chunks: bounded temporaries, one column-major result.

The neural models draw rows in the transposed (D, N) layout (:mod:`synthgen_core.nn.spans`),
the layout of a column-major (N, D) array, which the inverse transform reads fastest
(every column's span is contiguous). On the CPU each chunk is drawn straight into its
place in that array, so no row is copied after it is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch

#: ``draw(out)``: as many rows (rows, D) as ``out`` (D, rows) has columns, written there
#: where it can.
Draw = Callable[[torch.Tensor], torch.Tensor]

#: Floats in one chunk's (D, N) matrix: 16 MiB per matrix, of which drawing holds a few.
#: Large enough that per-chunk overhead vanishes, small enough that a huge request does not
#: hold several copies of itself in memory at once.
CHUNK_FLOATS = 1 << 22


def chunk_rows(width: int) -> int:
    """Rows per chunk for an encoded width of ``width``."""
    return max(1_024, CHUNK_FLOATS // max(width, 1))


def draw_in_chunks(num_rows: int, width: int, draw: Draw) -> np.ndarray:
    """``num_rows`` rows (N, D) of ``draw(out) -> (rows, D)``, a column-major float32 array.

    ``out`` is the chunk's place in the result, a (D, rows) CPU view. A draw on the CPU
    writes its rows there and returns ``out.t()``, so no row is copied; a draw on another
    device returns its own tensor, which is copied in. ``draw`` is called in order with
    chunk sizes that add up to ``num_rows``, so a seeded ``draw`` gives the same rows for
    the same request.
    """
    step = chunk_rows(width)
    result = torch.empty(width, num_rows)  # (D, N): the column-major (N, D) result
    for start in range(0, num_rows, step):
        out = result[:, start : min(start + step, num_rows)]  # (D, rows)
        drawn = draw(out).t()  # (D, rows)
        if drawn.data_ptr() != out.data_ptr() or drawn.stride() != out.stride():
            out.copy_(drawn)
    matrix: np.ndarray = result.numpy().T
    return matrix


def row_blocks(num_rows: int, device: torch.device, cpu_rows: int) -> Iterator[slice]:
    """Slices of ``cpu_rows`` rows on a CPU, one slice of every row elsewhere.

    A network's products over a few hundred rows keep their activations in the core's L2
    cache and ran twice as fast as over thousands; a GPU wants the whole batch at once.
    """
    step = cpu_rows if device.type == "cpu" else max(num_rows, 1)
    for start in range(0, num_rows, step):
        yield slice(start, min(start + step, num_rows))
