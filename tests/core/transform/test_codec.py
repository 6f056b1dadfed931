"""TableCodec: exact round trips, the encoded form models rely on, and decoding of
synthetic (not encoded) vectors.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from synthgen_core.errors import DataError, NotFittedError
from synthgen_core.metadata import ColumnKind, Metadata
from synthgen_core.transform import EncodedTable, TableCodec
from tests.shared_data import DATASETS
from tests.strategies import ID_COLUMNS, frames, maker_of

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def fitted(df: pd.DataFrame) -> TableCodec:
    return TableCodec(Metadata.detect(df)).fit(df)


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@settings(max_examples=80, deadline=None)
@given(frames())
def test_decode_of_encode_restores_every_column_exactly(df: pd.DataFrame) -> None:
    codec = fitted(df)
    out = codec.decode(codec.encode(df), rng())
    assert list(out.columns) == list(df.columns)
    for name in df.columns:
        if maker_of(name) in ID_COLUMNS:
            assert out[name].is_unique and out[name].dtype == df[name].dtype
        else:
            pd.testing.assert_series_equal(out[name], df[name], check_exact=True)


@settings(max_examples=30, deadline=None)
@given(frames())
def test_state_survives_json(df: pd.DataFrame) -> None:
    codec = fitted(df)
    restored = TableCodec.from_dict(json.loads(json.dumps(codec.to_dict())))
    encoded = codec.encode(df)
    pd.testing.assert_frame_equal(restored.decode(encoded, rng()), codec.decode(encoded, rng()))


def test_encoded_form_continuous_nan_and_discrete_missing_code() -> None:
    df = pd.DataFrame(
        {
            "x": [1.5, np.nan, 2.5, 1.5],
            "c": ["a", " ?", "b", "a"],
            "t": pd.to_datetime(pd.Series(["2020-01-01", None, "2020-01-03", "2020-01-02"])),
        }
    )
    codec = fitted(df)
    encoded = codec.encode(df)
    assert encoded.n_rows == 4
    assert encoded.continuous["x"].dtype == np.float64
    np.testing.assert_array_equal(np.isnan(encoded.continuous["x"]), [0, 1, 0, 0])
    np.testing.assert_array_equal(encoded.continuous["t"][[0, 2, 3]], [18262.0, 18264.0, 18263.0])
    assert encoded.discrete["c"].dtype == np.int64
    np.testing.assert_array_equal(encoded.discrete["c"], [0, 2, 1, 0])  # missing code last
    info = codec.discrete_info("c")
    assert (info.categories, info.has_missing, info.n_codes) == (["a", "b"], True, 3)
    assert info.frequencies == [0.5, 0.25, 0.25]
    assert codec.continuous_columns == ["x", "t"] and codec.discrete_columns == ["c"]


def test_adult_markers_come_back_verbatim() -> None:
    df = pd.read_csv(DATASETS / "adult.csv", nrows=2000)
    codec = fitted(df)
    out = codec.decode(codec.encode(df), rng())
    assert (out["workclass"] == " ?").sum() == (df["workclass"] == " ?").sum() > 0
    pd.testing.assert_frame_equal(out, df)


def test_decoding_synthetic_vectors_clips_rounds_and_keeps_dtypes() -> None:
    df = pd.DataFrame(
        {"n": np.arange(20), "p": [1.25, 2.5, 0.75, 9.0] * 5, "c": ["x", "y", None, "x"] * 5}
    )
    codec = fitted(df)
    encoded = EncodedTable(
        n_rows=3,
        continuous={"n": np.array([-50.0, 4.4, 99.0]), "p": np.array([1.23456, np.nan, 50.0])},
        discrete={"c": np.array([0, 1, 2])},
    )
    out = codec.decode(encoded, rng())
    assert out["n"].tolist() == [0, 4, 19] and out["n"].dtype == "int64"
    assert out["p"].tolist()[0::2] == [1.23, 9.0] and np.isnan(out["p"][1])
    assert out["c"].tolist()[:2] == ["x", "y"] and pd.isna(out["c"][2])


def test_int_column_decoded_with_missing_becomes_nullable_int() -> None:
    df = pd.DataFrame({"n": np.arange(20)})
    codec = fitted(df)
    out = codec.decode(EncodedTable(2, {"n": np.array([3.0, np.nan])}, {}), rng())
    assert str(out["n"].dtype) == "Int64"
    assert out["n"][0] == 3 and out["n"][1] is pd.NA


def test_ids_are_regenerated_unique_in_the_source_style() -> None:
    df = pd.DataFrame(
        {
            "user_id": np.arange(100, 120),
            "key": [f"K{i:03d}" for i in range(20)],
            "token": [f"{i:08x}-aaaa-4bbb-8ccc-{i:012x}" for i in range(20)],
        }
    )
    codec = fitted(df)
    assert codec.learned_columns == []
    out = codec.decode(EncodedTable(n_rows=50, continuous={}, discrete={}), rng())
    assert out["user_id"].tolist() == list(range(100, 150))
    assert out["key"].str.fullmatch(r"K\d{3}").all() and out["key"].is_unique
    assert out["token"].map(lambda t: bool(re.fullmatch(UUID, t))).all()
    assert out["token"].is_unique


def test_constants_are_restored() -> None:
    df = pd.DataFrame({"k": ["same"] * 5, "z": [0] * 5, "gone": [np.nan] * 5})
    out = fitted(df).decode(EncodedTable(n_rows=3, continuous={}, discrete={}), rng())
    assert out["k"].tolist() == ["same"] * 3 and out["z"].dtype == "int64"
    assert out["gone"].isna().all()


def test_kind_override_is_learned_at_fit() -> None:
    df = pd.DataFrame({"score": [1, 2, 3, 4, 5, 6, 7, 8]})
    meta = Metadata.detect(df).update_column("score", kind="categorical")
    codec = TableCodec(meta).fit(df)
    assert codec.metadata_.column("score").categories == [1, 2, 3, 4, 5, 6, 7, 8]
    pd.testing.assert_frame_equal(codec.decode(codec.encode(df), rng()), df)


def test_numerical_override_on_text_says_how_to_fix() -> None:
    df = pd.DataFrame({"s": ["a", "b", "c", "a"]})
    meta = Metadata.detect(df).update_column("s", kind=ColumnKind.NUMERICAL)
    with pytest.raises(DataError, match="'s' is numerical but holds non-numbers"):
        TableCodec(meta).fit(df)


def test_unseen_category_at_encode_is_a_data_error() -> None:
    codec = fitted(pd.DataFrame({"c": ["a", "b"] * 5}))
    with pytest.raises(DataError, match="'c' has 1 value.*outside its 2 known categories"):
        codec.encode(pd.DataFrame({"c": ["a", "zebra"]}))


def test_unfitted_codec_raises_not_fitted() -> None:
    codec = TableCodec(Metadata.detect(pd.DataFrame({"a": [1.0, 2.0]})))
    with pytest.raises(NotFittedError):
        codec.encode(pd.DataFrame({"a": [1.0]}))


def test_decode_refuses_missing_or_misshapen_vectors() -> None:
    codec = fitted(pd.DataFrame({"a": [1.5, 2.5, 3.5], "c": ["x", "y", "x"]}))
    with pytest.raises(DataError, match="lacks column 'a'"):
        codec.decode(EncodedTable(2, {}, {"c": np.array([0, 1])}), rng())
    with pytest.raises(DataError, match="'c' has 3 values, expected n_rows=2"):
        codec.decode(EncodedTable(2, {"a": np.zeros(2)}, {"c": np.zeros(3, np.int64)}), rng())
    with pytest.raises(DataError, match="codes must lie in 0..2"):
        codec.decode(EncodedTable(1, {"a": np.zeros(1)}, {"c": np.array([7])}), rng())


def test_tz_aware_and_string_datetimes_keep_zone_and_format() -> None:
    zoned = pd.date_range("2021-03-01", periods=12, freq="61h", tz="America/New_York")
    df = pd.DataFrame({"z": zoned, "s": zoned.strftime("%d.%m.%Y %H:%M:%S")})
    codec = fitted(df)
    assert codec.metadata_.column("s").datetime_format == "%d.%m.%Y %H:%M:%S"
    pd.testing.assert_frame_equal(codec.decode(codec.encode(df), rng()), df)


@pytest.mark.parametrize(
    ("write", "offset"),
    [
        (lambda t: t.astype(str), "+01:00"),  # pandas' to_csv: "2021-01-04 00:00:00+01:00"
        (lambda t: t.dt.strftime("%Y-%m-%dT%H:%M:%S%z"), "+0100"),
        (lambda t: t.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ"), "Z"),
    ],
)
def test_datetime_strings_with_offsets_keep_their_instants(write, offset) -> None:
    # Paris switches from +01:00 to +02:00 in March: one column, two offsets.
    zoned = pd.Series(
        pd.date_range("2021-01-04", periods=30, freq="5D", tz="Europe/Paris"), name="t"
    )
    df = pd.DataFrame({"t": write(zoned)})
    codec = fitted(df)
    spec = codec.metadata_.column("t")
    assert spec.kind == ColumnKind.DATETIME and spec.utc_offset == offset
    out = codec.decode(codec.encode(df), rng())["t"]
    assert out.str.endswith(offset).all()  # written in the column's most common offset
    pd.testing.assert_series_equal(pd.to_datetime(out, utc=True), zoned.dt.tz_convert("UTC"))


def test_datetime_objects_in_several_zones_are_utc_instants() -> None:
    zoned = pd.date_range("2021-01-04", periods=20, freq="5D", tz="Europe/Paris")
    mixed = [t if i % 2 else t.tz_convert("US/Eastern") for i, t in enumerate(zoned)]
    df = pd.DataFrame({"t": pd.Series(mixed, dtype=object)})
    codec = fitted(df)
    out = codec.decode(codec.encode(df), rng())["t"]
    pd.testing.assert_series_equal(
        pd.to_datetime(out, utc=True), pd.Series(zoned.tz_convert("UTC")), check_names=False
    )


def test_coarser_precision_override_truncates_datetimes() -> None:
    df = pd.DataFrame({"t": pd.date_range("2020-01-01 10:00:07", periods=20, freq="37h")})
    meta = Metadata.detect(df).update_column("t", precision="D")
    codec = TableCodec(meta).fit(df)
    out = codec.decode(codec.encode(df), rng())
    pd.testing.assert_series_equal(out["t"], df["t"].dt.floor("D"))
