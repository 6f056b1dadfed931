"""Exact dependencies between columns: found at fit, kept in every generated row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.models.autoregressive.dependencies import find_dependencies
from synthgen_core.models.autoregressive.model import Autoregressive

SMALL: dict[str, Any] = {
    "width": 32,
    "depth": 2,
    "heads": 2,
    "batch_size": 128,
    "device": "cpu",
    "seed": 0,
}


def test_a_column_that_another_determines_is_found_and_chance_is_not():
    rng = np.random.default_rng(0)
    code = rng.integers(0, 6, 2_000)
    label = (code * 7) % 5  # a function of code, not one to one
    noise = rng.integers(0, 3, 2_000)
    unique = np.arange(2_000)  # determines everything, by accident
    tokens = np.stack([code, label, noise, unique], axis=1)
    found = find_dependencies(tokens, [6, 5, 3, 2_000], rng)
    assert [(d.determinant, d.dependent) for d in found] == [(0, 1)]
    assert found[0].lookup == [(c * 7) % 5 for c in range(6)]


def _logged_table(rows: int = 1_500) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    popul = rng.choice([0.0, 3.0, 9.0, 40.0, 190.0, 3500.0, 7300.0], rows)
    level = np.where(popul > 100, "city", "town")
    return pd.DataFrame(
        {
            "popul": popul,
            "logpopul": np.log(popul + 0.1),
            "level": level,
            "age": rng.integers(18, 90, rows),
        }
    )


@pytest.fixture(scope="module")
def logged() -> tuple[pd.DataFrame, Autoregressive]:
    table = _logged_table()
    return table, Autoregressive(max_epochs=3, **SMALL).fit(table)


def test_generated_rows_keep_the_dependency_in_every_row(logged):
    _, model = logged
    rows = model.sample(3_000, seed=1)
    np.testing.assert_array_equal(rows["logpopul"], np.log(rows["popul"] + 0.1))
    assert set(rows["level"][rows["popul"] > 100]) == {"city"}


def test_a_condition_on_the_dependent_column_restricts_its_determinant(logged):
    _, model = logged
    rows = model.sample(500, seed=2, conditions={"logpopul": float(np.log(40.1))})
    assert (rows["popul"] == 40.0).all()
    towns = model.sample(500, seed=3, conditions={"level": "town"})
    assert (towns["popul"] <= 100).all()


def test_dependencies_survive_save_and_load(logged, tmp_path):
    _, model = logged
    model.save(tmp_path / "model.sgm")
    loaded = sg.load(tmp_path / "model.sgm")
    assert isinstance(loaded, Autoregressive)
    assert loaded.dependencies_ == model.dependencies_
    pd.testing.assert_frame_equal(loaded.sample(200, seed=4), model.sample(200, seed=4))
