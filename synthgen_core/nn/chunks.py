"""Drawing many rows in chunks: bounded temporaries, one column-major result.

The neural models draw rows in the transposed (D, N) layout (:mod:`synthgen_core.nn.spans`),
so a chunk arrives as a column-major (N, D) array, the layout that the inverse transform
reads fastest (every column's span is contiguous). A request that fits one chunk is returned
as that array, without a copy; a larger one is assembled column-major too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch

#: Floats in one chunk's (D, N) matrix: 16 MiB per matrix, of which drawing holds a few.
#: Large enough that per-chunk overhead vanishes, small enough that a huge request does not
#: hold several copies of itself in memory at once.
CHUNK_FLOATS = 1 << 22


def chunk_rows(width: int) -> int:
    """Rows per chunk for an encoded width of ``width``."""
    return max(1_024, CHUNK_FLOATS // max(width, 1))


def draw_in_chunks(num_rows: int, width: int, draw: Callable[[int], torch.Tensor]) -> np.ndarray:
    """``num_rows`` rows (N, D) of ``draw(rows) -> (rows, D)``, as a column-major float32 array.

    ``draw`` is called in order with chunk sizes that add up to ``num_rows``, so a seeded
    ``draw`` gives the same rows for the same request.
    """
    step = chunk_rows(width)
    if num_rows <= step:
        single: np.ndarray = draw(num_rows).cpu().numpy()
        return single
    matrix = np.empty((width, num_rows), dtype=np.float32).T  # column-major (N, D)
    for start in range(0, num_rows, step):
        rows = min(step, num_rows - start)
        matrix[start : start + rows] = draw(rows).cpu().numpy()
    return matrix


def row_blocks(num_rows: int, device: torch.device, cpu_rows: int) -> Iterator[slice]:
    """Slices of ``cpu_rows`` rows on a CPU, one slice of every row elsewhere.

    A network's products over a few hundred rows keep their activations in the core's L2
    cache and ran twice as fast as over thousands; a GPU wants the whole batch at once.
    """
    step = cpu_rows if device.type == "cpu" else max(num_rows, 1)
    for start in range(0, num_rows, step):
        yield slice(start, min(start + step, num_rows))
