"""TVAE on every shared real dataset, subsampled: each one's quirks survive a fit and a sample."""

import pandas as pd
import pytest

from synthgen_core.models.tvae.model import TVAE
from tests.shared_data import DATASETS

FILES = sorted(path.name for path in DATASETS.glob("*.csv*")) if DATASETS.is_dir() else []
ROWS = 1000


@pytest.mark.skipif(not FILES, reason="the shared datasets are not on this machine")
@pytest.mark.parametrize("name", FILES)
def test_fit_and_sample_a_real_dataset(name: str) -> None:
    data = pd.read_csv(DATASETS / name)
    data = data.sample(n=min(ROWS, len(data)), random_state=0).reset_index(drop=True)
    model = TVAE(
        epochs=1,
        batch_size=250,
        embedding_dim=16,
        compress_dims=[32],
        decompress_dims=[32],
        seed=0,
    ).fit(data)
    assert len(model.loss_history) == 1
    sample = model.sample(300, seed=0)
    assert list(sample.columns) == list(data.columns)
    assert sample.dtypes.equals(data.dtypes)
    assert len(sample) == 300
    for column in model.metadata_.discrete_columns:
        seen = set(data[column].dropna())
        assert set(sample[column].dropna()) <= seen, column
