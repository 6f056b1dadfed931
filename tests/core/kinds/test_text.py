"""Free text: detected apart from ids, generated real-looking, never a copy of a rare value."""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synthgen_core as sg
from synthgen_core.errors import ConditionError, DataError
from synthgen_core.kinds.text_model import MIN_COUNT, fit_text_model, generate_text
from synthgen_core.metadata import ColumnKind, Metadata
from synthgen_core.metadata.kinds import ColumnSpec

ADJECTIVES = ["great", "slow", "friendly", "rude", "clean", "noisy", "cheap", "pricey"]
NOUNS = ["service", "staff", "room", "food", "location", "price", "breakfast", "wifi"]
NAMES = ["Alice", "Bob", "Carmen", "Dmitri", "Eve", "Farid", "Gus", "Hana", "Ivo", "Jun"]


def reviews(n_rows: int = 3_000, seed: int = 0) -> pd.Series:
    """Mostly distinct review texts, a few of them very common ("ok")."""
    rng = np.random.default_rng(seed)
    text = (
        pd.Series(rng.choice(ADJECTIVES, n_rows))
        + " "
        + pd.Series(rng.choice(NOUNS, n_rows))
        + np.where(rng.random(n_rows) < 0.6, ", thanks " + pd.Series(rng.choice(NAMES, n_rows)), "")
        + np.where(
            rng.random(n_rows) < 0.5,
            " room " + pd.Series(rng.integers(100, 999, n_rows).astype(str)),
            "",
        )
    )
    text[rng.random(n_rows) < 0.15] = "ok"
    return text.astype(object)


def review_table(n_rows: int = 3_000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "review": reviews(n_rows),
            "stars": rng.integers(1, 6, n_rows),
            "hotel": rng.choice(["north", "south", "east"], n_rows),
        }
    )


def rare_values(column: pd.Series) -> set[str]:
    counts = column.value_counts()
    return set(counts[counts < MIN_COUNT].index)


# -- detection ---------------------------------------------------------------------------


def test_free_text_is_text() -> None:
    assert Metadata.detect(review_table()).column("review").kind == ColumnKind.TEXT


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("customer_id", [f"k{i * 7919 % 100_003}" for i in range(500)]),  # id-like name
        ("code", [f"C{i:05d}" for i in range(500)]),  # one prefix + digits
        ("ref", [f"{i:08x}-1234-4abc-8def-{i:012x}" for i in range(500)]),  # UUIDs
    ],
)
def test_ids_stay_ids(name: str, values: list[str]) -> None:
    table = pd.DataFrame({name: values})
    assert Metadata.detect(table).column(name).kind == ColumnKind.ID


def test_a_small_table_keeps_its_strings_as_categories() -> None:
    table = pd.DataFrame({"review": reviews(60)})
    assert Metadata.detect(table).column("review").kind == ColumnKind.CATEGORICAL


# -- what is generated -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def column() -> pd.Series:
    return reviews(20_000)


def test_generated_text_never_copies_a_rare_value(column: pd.Series) -> None:
    model = fit_text_model(column)
    generated = pd.Series(generate_text(model, 20_000, np.random.default_rng(1)))
    assert not generated.isin(rare_values(column)).any()
    assert generated.notna().all()


def test_common_values_keep_their_share(column: pd.Series) -> None:
    model = fit_text_model(column)
    generated = pd.Series(generate_text(model, 20_000, np.random.default_rng(2)))
    real_share = (column == "ok").mean()
    assert abs((generated == "ok").mean() - real_share) < 0.02


def test_generated_text_looks_like_the_column(column: pd.Series) -> None:
    """Known words in their places, word counts close to the column's."""
    model = fit_text_model(column)
    generated = pd.Series(generate_text(model, 20_000, np.random.default_rng(3)))
    words = generated.str.split().explode()
    assert words.isin(set(column.str.split().explode())).mean() > 0.8
    real_words = column.str.count(r"\S+").mean()
    assert abs(generated.str.count(r"\S+").mean() - real_words) < 0.5
    assert generated.nunique() > 2_000  # not a handful of values repeated


def test_the_model_holds_no_rare_value(column: pd.Series) -> None:
    model = fit_text_model(column)
    stored = msgspec.json.encode(model).decode()
    for value in list(rare_values(column))[:200]:
        assert f'"{value}"' not in stored


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.text(alphabet="abc ", min_size=1, max_size=6), min_size=1, max_size=200),
    seed=st.integers(0, 2**32 - 1),
)
def test_no_rare_value_is_ever_generated(values: list[str], seed: int) -> None:
    column = pd.Series(values, dtype=object)
    generated = generate_text(fit_text_model(column), 300, np.random.default_rng(seed))
    assert len(generated) == 300
    present = pd.Series(generated).dropna()
    assert not present.isin(rare_values(column)).any()


# -- in models ---------------------------------------------------------------------------------


def test_a_model_generates_text_columns_and_keeps_missing_cells() -> None:
    table = review_table()
    table.loc[::10, "review"] = None
    model = sg.create("gaussian_copula", seed=0).fit(table)
    sample = model.sample(3_000, seed=1)
    present = sample["review"].dropna()
    assert not present.isin(rare_values(table["review"].dropna())).any()
    assert abs(sample["review"].isna().mean() - 0.1) < 0.03
    assert present.nunique() > 300


def test_conditions_on_text_are_refused_with_the_fix() -> None:
    model = sg.create("gaussian_copula", seed=0).fit(review_table())
    with pytest.raises(ConditionError, match=r"text column 'review'.*categorical"):
        model.sample(10, conditions={"review": "ok"})


def test_save_and_load_give_the_same_text(tmp_path: Path) -> None:
    model = sg.create("gaussian_copula", seed=0).fit(review_table())
    model.save(tmp_path / "model.sgm")
    loaded = sg.load(tmp_path / "model.sgm")
    pd.testing.assert_frame_equal(loaded.sample(500, seed=4), model.sample(500, seed=4))


def test_users_can_switch_between_text_and_id() -> None:
    table = review_table()
    as_ids = Metadata.detect(table).update_column("review", kind="id")
    sample = sg.create("gaussian_copula", seed=0).fit(table, as_ids).sample(5, seed=0)
    assert sample["review"].str.startswith("review-").all()
    spec = Metadata.detect(table).column("review")
    assert isinstance(spec, ColumnSpec) and spec.text is not None
    back = msgspec.json.decode(msgspec.json.encode(spec), type=ColumnSpec)
    assert back == spec  # the learned model is plain JSON


def test_text_is_refused_for_numbers_with_the_fix() -> None:
    table = pd.DataFrame({"amount": np.arange(200) * 1.5})
    meta = Metadata.detect(table).update_column("amount", kind="text")
    with pytest.raises(DataError, match=r"'amount'.*'numerical'"):
        sg.create("gaussian_copula", seed=0).fit(table, meta)


def test_the_evaluation_report_says_what_was_done_with_text() -> None:
    table = review_table()
    synthetic = sg.create("gaussian_copula", seed=0).fit(table).sample(len(table), seed=1)
    report = sg.evaluate(table, synthetic)
    assert report.generated_text == ["review"]
    assert "Free text, generated: review" in report.summary()


def test_text_hashes_as_the_refusal_lists_in_model_files_expect() -> None:
    from synthgen_core.kinds.text_model import check_hashing

    check_hashing()  # raises where a different hashing would let rare values through
