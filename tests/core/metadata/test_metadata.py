"""Metadata: user overrides, JSON round trip, validation against a table."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from synthgen_core.errors import DataError
from synthgen_core.metadata import ColumnKind, ColumnSpec, Metadata
from tests.strategies import frames


@pytest.fixture
def meta() -> Metadata:
    df = pd.DataFrame(
        {
            "age": [20, 30, 40, 50, 61] * 4,
            "city": ["a", "b", "?", "a", "b"] * 4,
            "when": pd.date_range("2020-01-01", periods=20, freq="D"),
        }
    )
    return Metadata.detect(df)


def test_names_and_kind_groups(meta: Metadata) -> None:
    assert meta.names == ["age", "city", "when"]
    assert meta.continuous_columns == ["age", "when"]
    assert meta.discrete_columns == ["city"]
    assert meta.learned_columns == ["age", "city", "when"]


def test_unknown_column_lists_the_real_ones(meta: Metadata) -> None:
    with pytest.raises(DataError, match="unknown column 'agee'.*'age'"):
        meta.column("agee")


def test_kind_override_resets_kind_fields_and_keeps_missing_stats(meta: Metadata) -> None:
    updated = meta.update_column("age", kind="categorical")
    spec = updated.column("age")
    assert spec.kind == ColumnKind.CATEGORICAL
    assert spec.categories is None and spec.min_value is None  # learned again at fit
    assert spec.dtype == "int64"
    assert meta.column("age").kind == ColumnKind.NUMERICAL  # the original is untouched


def test_field_override_keeps_the_kind(meta: Metadata) -> None:
    spec = meta.update_column("age", min_value=0.0, decimals=0).column("age")
    assert (spec.kind, spec.min_value, spec.max_value) == (ColumnKind.NUMERICAL, 0.0, 61.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "prose"}, "unknown kind 'prose'.*numerical"),
        ({"colour": "red"}, r"cannot set \['colour'\]"),
        ({"name": "other"}, r"cannot set \['name'\]"),
        ({"decimals": "two"}, "invalid override for column 'age'"),
        ({"decimals": 40}, "decimals must be within"),
        ({"min_value": 100.0}, "exceeds max_value"),
        ({"missing_rate": 1.5}, "missing_rate"),
        ({"kind": "boolean", "categories": [1, 2, 3]}, "at most 2 categories"),
        ({"categories": []}, "must not be empty"),
        ({"categories": ["a", "a"]}, "must be unique"),
        ({"kind": "datetime", "datetime_format": "no directive"}, "no % directive"),
        ({"kind": "datetime", "datetime_format": "%z %Y-%m-%d"}, "offsets at the end"),
        ({"precision": "weeks"}, "invalid override"),
    ],
)
def test_bad_overrides_raise_data_error(
    meta: Metadata, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        meta.update_column("age", **kwargs)


def test_json_round_trip_is_lossless(meta: Metadata) -> None:
    text = json.dumps(meta.to_dict())
    assert Metadata.from_dict(json.loads(text)) == meta


@settings(max_examples=40, deadline=None)
@given(frames())
def test_json_round_trip_of_any_detected_metadata(df: pd.DataFrame) -> None:
    meta = Metadata.detect(df)
    restored = Metadata.from_dict(json.loads(json.dumps(meta.to_dict())))
    assert restored == meta
    for before, after in zip(meta.columns, restored.columns, strict=True):
        # categories keep their Python types: 1, 1.0, "1" and True stay distinct
        assert [type(c) for c in before.categories or []] == [
            type(c) for c in after.categories or []
        ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"columns": [{"name": "a"}]}, "invalid metadata"),
        (
            {"columns": [{"name": "a", "kind": "numerical", "dtype": "int64", "extra": 1}]},
            "invalid metadata",
        ),
        ({"columns": [{"name": "a", "kind": "numerical", "dtype": "int64"}] * 2}, "more than once"),
        (
            {
                "columns": [
                    {
                        "name": "a",
                        "kind": "numerical",
                        "dtype": "int64",
                        "min_value": 2.0,
                        "max_value": 1.0,
                    }
                ]
            },
            "exceeds max_value",
        ),
    ],
)
def test_from_dict_refuses_invalid_metadata(data: dict[str, object], message: str) -> None:
    with pytest.raises(DataError, match=message):
        Metadata.from_dict(data)


def test_validate_accepts_the_same_columns_in_any_order(meta: Metadata) -> None:
    df = pd.DataFrame({"when": pd.date_range("2020", periods=2), "city": ["a", "b"], "age": [1, 2]})
    meta.validate(df)


def test_validate_names_missing_and_extra_columns(meta: Metadata) -> None:
    with pytest.raises(DataError, match="lacks column.*'when'"):
        meta.validate(pd.DataFrame({"age": [1], "city": ["a"]}))
    with pytest.raises(DataError, match="'zip' that the metadata does not describe"):
        meta.validate(pd.DataFrame({"age": [1], "city": ["a"], "when": [np.nan], "zip": [1]}))


def test_column_spec_is_a_strict_struct() -> None:
    spec = ColumnSpec(name="a", kind=ColumnKind.NUMERICAL, dtype="float64")
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**msgspec.to_builtins(spec), "bogus": 1}, ColumnSpec)
