from __future__ import annotations

import pandas as pd
import pytest

from synthgen_core.metadata import Metadata
from synthgen_service.conditions import check_conditions
from synthgen_service.errors import InvalidField


@pytest.fixture
def metadata() -> dict:
    rows = 120
    frame = pd.DataFrame(
        {
            "order_id": [f"C{index:05d}" for index in range(rows)],
            "amount": [float(index % 40) + 0.5 for index in range(rows)],
            "day": pd.date_range("2024-01-01", periods=rows, freq="D").strftime("%Y-%m-%d"),
            "channel": ["web", "shop", "phone"] * (rows // 3),
            "country": ["CH"] * rows,
        }
    )
    return Metadata.detect(frame).to_dict()


def test_values_matching_the_columns_pass(metadata):
    check_conditions(
        {"amount": 10, "day": "2024-02-01", "channel": "web", "country": "CH"}, metadata
    )


@pytest.mark.parametrize(
    ("conditions", "fragment"),
    [
        ({"nope": 1}, "unknown column"),
        ({"order_id": "C00001"}, "id columns"),
        ({"amount": "ten"}, "numerical"),
        ({"amount": True}, "numerical"),
        ({"amount": 10_000}, "outside the range"),
        ({"day": 20240101}, "ISO 8601"),
        ({"day": "the first of May"}, "cannot parse"),
        ({"channel": "fax"}, "categories"),
        ({"country": "DE"}, "single value"),
        ({"channel": None}, "scalar"),
    ],
)
def test_each_impossible_condition_names_its_column(metadata, conditions, fragment):
    with pytest.raises(InvalidField, match=fragment) as caught:
        check_conditions(conditions, metadata)
    (column,) = conditions
    assert caught.value.key == f"conditions.{column}"
