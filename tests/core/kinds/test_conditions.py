"""Conditions per kind: what each kind accepts, what it refuses (naming the column), the code a
model fixes for it, and the exact value written after decoding."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthgen_core.errors import ConditionError
from synthgen_core.kinds import kind_of
from synthgen_core.metadata import ColumnKind, Metadata
from synthgen_core.sampling.conditions import category_code, set_exact_values
from synthgen_core.transform import TableCodec

N = 60


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "order_id": np.arange(1000, 1000 + N),
            "sex": rng.choice([" Female", " Male"], N),
            "price": np.round(rng.uniform(1, 100, N), 2),
            "age": rng.integers(18, 80, N),
            "paid": rng.random(N) < 0.5,
            "day": pd.Series(
                pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, N), unit="D")
            ).dt.strftime("%Y-%m-%d"),
            "seen": pd.Series(pd.date_range("2024-01-01", periods=N, freq="h", tz="Europe/Paris")),
            "source": ["web"] * N,
        }
    )


@pytest.fixture(scope="module")
def codec(table: pd.DataFrame) -> TableCodec:
    return TableCodec(Metadata.detect(table)).fit(table)


@pytest.mark.parametrize(
    ("column", "given", "expected"),
    [
        ("sex", "female", " Female"),
        ("sex", " Male", " Male"),
        ("paid", "TRUE", True),
        ("price", "12.345", 12.35),
        ("age", 30.0, 30),
        ("day", "2024-02-01", pd.Timestamp("2024-02-01")),
        ("source", "WEB", "web"),
    ],
)
def test_each_kind_normalises_a_value_to_what_the_column_stores(
    codec: TableCodec, column: str, given: Any, expected: Any
) -> None:
    spec = codec.metadata_.column(column)
    value = kind_of(spec).normalise(spec, given)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("column", "given", "fragment"),
    [
        ("order_id", 1001, "ids are regenerated"),
        ("sex", "other", "valid values: ' Female', ' Male'"),
        ("age", 30.5, "whole numbers"),
        ("age", 200, "outside the range"),
        ("price", "cheap", "give a number"),
        ("day", "2030-01-01", "outside the range the model learned (2024-01-01"),
        ("day", "not a day", "give one like '%Y-%m-%d'"),
        ("source", "shop", "not a value of column 'source'"),
    ],
)
def test_each_kind_refuses_what_no_model_can_honour(
    codec: TableCodec, column: str, given: Any, fragment: str
) -> None:
    spec = codec.metadata_.column(column)
    with pytest.raises(ConditionError, match=column) as raised:
        kind_of(spec).normalise(spec, given)
    assert fragment in str(raised.value)


@pytest.mark.parametrize("column", ["sex", "paid"])
def test_the_code_a_model_fixes_is_the_code_of_the_rows_holding_the_value(
    codec: TableCodec, table: pd.DataFrame, column: str
) -> None:
    spec = codec.metadata_.column(column)
    codes = codec.encode(table).discrete[column]
    for position, held in enumerate(table[column]):
        value = kind_of(spec).normalise(spec, held.item() if isinstance(held, np.generic) else held)
        assert codec.condition_code(column, value) == codes[position]
        assert category_code(spec, value, codec.discrete_info(column)) == codes[position]


def test_continuous_columns_have_no_code(codec: TableCodec) -> None:
    with pytest.raises(ConditionError, match="'age' is not a discrete column"):
        codec.condition_code("age", 30)


def test_exact_values_are_written_as_each_column_holds_them(
    codec: TableCodec, table: pd.DataFrame
) -> None:
    meta = codec.metadata_
    drawn = codec.decode(codec.encode(table), np.random.default_rng(0))
    drawn.index = pd.RangeIndex(5, 5 + N)  # a sampler's batch: the index is reset
    conditions = {
        name: kind_of(meta.column(name)).normalise(meta.column(name), given)
        for name, given in {
            "price": "12.5",
            "day": "2024-02-01",
            "seen": "2024-01-02 10:00:00",
            "source": "web",
            "sex": "male",
        }.items()
    }
    out = set_exact_values(drawn, meta, conditions)
    assert list(out.index) == list(range(N))
    assert (out["price"] == 12.5).all() and out["price"].dtype == table["price"].dtype
    assert (out["day"] == "2024-02-01").all()  # text in the column's own format
    assert (out["seen"] == pd.Timestamp("2024-01-02 11:00:00", tz="Europe/Paris")).all()
    assert out["seen"].dtype == table["seen"].dtype
    assert (out["source"] == "web").all()
    # a category is fixed by its code, so the rows are left as the model drew them
    pd.testing.assert_series_equal(out["sex"], drawn["sex"].reset_index(drop=True))
    assert meta.column("sex").kind == ColumnKind.CATEGORICAL
