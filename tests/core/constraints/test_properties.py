"""Hypothesis: a table that satisfies a random set of constraints gives samples that do too."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synthgen_core as sg


@st.composite
def constrained_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """A table built to keep a random subset of constraint kinds, and those constraints."""
    rows = draw(st.integers(min_value=30, max_value=120))
    rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    decimals = draw(st.integers(min_value=0, max_value=3))
    base = rng.normal(draw(st.floats(-50, 50)), draw(st.floats(0.5, 20)), rows).round(decimals)
    table = pd.DataFrame({"base": base})
    chosen: list[dict[str, Any]] = []
    if draw(st.booleans()):
        table["above"] = (base + rng.exponential(3, rows)).round(decimals)
        strict = draw(st.booleans())
        if strict:
            table["above"] = np.maximum(table["above"], base + 10.0**-decimals).round(decimals)
        chosen.append({"kind": "inequality", "low": "base", "high": "above", "strict": strict})
    if draw(st.booleans()):
        table["level"] = rng.uniform(0, 1, rows).round(3)
        chosen.append({"kind": "range", "column": "level", "low": 0.0, "high": 1.0})
    if draw(st.booleans()):
        table["size"] = np.abs(base)
        chosen.append({"kind": "positive", "column": "size"})
    if draw(st.booleans()):
        step = draw(st.sampled_from([0.5, 2.0, 5.0, 25.0]))
        table["steps"] = rng.integers(-10, 10, rows) * step
        chosen.append({"kind": "fixed_increments", "column": "steps", "increment": step})
    if draw(st.booleans()):
        table["part"] = rng.uniform(0, 10, rows).round(decimals)
        table["sum"] = (base + table["part"]).round(decimals)
        chosen.append({"kind": "formula", "column": "sum", "expression": "base + part"})
    if draw(st.booleans()):
        group = rng.choice(["a", "b", "c", "d", "e"], rows)
        table["group"] = group
        table["family"] = np.where(np.isin(group, ["a", "b"]), "x", "y")
        chosen.append({"kind": "fixed_combinations", "columns": ["group", "family"]})
    return table, chosen


def holds(sample: pd.DataFrame, table: pd.DataFrame, constraint: dict[str, Any]) -> bool:
    kind = constraint["kind"]
    if kind == "inequality":
        low, high = sample[constraint["low"]], sample[constraint["high"]]
        return bool((low < high).all() if constraint["strict"] else (low <= high).all())
    if kind == "range":
        return bool(sample[constraint["column"]].between(0, 1).all())
    if kind == "positive":
        return bool((sample[constraint["column"]] >= 0).all())
    if kind == "fixed_increments":
        counts = sample[constraint["column"]] / constraint["increment"]
        return bool(((counts - counts.round()).abs() < 1e-6).all())
    if kind == "formula":
        error = (sample["base"] + sample["part"] - sample["sum"]).abs()
        return bool((error <= 0.51 * 10.0 ** -_decimals(table["sum"]) + 1e-9).all())
    seen = set(zip(table["group"], table["family"], strict=True))
    return set(zip(sample["group"], sample["family"], strict=True)) <= seen


def _decimals(series: pd.Series) -> int:
    for decimals in range(6):
        if np.allclose(series, series.round(decimals)):
            return decimals
    return 6


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(constrained_tables(), st.sampled_from(["gaussian_copula", "tvae"]))
def test_samples_keep_the_constraints_the_table_keeps(case, model_type):
    table, constraints = case
    options = {"epochs": 1, "batch_size": 50} if model_type == "tvae" else {}
    model = sg.create(model_type, constraints=constraints, seed=0, verbose=False, **options)
    sample = model.fit(table).sample(200)
    assert list(sample.columns) == list(table.columns)
    for constraint in constraints:
        assert holds(sample, table, constraint), constraint
