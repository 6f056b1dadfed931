"""Range conditions: how they are checked and normalised, and the rules they travel through.

Every refusal is a ConditionError that names the column, so the service can point at
``conditions.<column>``; what is accepted comes back as a :class:`Range` of the column's own
values, its bounds rounded inwards to what the column can hold.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synthgen_core as sg
from synthgen_core.errors import ConditionError
from synthgen_core.metadata import Metadata
from synthgen_core.ranges import Range
from synthgen_core.sampling.conditions import range_numbers, validate_conditions


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame(
        {
            "age": rng.integers(18, 78, n),
            "spend": np.round(rng.gamma(2.0, 20.0, n), 2),
            "joined": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
            "plan": rng.choice(["basic", "pro"], n),
            "customer_id": [f"c{i}" for i in range(n)],
        }
    )


@pytest.fixture(scope="module")
def metadata(table: pd.DataFrame) -> Metadata:
    return Metadata.detect(table)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"age": {"min": 30, "max": 40}}, Range(min=30, max=40)),
        ({"age": {"min": "29.5"}}, Range(min=30)),  # whole numbers: inwards to 30
        ({"age": {"max": 40.9}}, Range(max=40)),
        ({"age": Range(min=30, max=30)}, Range(min=30, max=30)),
        ({"spend": {"min": 10.001, "max": "20.019"}}, Range(min=10.01, max=20.01)),
        ({"age": {"min": 0, "max": 20}}, Range(min=0, max=20)),  # overlaps the learned range
        ({"spend": {"min": -1e308, "max": 1e308}}, Range(min=-1e308, max=1e308)),
        (
            {"joined": {"min": "2020-02-01T12:00", "max": "2020-03-01"}},  # day precision
            Range(min=pd.Timestamp("2020-02-02"), max=pd.Timestamp("2020-03-01")),
        ),
        (
            {"joined": {"max": "2020-02-01T00:00:00+02:00"}},  # 22:00 UTC the day before
            Range(max=pd.Timestamp("2020-01-31")),
        ),
    ],
)
def test_accepted_ranges_become_ranges_of_the_columns_values(
    metadata: Metadata, given: dict[str, Any], expected: Range
) -> None:
    checked = validate_conditions(metadata, given)
    assert checked == {next(iter(given)): expected}
    assert validate_conditions(metadata, checked) == checked  # checking again changes nothing


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("plan", {"min": "basic"}, "cannot condition categorical column 'plan' on a range"),
        ("customer_id", {"min": 3}, "cannot condition on id column 'customer_id'"),
        ("age", {"min": 40, "max": 30}, "min above its max"),
        ("age", {"low": 30}, "unknown keys ['low']"),
        ("age", {}, "neither min nor max"),
        ("age", Range(), "neither min nor max"),
        ("age", {"min": 30.2, "max": 30.8}, "holds no value the column can take"),
        ("age", {"min": 100}, "lies entirely outside the range the model learned"),
        ("age", {"max": 3}, "lies entirely outside"),
        ("joined", {"max": "1999-01-01"}, "lies entirely outside"),
        ("age", {"min": "thirty"}, "give a number, not 'thirty'"),
        ("age", {"min": True}, "give a number, not True"),
        ("age", {"min": float("inf")}, "not a finite number"),
        ("age", {"max": 10**400}, "give a number"),  # JSON integers have no bound
        ("spend", {"max": [3]}, "give a number"),
        ("joined", {"min": "someday"}, "holds datetimes"),
        ("joined", {"min": 5}, "holds datetimes"),
    ],
)
def test_bad_ranges_are_refused_naming_the_column(
    metadata: Metadata, column: str, value: Any, message: str
) -> None:
    with pytest.raises(ConditionError) as caught:
        validate_conditions(metadata, {column: value})
    assert caught.value.column == column
    assert message in str(caught.value)


def test_a_range_cannot_be_built_with_unknown_fields() -> None:
    with pytest.raises(TypeError, match="low"):
        Range(low=3)  # type: ignore[call-arg]


def _checked_spend(metadata: Metadata, low: float | None, high: float) -> Range | None:
    """The normalised range on ``spend``, or None where it is refused naming the column."""
    try:
        return validate_conditions(metadata, {"spend": {"min": low, "max": high}})["spend"]
    except ConditionError as error:
        if error.column != "spend":
            raise
        return None


@settings(max_examples=60, deadline=None)
@given(
    low=st.one_of(st.none(), st.floats(-50, 150, allow_nan=False)),
    width=st.floats(0, 200, allow_nan=False),
)
def test_normalised_bounds_lie_inside_the_given_ones(
    metadata: Metadata, low: float | None, width: float
) -> None:
    """Inward rounding never widens a range: what the user asked for is a superset."""
    high = width if low is None else low + width
    checked = _checked_spend(metadata, low, high)
    if checked is None:
        return
    lower, upper = range_numbers(metadata.column("spend"), checked)
    assert low is None or lower >= low
    assert lower <= upper <= high
    for bound in (checked.min, checked.max):
        assert bound is None or round(bound, 2) == bound


def test_ranges_on_constrained_columns_hold_with_the_constraint(table: pd.DataFrame) -> None:
    """A range on a column a constraint rewrites is met by the plan's rejection step."""
    real = table.assign(renewed=table["joined"] + pd.to_timedelta(table["age"] % 90, "D"))
    inequality = {"kind": "inequality", "low": "joined", "high": "renewed"}
    model = sg.create("gaussian_copula", seed=0, constraints=[inequality]).fit(real)
    rows = model.sample(
        300,
        seed=1,
        conditions={"renewed": {"min": "2020-06-01", "max": "2021-01-01"}, "age": {"max": 50}},
    )
    assert len(rows) == 300
    assert rows["renewed"].between(pd.Timestamp("2020-06-01"), pd.Timestamp("2021-01-01")).all()
    assert (rows["joined"] <= rows["renewed"]).all()
    assert (rows["age"] <= 50).all()


def test_a_datetime_value_left_to_rejection_is_matched_on_its_own_axis(
    table: pd.DataFrame,
) -> None:
    """An inequality's ``high`` alone is checked after the plan, in the column's day unit."""
    real = table.assign(renewed=table["joined"] + pd.to_timedelta(table["age"] % 90, "D"))
    inequality = {"kind": "inequality", "low": "joined", "high": "renewed"}
    model = sg.create("gaussian_copula", seed=0, constraints=[inequality]).fit(real)
    rows = model.sample(50, seed=1, conditions={"renewed": "2020-08-01"})
    assert (rows["renewed"] == pd.Timestamp("2020-08-01")).all()
    assert (rows["joined"] <= rows["renewed"]).all()
