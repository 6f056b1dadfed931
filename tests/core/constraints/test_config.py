"""Bad constraint configs fail early, naming the constraint, the field and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.errors import ConfigError, ConfigOptionError, DataError


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    start = rng.uniform(0, 10, 200).round(2)
    return pd.DataFrame(
        {
            "start": start,
            "end": (start + rng.uniform(0, 5, 200)).round(2),
            "city": rng.choice(["Paris", "Lyon"], 200),
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 99, 200), "D"),
        }
    )


@pytest.mark.parametrize(
    ("constraint", "where", "problem"),
    [
        (
            {"kind": "range", "column": "start", "low": 5, "high": 1},
            "constraints[0]",
            "contradictory",
        ),
        ({"kind": "range", "column": "start"}, "constraints[0]", "at least one bound"),
        ({"kind": "inequality", "low": "start", "high": "start"}, "constraints[0]", "same column"),
        ({"kind": "bigger", "column": "start"}, "constraints[0].kind", "known kinds: inequality"),
        ({"column": "start"}, "constraints[0]", "needs a kind"),
        ({"kind": "inequality", "low": "start"}, "constraints[0]", "`high`"),
        ({"kind": "unique", "columns": ["start"], "extra": 1}, "constraints[0]", "`extra`"),
        ({"kind": "formula", "column": "end", "expression": "start.real"}, "constraints[0]", "'.'"),
        ({"kind": "formula", "column": "end", "expression": "end + 1"}, "constraints[0]", "itself"),
        (
            {"kind": "fixed_increments", "column": "start", "increment": 0},
            "constraints[0].increment",
            ">",
        ),
        ({"kind": "fixed_combinations", "columns": ["city"]}, "constraints[0]", "at least 2"),
    ],
)
def test_refused_when_the_model_is_created(constraint, where, problem):
    with pytest.raises(ConfigOptionError, match=problem) as raised:
        sg.create("gaussian_copula", constraints=[constraint])
    assert raised.value.option == where
    assert where in str(raised.value)


@pytest.mark.parametrize(
    ("constraint", "where", "problem"),
    [
        ({"kind": "inequality", "low": "start", "high": "stop"}, "constraints[1].high", "'stop'"),
        ({"kind": "positive", "column": "city"}, "constraints[1].column", "is categorical"),
        ({"kind": "inequality", "low": "start", "high": "when"}, "constraints[1].high", "two"),
        (
            {"kind": "formula", "column": "end", "expression": "start + x"},
            "constraints[1].expr",
            "'x'",
        ),
        (
            {"kind": "fixed_combinations", "columns": ["city", "when"]},
            "constraints[1].columns",
            "datetime",
        ),
    ],
)
def test_refused_at_fit_naming_constraint_and_column(table, constraint, where, problem):
    model = sg.create(
        "gaussian_copula", constraints=[{"kind": "unique", "columns": ["start"]}, constraint]
    )
    with pytest.raises(ConfigOptionError, match=problem) as raised:
        model.fit(table)
    assert raised.value.option.startswith(where)
    assert constraint["kind"] in str(raised.value)


def test_a_table_that_breaks_a_constraint_is_refused_with_the_count(table):
    broken = table.assign(end=table["start"] - 1)
    model = sg.create(
        "gaussian_copula", constraints=[{"kind": "inequality", "low": "start", "high": "end"}]
    )
    with pytest.raises(
        DataError, match=r"constraints\[0\] \(inequality start <= end\) does not hold in 200 of 200"
    ):
        model.fit(broken)


def test_constraint_errors_are_config_errors():
    with pytest.raises(ConfigError):
        sg.create("tvae", constraints="start <= end")


def test_constraints_show_in_the_config_with_defaults():
    model = sg.create("gaussian_copula", constraints=[{"kind": "positive", "column": "x"}])
    assert model.get_config()["constraints"] == [
        {"kind": "positive", "column": "x", "strict": False}
    ]
