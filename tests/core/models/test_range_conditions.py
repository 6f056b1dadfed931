"""Every model honours range conditions in every row, and draws the rest given the range.

Hypothesis draws ranges from the training table's own quantiles (either bound may be open,
and bounds off the column's grid are rounded inwards); every generated row must lie in the
bounds the user gave. The Gaussian copula and the autoregressive model apply ranges exactly,
so they never refuse one; the other models use bounded rejection, which may say a range is
too rare, and then only with that message. The autoregressive model is also checked to
recover the conditional mean of ``y = 3x + noise`` under a range on ``x``: a range is a
conditional, not a filter over unrelated rows.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import synthgen_core as sg
from synthgen_core.errors import ConditionError
from synthgen_core.models.base import Synthesizer
from synthgen_core.ranges import Range

ROWS = 600
#: Small models: the property is about the conditions, not the quality of the rows.
OPTIONS: dict[str, dict[str, Any]] = {
    "gaussian_copula": {},
    "autoregressive": {"max_epochs": 3, "width": 16, "depth": 1, "heads": 2},
    "ctgan": {"epochs": 3, "batch_size": 100, "generator_dim": [32], "discriminator_dim": [32]},
    "copulagan": {"epochs": 3, "batch_size": 100, "generator_dim": [32], "discriminator_dim": [32]},
    "tvae": {"epochs": 3, "batch_size": 100, "compress_dims": [32], "decompress_dims": [32]},
}
EXACT = {"gaussian_copula", "autoregressive"}
RANGED = ("amount", "age", "day")


@cache
def real() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    age = rng.integers(18, 80, ROWS)
    spend = np.where(rng.random(ROWS) < 0.2, 0.0, age * rng.gamma(2, 3, ROWS))  # 20% zeros
    return pd.DataFrame(
        {
            "age": age,
            "amount": np.round(spend, 2),
            "day": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 365, ROWS), "D"),
            "plan": rng.choice(["basic", "pro", "team"], ROWS),
        }
    )


@cache
def fitted(model_type: str) -> Synthesizer:
    options = OPTIONS[model_type] | {"seed": 0, "verbose": False}
    return sg.create(model_type, **options).fit(real())


def _axis(values: pd.Series) -> np.ndarray:
    """Numbers, or datetimes as nanoseconds, to compare with bounds."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.astype("int64").to_numpy(dtype=np.float64)
    return values.to_numpy(dtype=np.float64)


@st.composite
def ranges(draw: st.DrawFn) -> dict[str, Any]:
    """One or two ranges between training quantiles at least 0.3 apart, as JSON gives them."""
    columns = draw(st.lists(st.sampled_from(RANGED), min_size=1, max_size=2, unique=True))
    out: dict[str, Any] = {}
    for column in columns:
        low = draw(st.floats(0.0, 0.7))
        high = draw(st.floats(low + 0.3, 1.0))
        values = real()[column]
        bounds = [values.quantile(q) for q in (low, high)]
        shown: list[Any]
        if column == "day":
            shown = [pd.Timestamp(str(b)).isoformat() for b in bounds]
        else:
            jitter = draw(st.floats(-0.4, 0.4))  # off the column's grid: rounded inwards
            shown = [float(b) + jitter for b in bounds]
        keep = draw(st.sampled_from(["both", "min", "max"]))
        named = zip(("min", "max"), shown, strict=True)
        out[column] = {k: v for k, v in named if keep in (k, "both")}
    return out


def _inside(rows: pd.Series, bounds: dict[str, Any]) -> bool:
    values = _axis(rows)
    as_number = (
        (lambda b: float(pd.Timestamp(b).value))
        if pd.api.types.is_datetime64_any_dtype(rows)
        else float
    )
    low = as_number(bounds["min"]) if "min" in bounds else -np.inf
    high = as_number(bounds["max"]) if "max" in bounds else np.inf
    return bool(((values >= low) & (values <= high)).all())


def _sample_unless_too_rare(
    model: Synthesizer, conditions: dict[str, Any], seed: int
) -> pd.DataFrame | None:
    """Rows, or None where bounded rejection says the conditions are too rare."""
    try:
        return model.sample(150, seed=seed, conditions=conditions)
    except ConditionError as error:
        if "too rare" not in str(error):
            raise
        return None


@pytest.mark.parametrize("model_type", sorted(OPTIONS))
def test_every_row_lies_in_random_ranges(model_type: str) -> None:
    model = fitted(model_type)

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(conditions=ranges(), plan=st.sampled_from([None, "pro"]), seed=st.integers(0, 99))
    def check(conditions: dict[str, Any], plan: str | None, seed: int) -> None:
        asked = conditions | ({"plan": plan} if plan else {})
        if model_type in EXACT:  # never refused
            rows = model.sample(150, seed=seed, conditions=asked)
        else:
            found = _sample_unless_too_rare(model, asked, seed)
            if found is None:
                event("too rare for rejection")
                return
            rows = found
        assert len(rows) == 150
        for column, bounds in conditions.items():
            assert _inside(rows[column], bounds), (column, bounds)
        if plan:
            assert (rows["plan"] == plan).all()

    check()


def test_a_range_given_as_a_range_or_a_mapping_gives_the_same_rows() -> None:
    model = fitted("autoregressive")
    mapping = model.sample(200, seed=3, conditions={"age": {"min": 30, "max": 45}})
    typed = model.sample(200, seed=3, conditions={"age": Range(min=30, max=45)})
    assert mapping.equals(typed)
    assert mapping["age"].between(30, 45).all()


def test_the_autoregressive_model_recovers_the_conditional_mean() -> None:
    """Under ``6 <= x <= 8``, ``y = 3x + noise`` averages 21, far from its overall 15."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 10.0, 2000)
    table = pd.DataFrame({"x": np.round(x, 3), "y": np.round(3 * x + rng.normal(0, 1, 2000), 3)})
    options = {"max_epochs": 40, "width": 32, "depth": 2, "heads": 2, "seed": 0, "verbose": False}
    model = sg.create("autoregressive", **options).fit(table)
    rows = model.sample(2000, seed=1, conditions={"x": {"min": 6, "max": 8}})
    assert rows["x"].between(6, 8).all()
    assert abs(rows["x"].mean() - 7.0) < 0.15  # the range's own distribution, not its edge
    assert abs(rows["y"].mean() - 21.0) < 1.0
    open_high = model.sample(2000, seed=2, conditions={"x": {"min": 9}})
    assert (open_high["x"] >= 9).all()
    assert abs(open_high["y"].mean() - 28.5) < 1.0


def test_the_copula_recovers_the_conditional_mean_of_a_range() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 1.0, 3000)
    table = pd.DataFrame({"x": x, "y": 2 * x + rng.normal(0, 0.5, 3000)})
    model = sg.create("gaussian_copula", seed=0, numerical_distribution="norm").fit(table)
    rows = model.sample(4000, seed=1, conditions={"x": {"min": 1.0}})
    assert (rows["x"] >= 1.0).all()
    # E[x | x >= 1] for a standard normal is phi(1) / (1 - Phi(1)) = 1.525
    assert abs(rows["x"].mean() - 1.525) < 0.05
    assert abs(rows["y"].mean() - 2 * 1.525) < 0.1
