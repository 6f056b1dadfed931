"""High-cardinality categoricals: detection, bounded codes, real levels back, every model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synthgen_core as sg
from synthgen_core.kinds.high_cardinality import (
    BUCKETS,
    HEAD,
    MIN_LEVELS,
    draw_levels,
    group_levels,
    level_codes,
    to_codes,
)
from synthgen_core.metadata import ColumnKind, Metadata
from synthgen_core.models import registry
from synthgen_core.transform.codec import TableCodec

#: Options that make any neural model train in a blink; only those a type accepts are used.
TINY = {
    "epochs": 1,
    "max_epochs": 1,
    "batch_size": 100,
    "device": "cpu",
    "embedding_dim": 16,
    "generator_dim": [32],
    "discriminator_dim": [32],
    "compress_dims": [32],
    "decompress_dims": [32],
    "width": 16,
    "depth": 1,
    "heads": 2,
}
MODEL_TYPES = [info.id for info in registry.model_types()]


def zipf_levels(n_rows: int, n_levels: int, seed: int = 0, prefix: str = "shop ") -> pd.Series:
    """Every level at least once, the rest Zipf-distributed."""
    rng = np.random.default_rng(seed)
    weights = np.arange(1, n_levels + 1, dtype=np.float64) ** -1.2
    rank = rng.choice(n_levels, n_rows, p=weights / weights.sum())
    rank[rng.permutation(n_rows)[:n_levels]] = np.arange(n_levels)
    return pd.Series([f"{prefix}{k:05d}" for k in rank], dtype=object)


def shop_table(n_rows: int = 2_000, n_levels: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    shop = zipf_levels(n_rows, n_levels, seed)
    return pd.DataFrame(
        {
            "shop": shop,
            "amount": rng.gamma(2.0, 30.0, n_rows).round(2),
            "channel": rng.choice(["web", "store", "phone"], n_rows),
        }
    )


# -- detection ---------------------------------------------------------------------------


def test_many_levels_are_detected_as_high_cardinality() -> None:
    table = shop_table()
    assert Metadata.detect(table).column("shop").kind == ColumnKind.HIGH_CARDINALITY


def test_zip_codes_with_leading_zeros_stay_text() -> None:
    rng = np.random.default_rng(3)
    codes = rng.choice(np.arange(500, 99_999), 700, replace=False)
    zips = pd.Series([f"{c:05d}" for c in rng.choice(codes, 3_000)], dtype=object)
    spec = Metadata.detect(pd.DataFrame({"zip": zips})).column("zip")
    assert spec.kind == ColumnKind.HIGH_CARDINALITY
    assert spec.categories is not None
    assert set(spec.categories) == set(zips)  # "00731" kept as written, not a number


def test_pandas_category_with_many_levels_is_high_cardinality() -> None:
    table = pd.DataFrame({"shop": shop_table()["shop"].astype("category")})
    assert Metadata.detect(table).column("shop").kind == ColumnKind.HIGH_CARDINALITY


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        # at the threshold a one-hot is still affordable: categorical
        (zipf_levels(2_000, MIN_LEVELS), ColumnKind.CATEGORICAL),
        # more distinct values than half the rows: free text, never copied
        (pd.Series([f"note {i}" for i in range(1_000)] + ["x"] * 100), ColumnKind.TEXT),
        # many distinct plain numbers are numbers
        (pd.Series(np.arange(3_000) % 900 + 10_000).astype(str), ColumnKind.NUMERICAL),
        (pd.Series(np.arange(3_000) % 900 + 10_000), ColumnKind.NUMERICAL),
    ],
)
def test_other_columns_keep_their_kind(values: pd.Series, kind: ColumnKind) -> None:
    assert Metadata.detect(pd.DataFrame({"column": values})).column("column").kind == kind


def test_users_can_choose_the_kind_either_way() -> None:
    table = shop_table()
    detected = Metadata.detect(table)
    plain = detected.update_column("shop", kind="categorical")
    assert plain.column("shop").kind == ColumnKind.CATEGORICAL
    small = pd.DataFrame({"colour": ["red", "green", "blue"] * 50})
    forced = Metadata.detect(small).update_column("colour", kind="high_cardinality")
    codec = TableCodec(forced).fit(small)
    decoded = codec.decode(codec.encode(small), np.random.default_rng(0))
    pd.testing.assert_frame_equal(decoded, small)  # few levels: one code each, exact


# -- codes ---------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(0, 500), min_size=1, max_size=400),
    head=st.integers(0, 20),
    buckets=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_codes_round_trip_to_real_levels_of_the_same_code(
    counts: list[int], head: int, buckets: int, seed: int
) -> None:
    counts_array = np.asarray(counts, dtype=np.int64)
    codes = group_levels(counts_array, head, buckets)
    assert codes.max() + 1 <= min(len(counts), head + buckets)
    assert set(codes.tolist()) == set(range(codes.max() + 1))  # dense
    levels = level_codes(counts_array, codes)
    rng = np.random.default_rng(seed)
    positions = np.append(rng.integers(0, len(counts), 300), len(counts))  # missing last
    coarse = to_codes(levels, positions)
    drawn = draw_levels(levels, coarse, rng)
    assert drawn[-1] == len(counts)  # missing stays missing
    assert np.array_equal(codes[drawn[:-1]], coarse[:-1])
    seen_code = np.bincount(codes, weights=counts_array)[codes[drawn[:-1]]] > 0
    assert (counts_array[drawn[:-1]][seen_code] > 0).all()  # unseen levels never drawn


def test_a_code_draws_its_levels_in_proportion_to_their_counts() -> None:
    counts = np.array([60, 30, 0, 10], dtype=np.int64)
    levels = level_codes(counts, np.zeros(4, dtype=np.int64))  # one code for all four
    drawn = draw_levels(levels, np.zeros(100_000, dtype=np.int64), np.random.default_rng(0))
    shares = np.bincount(drawn, minlength=4) / len(drawn)
    np.testing.assert_allclose(shares, [0.6, 0.3, 0.0, 0.1], atol=0.01)


def test_decoded_levels_keep_the_training_frequencies() -> None:
    column = zipf_levels(200_000, 15_000)
    table = pd.DataFrame({"shop": column})
    codec = TableCodec(Metadata.detect(table)).fit(table)
    info = codec.discrete_info("shop")
    assert info.n_codes <= HEAD + BUCKETS + 1
    decoded = codec.decode(codec.encode(table), np.random.default_rng(1))["shop"]
    assert decoded.isin(set(column)).all()
    real = column.value_counts(normalize=True)
    synthetic = decoded.value_counts(normalize=True).reindex(real.index, fill_value=0.0)
    assert 0.5 * np.abs(real - synthetic).sum() < 0.05  # total variation distance
    head = real.index[:HEAD]  # frequent levels keep their own code: rows keep them exactly
    rows = column.isin(head).to_numpy()
    assert (decoded[rows] == column[rows]).all()


def test_missing_cells_get_their_own_code() -> None:
    table = shop_table()
    table.loc[::7, "shop"] = None
    codec = TableCodec(Metadata.detect(table)).fit(table)
    info = codec.discrete_info("shop")
    assert info.has_missing and info.n_codes <= HEAD + BUCKETS + 1
    decoded = codec.decode(codec.encode(table), np.random.default_rng(0))
    assert decoded["shop"].isna().sum() == table["shop"].isna().sum()


# -- models ----------------------------------------------------------------------------------


def _fit(model_type: str, table: pd.DataFrame) -> Any:
    fields = registry.model_class(model_type).config_type.__struct_fields__
    options = {key: value for key, value in TINY.items() if key in fields}
    return sg.create(model_type, seed=0, **options).fit(table)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return shop_table()


@pytest.mark.parametrize("model_type", MODEL_TYPES)
def test_every_model_samples_only_real_levels(model_type: str, table: pd.DataFrame) -> None:
    model = _fit(model_type, table)
    assert model.metadata_.column("shop").kind == ColumnKind.HIGH_CARDINALITY
    sample = model.sample(500, seed=1)
    assert sample["shop"].isin(set(table["shop"])).all()
    assert sample["shop"].nunique() > 20


@pytest.mark.parametrize("model_type", MODEL_TYPES)
def test_a_condition_on_a_tail_level_gives_exactly_it(model_type: str, table: pd.DataFrame) -> None:
    rare = table["shop"].value_counts().index[-1]
    sample = _fit(model_type, table).sample(50, seed=2, conditions={"shop": rare})
    assert (sample["shop"] == rare).all()


@pytest.mark.parametrize("model_type", MODEL_TYPES)
def test_save_and_load_give_the_same_rows(
    model_type: str, table: pd.DataFrame, tmp_path: Path
) -> None:
    model = _fit(model_type, table)
    model.save(tmp_path / "model.sgm")
    loaded = sg.load(tmp_path / "model.sgm")
    pd.testing.assert_frame_equal(loaded.sample(200, seed=3), model.sample(200, seed=3))


def test_a_rare_level_among_thousands_is_reached_through_its_code() -> None:
    """Rejection sampling accepts rows of the level's code, then writes the level itself."""
    table = shop_table(n_rows=20_000, n_levels=5_000)
    rare = table["shop"].value_counts().index[-1]  # one row in 20,000
    sample = _fit("tvae", table).sample(50, seed=5, conditions={"shop": rare})
    assert (sample["shop"] == rare).all()
    assert sample["channel"].isin(["web", "store", "phone"]).all()


def test_the_gaussian_copula_keeps_every_levels_frequency() -> None:
    table = shop_table(n_rows=50_000, n_levels=3_000)
    sample = sg.create("gaussian_copula", seed=0).fit(table).sample(50_000, seed=1)
    real = table["shop"].value_counts(normalize=True)
    resampled = table["shop"].sample(50_000, replace=True, random_state=2)

    def distance(values: pd.Series) -> float:
        shares = values.value_counts(normalize=True).reindex(real.index, fill_value=0.0)
        return float(0.5 * np.abs(real - shares).sum())

    # as close to the real shares as 50,000 rows drawn from the real ones
    assert distance(sample["shop"]) < distance(resampled) + 0.005
