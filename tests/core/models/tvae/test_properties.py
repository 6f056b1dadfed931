"""TVAE over generated tables with every column kind and missing-value style."""

from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings

from synthgen_core.models.tvae.model import TVAE
from tests.strategies import ID_COLUMNS, frames, maker_of

TINY: dict[str, Any] = {
    "epochs": 1,
    "embedding_dim": 4,
    "compress_dims": [8],
    "decompress_dims": [8],
}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(min_rows=5, max_rows=40))
def test_any_table_fits_and_samples_with_its_columns_and_dtypes(table: pd.DataFrame) -> None:
    model = TVAE(seed=0, batch_size=16, **TINY).fit(table)
    sample = model.sample(12, seed=0)
    assert list(sample.columns) == list(table.columns)
    assert sample.dtypes.equals(table.dtypes)
    for column in table.columns:
        if maker_of(column) in ID_COLUMNS:
            assert sample[column].is_unique
