from collections.abc import Iterator

import pytest
import torch

from synthgen_core.transform.layout import Layout

from .layouts import make_layout


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """These networks are tiny: intra-op threads only contend with other jobs on the CPU."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def mixed_layout() -> Layout:
    """A continuous column with 3 modes and missing values, two categoricals, a scalar."""
    return make_layout(
        ("value", 1), ("mode", 3), ("missing", 2), ("category", 4), ("category", 3), ("value", 1)
    )
