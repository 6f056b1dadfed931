import pytest

from synthgen_core.transform.layout import Layout
from tests.core.layouts import make_layout


@pytest.fixture
def mixed_layout() -> Layout:
    """A continuous column with 3 modes and missing values, two categoricals, a scalar."""
    return make_layout(
        ("value", 1), ("mode", 3), ("missing", 2), ("category", 4), ("category", 3), ("value", 1)
    )
