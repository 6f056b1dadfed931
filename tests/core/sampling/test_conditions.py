"""Condition validation and the bounded rejection sampler the neural models fall back on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthgen_core.errors import ConditionError
from synthgen_core.metadata import Metadata
from synthgen_core.sampling.conditions import condition_number, validate_conditions
from synthgen_core.sampling.rejection import sample_with_rejection


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame(
        {
            "order_id": [f"O{i:05d}" for i in range(n)],
            "sex": rng.choice([" Female", " Male"], n),
            "grade": rng.choice([1, 2, 3], n),
            "price": np.round(rng.uniform(1, 100, n), 2),
            "age": rng.integers(18, 80, n),
            "paid": rng.random(n) < 0.5,
            "day": pd.Series(
                pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
            ).dt.strftime("%Y-%m-%d"),
            "source": ["web"] * n,
        }
    )


@pytest.fixture(scope="module")
def metadata(table: pd.DataFrame) -> Metadata:
    meta = Metadata.detect(table)
    return meta.update_column("grade", kind="categorical", categories=[1, 2, 3])


def test_values_are_normalised_to_what_the_column_stores(metadata):
    checked = validate_conditions(
        metadata,
        {
            "sex": "female",
            "grade": "2",
            "price": "12.345",
            "age": 30.0,
            "paid": "true",
            "day": "2024-02-01",
            "source": "web",
        },
    )
    assert checked["sex"] == " Female"
    assert checked["grade"] == 2
    assert checked["price"] == 12.35  # rounded to the column's two decimals
    assert checked["age"] == 30
    assert isinstance(checked["age"], int)
    assert checked["paid"] is True
    assert checked["day"] == pd.Timestamp("2024-02-01")
    assert checked["source"] == "web"
    assert validate_conditions(metadata, {"grade": 2.0})["grade"] == 2  # JSON's 2.0 is 2
    assert condition_number(metadata.column("day"), checked["day"]) == pytest.approx(19754.0)


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"colour": "red"}, "unknown column 'colour'; columns: 'order_id'|order_id"),
        ({"order_id": "O00001"}, "id column"),
        ({"sex": "Other"}, "valid values: ' Female', ' Male'"),
        ({"grade": 7}, "not a value of column 'grade'"),
        ({"grade": 2.5}, "not a value of column 'grade'"),
        ({"grade": True}, "not a value of column 'grade'"),
        ({"age": 30.5}, "whole numbers"),
        ({"age": 500}, "outside the range"),
        ({"price": "cheap"}, "give a number"),
        ({"price": True}, "give a number"),
        ({"price": float("inf")}, "finite"),
        ({"day": "2030-01-01"}, "outside the range"),
        ({"day": "not a date"}, "holds datetimes"),
        ({"day": 5}, "holds datetimes"),
        ({"source": "app"}, "not a value of column 'source'"),
        ({"sex": None}, "missing value"),
    ],
)
def test_invalid_conditions_say_what_is_wrong(metadata, conditions, message):
    with pytest.raises(ConditionError, match=message):
        validate_conditions(metadata, conditions)


def test_conditions_must_be_a_mapping(metadata):
    with pytest.raises(ConditionError, match="must map column names"):
        validate_conditions(metadata, [("sex", " Male")])  # type: ignore[arg-type]


class Drawer:
    """A stand-in model: resamples rows of a real table, counting what it was asked for."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self.requested: list[int] = []

    def __call__(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        self.requested.append(n)
        rows = rng.integers(0, len(self.table), n)
        return self.table.iloc[rows].reset_index(drop=True)


def test_rejection_returns_exactly_the_rows_asked_for(table, metadata):
    conditions = validate_conditions(metadata, {"sex": " Male", "grade": 3})
    out = sample_with_rejection(Drawer(table), 500, conditions, metadata, np.random.default_rng(1))
    assert len(out) == 500
    assert (out["sex"] == " Male").all()
    assert (out["grade"] == 3).all()
    assert list(out.index) == list(range(500))


def test_numerical_conditions_accept_a_band_and_then_hold_exactly(table, metadata):
    conditions = validate_conditions(metadata, {"price": 50.0, "day": "2024-02-01"})
    drawer = Drawer(table)
    out = sample_with_rejection(
        drawer, 20, conditions, metadata, np.random.default_rng(2), tolerance=0.2
    )
    assert (out["price"] == 50.0).all()
    assert out["price"].dtype == table["price"].dtype
    assert (out["day"] == "2024-02-01").all()


def test_too_rare_conditions_fail_within_the_budget(table, metadata):
    conditions = validate_conditions(metadata, {"price": 50.0, "sex": " Male"})
    drawer = Drawer(table)
    with pytest.raises(ConditionError, match="too rare for this model.*gaussian_copula"):
        sample_with_rejection(
            drawer,
            1000,
            conditions,
            metadata,
            np.random.default_rng(3),
            tolerance=1e-9,
            max_draw_rows=50_000,
        )
    assert sum(drawer.requested) <= 50_000


def test_no_conditions_is_one_plain_draw(table, metadata):
    drawer = Drawer(table)
    out = sample_with_rejection(drawer, 30, {}, metadata, np.random.default_rng(4))
    assert len(out) == 30
    assert drawer.requested == [30]
