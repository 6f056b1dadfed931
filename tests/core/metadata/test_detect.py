"""Kind detection: each rule of synthgen_core.metadata.detect, and the real datasets."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest

from synthgen_core.errors import DataError
from synthgen_core.metadata import ColumnKind, Metadata
from tests.shared_data import DATASETS


def kind_of(values: object, name: str = "col") -> ColumnKind:
    return Metadata.detect(pd.DataFrame({name: values})).column(name).kind


def test_float_and_wide_int_columns_are_numerical_with_range_and_rounding() -> None:
    df = pd.DataFrame({"price": [1.25, 2.5, 3.75, 10.0] * 5, "n": np.arange(20) * 7})
    meta = Metadata.detect(df)
    price, n = meta.column("price"), meta.column("n")
    assert price.kind == n.kind == ColumnKind.NUMERICAL
    assert (price.decimals, price.min_value, price.max_value) == (2, 1.25, 10.0)
    assert n.integer and n.decimals == 0 and n.dtype == "int64"


def test_int_column_with_few_repeated_values_is_categorical() -> None:
    spec = Metadata.detect(pd.DataFrame({"grade": [1, 2, 3] * 20})).column("grade")
    assert spec.kind == ColumnKind.CATEGORICAL
    assert spec.categories == [1, 2, 3]


def test_int_column_with_few_rows_per_value_stays_numerical() -> None:
    assert kind_of([1, 2, 3, 4, 5, 6]) == ColumnKind.NUMERICAL


def test_strings_and_pandas_categories_are_categorical_in_stored_order() -> None:
    df = pd.DataFrame(
        {
            "s": ["b", "a", "b"] * 3,
            "c": pd.Categorical(["lo", "hi", "lo"] * 3, categories=["lo", "hi"]),
        }
    )
    meta = Metadata.detect(df)
    assert meta.column("s").categories == ["a", "b"]
    assert meta.column("c").categories == ["lo", "hi"]
    assert meta.column("c").dtype == "category"


def test_bool_dtype_and_object_bools_are_boolean() -> None:
    assert kind_of([True, False, True]) == ColumnKind.BOOLEAN
    assert kind_of(pd.Series([True, None, False], dtype=object)) == ColumnKind.BOOLEAN


def test_int_zero_one_column_is_categorical_not_boolean() -> None:
    assert kind_of([0, 1] * 20) == ColumnKind.CATEGORICAL


def test_datetime64_column_records_precision() -> None:
    stamps = pd.to_datetime(["2020-01-01", "2020-01-03", "2020-02-01"])
    spec = Metadata.detect(pd.DataFrame({"day": stamps})).column("day")
    assert spec.kind == ColumnKind.DATETIME
    assert spec.precision == "D" and spec.datetime_format is None


def test_datetime_strings_record_format_and_precision() -> None:
    spec = Metadata.detect(pd.DataFrame({"t": ["2019-03-23 20:21:09", "2019-03-04 16:11:55"]}))
    column = spec.column("t")
    assert column.kind == ColumnKind.DATETIME
    assert (column.datetime_format, column.precision) == ("%Y-%m-%d %H:%M:%S", "s")


def test_numbers_read_as_text_are_numerical_and_codes_with_zeros_are_not() -> None:
    df = pd.DataFrame(
        {
            "bp": [f"{v:.1f}" for v in range(100, 140)] + ["?"] * 4,
            "zip": ["02134", "10001", "?", "94103"] * 11,
        }
    )
    meta = Metadata.detect(df)
    bp = meta.column("bp")
    assert (bp.kind, bp.numbers_as_text, bp.decimals) == (ColumnKind.NUMERICAL, True, 1)
    assert bp.missing_markers == {"?": 1.0}
    assert meta.column("zip").kind == ColumnKind.CATEGORICAL


def test_strings_in_inconsistent_date_formats_are_not_datetime() -> None:
    assert kind_of(["2019-03-23", "23/03/2019", "2019-03-24"]) == ColumnKind.CATEGORICAL


def test_unique_ints_under_an_id_name_are_ids_but_unique_floats_are_numerical() -> None:
    assert kind_of(np.arange(50), name="user_id") == ColumnKind.ID
    assert kind_of(np.arange(50), name="orderId") == ColumnKind.ID
    assert kind_of(np.arange(50), name="count") == ColumnKind.NUMERICAL
    assert kind_of(np.arange(50), name="paid") == ColumnKind.NUMERICAL
    assert kind_of(np.arange(50) + 0.5, name="id") == ColumnKind.NUMERICAL


def test_uuid_and_prefixed_keys_are_ids_with_their_style() -> None:
    uuids = [str(uuid.UUID(int=i)) for i in range(30)]
    keys = [f"C{i:04d}" for i in range(30)]
    meta = Metadata.detect(pd.DataFrame({"a": uuids, "b": keys}))
    assert meta.column("a").id_style == "uuid"
    b = meta.column("b")
    assert (b.kind, b.id_style, b.id_prefix, b.id_digits) == (ColumnKind.ID, "pattern", "C", 4)


def test_free_text_with_mostly_distinct_values_is_text_so_it_is_never_copied() -> None:
    words = [f"comment number {i} says hello" for i in range(150)] + ["same"] * 50
    assert kind_of(words, name="notes") == ColumnKind.TEXT


def test_one_value_is_constant_and_one_value_with_gaps_is_a_flag() -> None:
    assert kind_of([5, 5, 5]) == ColumnKind.CONSTANT
    assert kind_of(["Y", None, "Y", None]) == ColumnKind.CATEGORICAL


def test_all_missing_column_is_constant_missing() -> None:
    spec = Metadata.detect(pd.DataFrame({"x": [" ?", " ?"]})).column("x")
    assert spec.kind == ColumnKind.CONSTANT
    assert spec.constant_value is None and spec.missing_rate == 1.0
    assert spec.missing_markers == {" ?": 1.0}


def test_mixed_types_are_categorical_with_values_as_stored() -> None:
    spec = Metadata.detect(pd.DataFrame({"m": [1, "a", 2.5, "a", 1]})).column("m")
    assert spec.kind == ColumnKind.CATEGORICAL
    assert spec.categories == [1, 2.5, "a"]


@pytest.mark.parametrize("marker", ["?", " ?", "", "NA", "N/A", "null", "None", " none "])
def test_string_markers_are_missing_and_remembered(marker: str) -> None:
    spec = Metadata.detect(pd.DataFrame({"c": ["x", marker, "y", "x"]})).column("c")
    assert spec.categories == ["x", "y"]
    assert spec.missing_rate == 0.25
    assert spec.missing_markers == {marker: 1.0}


def test_nulls_of_every_flavour_are_missing() -> None:
    df = pd.DataFrame(
        {
            "a": pd.array([1, pd.NA, 3, 4], dtype="Int64"),
            "b": [1.5, np.nan, 2.5, 3.5],
            "c": pd.to_datetime(pd.Series(["2020-01-01", None, "2020-01-02", "2020-01-05"])),
            "d": ["x", None, "y", "x"],
        }
    )
    meta = Metadata.detect(df)
    assert all(spec.missing_rate == 0.25 for spec in meta.columns)
    assert all(spec.missing_markers == {} for spec in meta.columns)


def test_whole_floats_beyond_int64_are_floats_not_integers() -> None:
    # Past 2**63 every float is whole; treating them as integers overflowed int64 on output.
    spec = Metadata.detect(pd.DataFrame({"mass": np.linspace(1.0, 9.0, 40) * 1e30})).column("mass")
    assert spec.kind == ColumnKind.NUMERICAL
    assert not spec.integer and spec.decimals != 0


@pytest.mark.parametrize("scale", [1e-12, 1e-30, 1e-200])
def test_tiny_values_are_not_rounded_away(scale: float) -> None:
    values = np.linspace(1.0, 9.0, 40) * scale
    spec = Metadata.detect(pd.DataFrame({"x": values})).column("x")
    assert spec.decimals is None or np.all(np.round(values, spec.decimals) == values)


def test_inf_is_refused_naming_the_column_and_the_fix() -> None:
    with pytest.raises(DataError, match=r"'x'.*inf.*replace them with NaN"):
        Metadata.detect(pd.DataFrame({"x": [1.0, np.inf, 2.0]}))


@pytest.mark.parametrize(
    ("df", "message"),
    [
        (pd.DataFrame(), "no columns"),
        (pd.DataFrame({"a": []}), "no rows"),
        (pd.DataFrame({0: [1, 2], "b": [3, 4]}), "must be strings.*astype\\(str\\)"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), "more than once"),
        (pd.DataFrame({"d": pd.to_timedelta([1, 2], unit="s")}), "total_seconds"),
        (pd.DataFrame({"l": [[1], [2]]}), "unhashable"),
        (pd.DataFrame({"b": [b"ab", b"cd"] * 5}), "bytes value.*convert it to str"),
    ],
)
def test_unusable_tables_raise_data_error_with_a_fix(df: pd.DataFrame, message: str) -> None:
    with pytest.raises(DataError, match=message):
        Metadata.detect(df)


def test_not_a_dataframe_is_refused() -> None:
    with pytest.raises(DataError, match="DataFrame"):
        Metadata.detect([[1, 2]])  # type: ignore[arg-type]


def test_adult_kinds_and_markers_match_its_readme() -> None:
    meta = Metadata.detect(pd.read_csv(f"{DATASETS}/adult.csv", nrows=3000))
    assert meta.continuous_columns == [
        "age",
        "fnlwgt",
        "education-num",
        "capital-gain",
        "capital-loss",
        "hours-per-week",
    ]
    assert len(meta.discrete_columns) == 9
    assert meta.column("workclass").missing_markers == {" ?": 1.0}
    assert " ?" not in (meta.column("workclass").categories or [])


def test_taxis_datetimes_and_nan_categories() -> None:
    meta = Metadata.detect(pd.read_csv(f"{DATASETS}/taxis.csv"))
    pickup = meta.column("pickup")
    assert (pickup.kind, pickup.datetime_format, pickup.precision) == (
        ColumnKind.DATETIME,
        "%Y-%m-%d %H:%M:%S",
        "s",
    )
    assert meta.column("payment").missing_rate == pytest.approx(44 / 6433)
    assert meta.column("pickup_zone").kind == ColumnKind.CATEGORICAL


def test_intrusion_constant_columns_are_constant() -> None:
    meta = Metadata.detect(pd.read_csv(f"{DATASETS}/intrusion.csv.gz"))
    constants = {s.name for s in meta.columns if s.kind == ColumnKind.CONSTANT}
    assert constants == {"land", "su_attempted", "num_outbound_cmds", "is_host_login"}


def test_census_na_literal_is_kept_verbatim_as_a_marker() -> None:
    df = pd.read_csv(f"{DATASETS}/census.csv.gz", keep_default_na=False, nrows=5000)
    spec = Metadata.detect(df).column("hispanic_origin")
    assert "NA" in spec.missing_markers
