"""Every real dataset: detect, fit, transform and back, with nothing lost."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgen_core.metadata import Metadata
from synthgen_core.transform import TableCodec, TableTransformer
from tests.shared_data import DATASETS

FILES = [
    "adult.csv",
    "census.csv.gz",
    "covertype.csv.gz",
    "intrusion.csv.gz",
    "credit_default.csv",
    "taxis.csv",
]

pytestmark = pytest.mark.skipif(not DATASETS.is_dir(), reason="shared datasets not present")


def load(name: str, rows: int | None, **read_options: object) -> pd.DataFrame:
    df: pd.DataFrame = pd.read_csv(DATASETS / name, **read_options)  # type: ignore[call-overload]
    if rows is not None and len(df) > rows:
        df = df.sample(n=rows, random_state=0).reset_index(drop=True)
    return df


def assert_round_trips(df: pd.DataFrame) -> None:
    meta = Metadata.detect(df)
    codec = TableCodec(meta).fit(df)
    pd.testing.assert_frame_equal(codec.decode(codec.encode(df), np.random.default_rng(0)), df)
    transformer = TableTransformer(meta).fit(df)
    matrix = transformer.transform(df)
    assert matrix.shape == (len(df), transformer.layout.width)
    out = transformer.inverse_transform(matrix, np.random.default_rng(0))
    pd.testing.assert_frame_equal(out, df)


@pytest.mark.parametrize("name", FILES)
def test_sample_round_trips_exactly(name: str) -> None:
    assert_round_trips(load(name, rows=2_000))


def test_census_with_na_literals_kept_round_trips() -> None:
    assert_round_trips(load("census.csv.gz", rows=2_000, keep_default_na=False))


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_full_dataset_round_trips_exactly(name: str) -> None:
    assert_round_trips(load(name, rows=None))
