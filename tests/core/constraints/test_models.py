"""Every constraint kind holds in every row, for every model type, with and without conditions.

The checks below are written with plain pandas, independently of the constraint code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.errors import ConditionError

FAST = {
    "gaussian_copula": {},
    "ctgan": {"epochs": 1, "batch_size": 100},
    "copulagan": {"epochs": 1, "batch_size": 100},
    "tvae": {"epochs": 2, "batch_size": 100},
    "autoregressive": {"max_epochs": 1},
}
CONSTRAINTS: list[dict[str, Any]] = [
    {"kind": "inequality", "low": "a", "high": "b"},
    {"kind": "inequality", "low": "start", "high": "end", "strict": True},
    {"kind": "fixed_combinations", "columns": ["city", "state"]},
    {"kind": "fixed_increments", "column": "price", "increment": 5},
    {"kind": "formula", "column": "total", "expression": "net + tax"},
    {"kind": "range", "column": "share", "low": 0, "high": 1},
    {"kind": "positive", "column": "net", "strict": True},
    {"kind": "negative", "column": "loss"},
    {"kind": "unique", "columns": ["a", "city"]},
]


def make_table(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    city = rng.choice(["Paris", "Lyon", "Berlin", "Munich"], rows)
    net = rng.uniform(1, 100, rows).round(2)
    tax = (net * 0.2).round(2)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 500, rows), "D")
    table = pd.DataFrame(
        {
            "a": rng.normal(10, 3, rows).round(1),
            "city": city,
            "state": np.where(np.isin(city, ["Paris", "Lyon"]), "FR", "DE"),
            "price": rng.integers(0, 20, rows) * 5,
            "net": net,
            "tax": tax,
            "total": (net + tax).round(2),
            "share": rng.beta(2, 2, rows).round(3),
            "loss": -rng.exponential(3, rows).round(1),
            "start": start,
            "end": start + pd.to_timedelta(rng.integers(1, 30, rows), "D"),
        }
    )
    table.insert(1, "b", (table["a"] + rng.exponential(2, rows)).round(1))
    return table.drop_duplicates(subset=["a", "city"]).reset_index(drop=True)


def violations(sample: pd.DataFrame, table: pd.DataFrame) -> dict[str, int]:
    """Rows breaking each constraint of CONSTRAINTS (0 everywhere when all hold)."""
    seen = set(zip(table["city"], table["state"], strict=True))
    pairs = pd.Series(list(zip(sample["city"], sample["state"], strict=True)))
    return {
        "a<=b": int((sample["a"] > sample["b"]).sum()),
        "start<end": int((sample["start"] >= sample["end"]).sum()),
        "combinations": int((~pairs.isin(seen)).sum()),
        "increments": int((sample["price"] % 5 != 0).sum()),
        "formula": int(((sample["net"] + sample["tax"] - sample["total"]).abs() > 0.0051).sum()),
        "range": int((~sample["share"].between(0, 1)).sum()),
        "positive": int((sample["net"] <= 0).sum()),
        "negative": int((sample["loss"] > 0).sum()),
        "unique": int(sample.duplicated(subset=["a", "city"]).sum()),
    }


NONE = dict.fromkeys(violations(make_table(), make_table()), 0)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return make_table()


@pytest.fixture(scope="module", params=list(FAST))
def model(request: pytest.FixtureRequest, table: pd.DataFrame) -> sg.models.base.Synthesizer:
    options = FAST[request.param]
    return sg.create(request.param, constraints=CONSTRAINTS, seed=1, verbose=False, **options).fit(
        table
    )


def test_every_row_keeps_every_constraint(model, table):
    sample = model.sample(200)
    assert violations(sample, table) == NONE
    assert list(sample.columns) == list(table.columns)
    assert sample.dtypes.equals(table.dtypes)


def test_same_seed_same_rows(model):
    pd.testing.assert_frame_equal(model.sample(50, seed=4), model.sample(50, seed=4))


def test_conditions_mapped_onto_rewritten_columns(model, table):
    conditions = {"city": "Paris", "price": 50, "b": float(table["b"].median())}
    sample = model.sample(20, conditions=conditions)
    assert violations(sample, table) == NONE
    assert (sample["city"] == "Paris").all()
    assert (sample["state"] == "FR").all()
    assert (sample["price"] == 50).all()
    assert (sample["b"] == conditions["b"]).all()


def test_condition_shared_by_several_combinations(model, table):
    sample = model.sample(20, conditions={"state": "DE"})
    assert set(sample["city"]) <= {"Berlin", "Munich"}
    assert violations(sample, table) == NONE


def test_conditions_that_break_a_constraint_are_refused(model):
    with pytest.raises(ConditionError, match="combination"):
        model.sample(5, conditions={"city": "Paris", "state": "DE"})
    with pytest.raises(ConditionError, match="multiple of its increment 5"):
        model.sample(5, conditions={"price": 7})
    with pytest.raises(ConditionError, match="break the model's constraint"):
        model.sample(5, conditions={"a": 10.0, "b": 9.0})


def test_saved_model_keeps_its_constraints(model, table, tmp_path: Path):
    path = tmp_path / "constrained.sgm"
    model.save(path)
    loaded = sg.load(path)
    assert loaded.get_config()["constraints"] == model.get_config()["constraints"]
    pd.testing.assert_frame_equal(loaded.sample(100, seed=2), model.sample(100, seed=2))
    assert violations(loaded.sample(200, seed=3), table) == NONE


def test_without_constraints_the_same_model_breaks_them(table):
    """The checks above can fail: an unconstrained copula does not keep these rules."""
    plain = sg.create("gaussian_copula", seed=1).fit(table).sample(500)
    broken = violations(plain, table)
    assert broken["a<=b"] > 0
    assert broken["formula"] > 0


def test_a_condition_on_a_formula_column_is_met_by_rejection(table):
    constraints = [{"kind": "formula", "column": "total", "expression": "net + tax"}]
    model = sg.create("gaussian_copula", constraints=constraints, seed=0).fit(table)
    sample = model.sample(5, conditions={"total": 60.0})
    assert (sample["total"] == 60.0).all()
    assert ((sample["net"] + sample["tax"] - 60.0).abs() <= 0.0051).all()


def test_a_unique_constraint_beyond_the_distinct_values_fails_clearly(table):
    four = table.drop_duplicates(subset=["city"]).reset_index(drop=True)
    model = sg.create(
        "gaussian_copula", constraints=[{"kind": "unique", "columns": ["city"]}], seed=0
    ).fit(four)
    assert model.sample(4)["city"].is_unique
    with pytest.raises(sg.ConstraintError, match="distinct values as rows"):
        model.sample(5)


def test_a_second_rule_on_a_rewritten_column_is_kept_by_rejection(table):
    both = table.assign(c=table["a"] - 1.0)
    constraints = [
        {"kind": "inequality", "low": "a", "high": "b"},
        {"kind": "inequality", "low": "c", "high": "b"},  # b is already rewritten as a gap
    ]
    model = sg.create("gaussian_copula", constraints=constraints, seed=0).fit(both)
    sample = model.sample(300)
    assert (sample["a"] <= sample["b"]).all()
    assert (sample["c"] <= sample["b"]).all()


@pytest.mark.parametrize("model_type", ["gaussian_copula", "ctgan"])
def test_month_and_season_keep_their_pairs_and_dtypes(model_type):
    rng = np.random.default_rng(1)
    month = rng.integers(1, 13, 400)
    season = np.array(["winter", "spring", "summer", "autumn"])[(month % 12) // 3]
    table = pd.DataFrame(
        {"month": month, "season": pd.Categorical(season), "t": rng.normal(size=400)}
    )
    constraints = [{"kind": "fixed_combinations", "columns": ["month", "season"]}]
    model = sg.create(
        model_type, seed=0, constraints=constraints, verbose=False, **FAST[model_type]
    )
    sample = model.fit(table).sample(2000)
    assert sample.dtypes.equals(table.dtypes)
    assert set(zip(sample["month"], sample["season"], strict=True)) <= set(
        zip(table["month"], table["season"], strict=True)
    )
    assert (model.sample(20, conditions={"month": 1})["season"] == "winter").all()
    assert set(model.sample(20, conditions={"season": "winter"})["month"]) <= {12, 1, 2}
