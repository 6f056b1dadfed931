"""Ordered categoricals: detected, kept through JSON, declarable, refused where meaningless."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthgen_core.errors import DataError
from synthgen_core.metadata import Metadata
from synthgen_core.transform import EncodedTable, TableCodec

GRADES = ["low", "mid", "high"]


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "grade": pd.Categorical(["mid", "low", "high", "mid"] * 5, GRADES, ordered=True),
            "colour": pd.Categorical(["red", "blue", "red", "red"] * 5),
            "plan": ["pro", "basic", "pro", "basic"] * 5,
        }
    )


def test_detection_keeps_order_and_orderedness() -> None:
    meta = Metadata.detect(table())
    grade, colour = meta.column("grade"), meta.column("colour")
    assert (grade.dtype, grade.categories, grade.ordered) == ("category", GRADES, True)
    assert (colour.categories, colour.ordered) == (["blue", "red"], False)
    assert not meta.column("plan").ordered


def test_ordered_survives_to_dict_and_from_dict() -> None:
    meta = Metadata.detect(table())
    data = meta.to_dict()
    assert data["columns"][0]["ordered"] is True
    assert Metadata.from_dict(data) == meta


def test_metadata_without_the_field_reads_as_unordered() -> None:
    data = Metadata.detect(table()).to_dict()
    for column in data["columns"]:
        column.pop("ordered")
    assert not Metadata.from_dict(data).column("grade").ordered


def test_a_text_column_can_be_declared_ordered() -> None:
    df = table()
    meta = Metadata.detect(df).update_column(
        "plan", dtype="category", categories=["basic", "pro"], ordered=True
    )
    codec = TableCodec(meta).fit(df)
    out = codec.decode(
        EncodedTable(
            n_rows=3,
            continuous={},
            discrete={
                "grade": np.array([2, 0, 1]),
                "colour": np.zeros(3, int),
                "plan": np.array([1, 0, 1]),
            },
        ),
        np.random.default_rng(0),
    )
    assert out["plan"].dtype == pd.CategoricalDtype(["basic", "pro"], ordered=True)
    assert out["grade"].tolist() == ["high", "low", "mid"] and out["grade"].cat.ordered
    assert out["grade"].max() == "high"


@pytest.mark.parametrize(
    ("column", "fields"), [("plan", {"ordered": True}), ("grade", {"dtype": "object"})]
)
def test_ordered_where_it_means_nothing_is_refused(column: str, fields: dict[str, Any]) -> None:
    meta = Metadata.detect(table())
    with pytest.raises(DataError, match=f"column '{column}': ordered applies to categorical"):
        meta.update_column(column, **fields)


def test_a_kind_change_drops_ordered() -> None:
    meta = Metadata.detect(table()).update_column("grade", kind="numerical")
    assert not meta.column("grade").ordered
