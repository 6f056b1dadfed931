"""One intra-op thread for CTGAN tests.

The test machine's few cores are shared by parallel test runs; PyTorch's default of one
spinning OpenMP thread per core then makes small training steps tens of times slower.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _single_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
