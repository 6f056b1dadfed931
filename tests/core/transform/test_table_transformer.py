"""TableTransformer: the matrix and layout the neural models train on, and the way back."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from synthgen_core.errors import ConditionError, ConfigError, DataError, NotFittedError
from synthgen_core.metadata import Metadata
from synthgen_core.transform import TableTransformer
from synthgen_core.transform.continuous import MODE_CHOICES, SPREAD
from tests.strategies import ID_COLUMNS, frames, maker_of


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def fitted(df: pd.DataFrame, **options: object) -> TableTransformer:
    return TableTransformer(Metadata.detect(df), **options).fit(df)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    gen = np.random.default_rng(7)
    n = 400
    income = np.where(
        gen.random(n) < 0.7, gen.normal(30_000, 4_000, n), gen.normal(90_000, 9_000, n)
    ).round(2)
    income[gen.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "income": income,
            "age": gen.integers(18, 90, n),
            "city": gen.choice(np.array(["Paris", "Lyon", " ?"], dtype=object), n),
            "member": gen.random(n) < 0.3,
            "joined": pd.Timestamp("2020-01-01") + pd.to_timedelta(gen.integers(0, 900, n), "D"),
        }
    )


@pytest.mark.parametrize("mode_choice", MODE_CHOICES)
@settings(max_examples=40, deadline=None)
@given(df=frames())
def test_inverse_of_transform_restores_the_table(df: pd.DataFrame, mode_choice: str) -> None:
    transformer = fitted(df, mode_choice=mode_choice)
    out = transformer.inverse_transform(transformer.transform(df), rng())
    assert list(out.columns) == list(df.columns)
    for name in df.columns:
        if maker_of(name) in ID_COLUMNS:
            assert out[name].is_unique and out[name].dtype == df[name].dtype
        else:
            pd.testing.assert_series_equal(out[name], df[name], check_exact=True)


def test_layout_describes_every_slice(table: pd.DataFrame) -> None:
    transformer = fitted(table)
    layout = transformer.layout
    income = layout.spans_of("income")
    assert [s.role for s in income] == ["value", "mode", "missing"]
    assert [s.activation for s in income] == ["tanh", "softmax", "softmax"]
    assert income[2].width == 2
    assert [s.role for s in layout.spans_of("age")] == ["value", "mode"]
    (city,) = layout.spans_of("city")
    assert (city.role, city.activation, city.width) == ("category", "softmax", 3)  # + missing
    assert [s.column for s in layout.discrete_spans] == ["city", "member"]
    assert transformer.output_dimensions == layout.width


def test_matrix_is_float32_with_valid_spans(table: pd.DataFrame) -> None:
    transformer = fitted(table)
    matrix = transformer.transform(table)
    assert matrix.dtype == np.float32 and matrix.shape == (len(table), transformer.layout.width)
    for span in transformer.layout.spans:
        block = matrix[:, span.start : span.end]
        if span.activation == "softmax":
            np.testing.assert_array_equal(block.sum(axis=1), 1.0)
            assert set(np.unique(block)) <= {0.0, 1.0}
        else:
            assert np.all(np.abs(block) <= 1.0)


def test_transform_is_deterministic_for_a_seed(table: pd.DataFrame) -> None:
    first = fitted(table, seed=3).transform(table)
    np.testing.assert_array_equal(first, fitted(table, seed=3).transform(table))


def test_inverse_accepts_soft_generator_output(table: pd.DataFrame) -> None:
    transformer = fitted(table)
    layout = transformer.layout
    gen = np.random.default_rng(1)
    raw = gen.normal(size=(50, layout.width))
    for span in layout.spans:  # what the generator's heads produce
        block = raw[:, span.start : span.end]
        if span.activation == "tanh":
            raw[:, span.start : span.end] = np.tanh(block)
        else:
            exp = np.exp(block)
            raw[:, span.start : span.end] = exp / exp.sum(axis=1, keepdims=True)
    out = transformer.inverse_transform(raw, rng())
    assert out.dtypes.tolist() == table.dtypes.tolist()
    assert set(out["city"]) <= {"Paris", "Lyon", " ?"}
    present = out["income"].dropna()
    assert present.between(table["income"].min(), table["income"].max()).all()
    assert (present.round(2) == present).all()
    assert out["joined"].between(table["joined"].min(), table["joined"].max()).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inverse_does_not_depend_on_memory_order_or_float_width(
    table: pd.DataFrame, dtype: type[np.floating[Any]]
) -> None:
    transformer = fitted(table)
    soft = np.random.default_rng(2).random((300, transformer.layout.width)).astype(dtype)
    soft[::7] = np.round(soft[::7], 1)  # ties: the first maximum must win
    expected = transformer.inverse_transform(soft.astype(np.float64), rng())  # exact widening
    column_major = np.asfortranarray(soft)  # how the models hand rows over
    out = transformer.inverse_transform(column_major, rng())
    pd.testing.assert_frame_equal(out, expected, check_exact=True)


def test_category_index_points_into_the_span(table: pd.DataFrame) -> None:
    transformer = fitted(table)
    matrix = transformer.transform(table)
    (span,) = transformer.layout.spans_of("city")
    for value in ("Paris", "Lyon", " ?", None):
        index = transformer.category_index("city", value)
        rows = table["city"] == (" ?" if value is None else value)
        assert np.all(matrix[rows.to_numpy(), span.start + index] == 1.0)
    assert transformer.category_index("member", np.bool_(True)) in (0, 1)


def test_category_index_errors_list_valid_choices(table: pd.DataFrame) -> None:
    transformer = fitted(table)
    with pytest.raises(ConditionError, match="'Rome' is not a category of column 'city'.*Lyon"):
        transformer.category_index("city", "Rome")
    with pytest.raises(ConditionError, match="'age' is not a discrete column.*city"):
        transformer.category_index("age", 30)
    with pytest.raises(ConditionError, match="'nope' is not a discrete column"):
        transformer.category_index("nope", "x")


def test_state_survives_json(table: pd.DataFrame) -> None:
    transformer = fitted(table)
    restored = TableTransformer.from_dict(json.loads(json.dumps(transformer.to_dict())))
    matrix = transformer.transform(table)
    np.testing.assert_array_equal(restored.transform(table), matrix)
    assert restored.layout == transformer.layout
    pd.testing.assert_frame_equal(restored.inverse_transform(matrix, rng()), table)


def test_mode_choice_survives_json_and_older_states_sampled(table: pd.DataFrame) -> None:
    state = fitted(table, mode_choice="likeliest").to_dict()
    assert TableTransformer.from_dict(json.loads(json.dumps(state))).mode_choice == "likeliest"
    del state["mode_choice"]  # as written before the option existed
    assert TableTransformer.from_dict(state).mode_choice == "sample"


def _overlapping_modes_table() -> pd.DataFrame:
    gen = np.random.default_rng(3)
    values = np.concatenate([gen.normal(0.0, 1.0, 1_500), gen.normal(2.5, 1.5, 1_500)])
    return pd.DataFrame({"x": values})


def test_likeliest_choice_encodes_each_value_in_its_most_probable_mode() -> None:
    df = _overlapping_modes_table()
    transformer = fitted(df, mode_choice="likeliest")
    state = transformer.continuous_["x"]
    assert state.n_modes >= 2, "the test needs overlapping modes"
    weights, means, stds = (np.asarray(a) for a in (state.weights, state.means, state.stds))
    z = (df["x"].to_numpy()[:, None] - means) / stds
    log_post = np.log(weights) - np.log(stds) - 0.5 * z**2
    log_post[np.abs(z) > SPREAD] = -np.inf  # a mode that would clip the value is never chosen
    (_, mode_span) = transformer.layout.spans_of("x")
    matrix = transformer.transform(df)
    chosen = matrix[:, mode_span.start : mode_span.end].argmax(axis=1)
    np.testing.assert_array_equal(chosen, log_post.argmax(axis=1))


def test_only_sampled_modes_depend_on_the_seed() -> None:
    df = _overlapping_modes_table()
    for mode_choice, same in (("likeliest", True), ("sample", False)):
        first = fitted(df, mode_choice=mode_choice, seed=1).transform(df)
        second = fitted(df, mode_choice=mode_choice, seed=2).transform(df)
        assert np.array_equal(first, second) is same, mode_choice


def test_newer_state_format_is_refused(table: pd.DataFrame) -> None:
    state = fitted(table).to_dict()
    with pytest.raises(DataError, match="newer"):
        TableTransformer.from_dict({**state, "format_version": 99})
    with pytest.raises(DataError, match="invalid transformer state"):
        TableTransformer.from_dict({"format_version": 1})


def test_mixture_sample_cap_still_encodes_every_row_exactly() -> None:
    values = np.random.default_rng(4).lognormal(8, 1.5, 3_000).round()
    df = pd.DataFrame({"amount": values.astype(np.int64)})
    transformer = fitted(df, mixture_sample_rows=200)
    out = transformer.inverse_transform(transformer.transform(df), rng())
    pd.testing.assert_frame_equal(out, df)


def test_modes_are_capped_by_max_modes_plus_tails(table: pd.DataFrame) -> None:
    (_, mode, _) = fitted(table, max_modes=3).layout.spans_of("income")
    assert mode.width <= 3 + 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_modes": 0}, "max_modes"),
        ({"weight_threshold": 1.5}, "weight_threshold"),
        ({"mixture_sample_rows": 0}, "mixture_sample_rows"),
        ({"mode_choice": "mean"}, "mode_choice must be one of sample, likeliest"),
    ],
)
def test_bad_options_raise_config_error(
    table: pd.DataFrame, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        fitted(table, **options)


def test_unfitted_and_misshapen_use_is_refused(table: pd.DataFrame) -> None:
    with pytest.raises(NotFittedError):
        _ = TableTransformer(Metadata.detect(table)).layout
    transformer = fitted(table)
    with pytest.raises(DataError, match=r"shape \(N, \d+\)"):
        transformer.inverse_transform(np.zeros((2, 3)), rng())


def test_table_of_only_ids_and_constants_has_an_empty_matrix() -> None:
    df = pd.DataFrame({"row_id": np.arange(5), "k": ["x"] * 5})
    transformer = fitted(df)
    assert transformer.transform(df).shape == (5, 0)
    out = transformer.inverse_transform(np.zeros((3, 0)), rng())
    assert out["k"].tolist() == ["x"] * 3 and out["row_id"].is_unique
