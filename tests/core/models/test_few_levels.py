"""A float column of a few distinct values comes back as exactly those values, in every model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg

LEVELS = [0.05068011873981862, -0.044641636506989144]  # all 17 significant digits
OPTIONS: dict[str, dict[str, Any]] = {
    "gaussian_copula": {},
    "ctgan": {"epochs": 3, "batch_size": 50, "pac": 5},
    "copulagan": {"epochs": 3, "batch_size": 50, "pac": 5},
    "tvae": {"epochs": 3, "batch_size": 50},
    "autoregressive": {"max_epochs": 2},
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    size = 300
    return pd.DataFrame(
        {
            "sex": rng.choice(LEVELS, size),
            "bmi": rng.normal(0, 0.05, size),
            "y": rng.normal(size=size),
        }
    )


@pytest.mark.parametrize("model_type", sorted(OPTIONS))
def test_two_float_levels_come_back_exactly(model_type: str, table: pd.DataFrame) -> None:
    model = sg.create(model_type, seed=0, verbose=False, **OPTIONS[model_type]).fit(table)
    rows = model.sample(500, seed=1)
    assert set(rows["sex"]) <= set(LEVELS)
    conditioned = model.sample(20, seed=2, conditions={"sex": LEVELS[0]})
    assert (conditioned["sex"] == LEVELS[0]).all()
