"""CopulaGAN: CTGAN over Gaussian-copula scores, restored to the source's columns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from synthgen_core.errors import ConfigError
from synthgen_core.models.copulagan import CopulaGAN
from synthgen_core.models.ctgan.model import CTGAN
from synthgen_core.models.load import load
from synthgen_core.models.registry import create
from tests.shared_data import DATASETS

TINY: dict[str, Any] = {
    "batch_size": 100,
    "embedding_dim": 16,
    "generator_dim": [32, 32],
    "discriminator_dim": [32],
}


@pytest.fixture(autouse=True, scope="module")
def _single_thread() -> Iterator[None]:
    """Small steps on shared cores: one thread avoids OpenMP spinning (see ctgan conftest)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _mixed_table(rows: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    income = rng.lognormal(10, 1, rows).round(2)
    income[rng.random(rows) < 0.1] = np.nan
    stamps = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 86_400 * 30, rows), "s")
    return pd.DataFrame(
        {
            "income": income,
            "age": rng.integers(18, 90, rows),
            "when": stamps.strftime("%Y-%m-%d %H:%M:%S"),
            "city": rng.choice(["Lyon", "Paris", "Nice"], rows, p=[0.3, 0.6, 0.1]),
        }
    )


@pytest.fixture(scope="module")
def fitted() -> CopulaGAN:
    return CopulaGAN(epochs=2, seed=0, **TINY).fit(_mixed_table())


@pytest.mark.parametrize(
    "name",
    [
        "adult.csv",
        "census.csv.gz",
        "covertype.csv.gz",
        "credit_default.csv",
        "intrusion.csv.gz",
        "taxis.csv",
    ],
)
def test_fit_and_sample_every_dataset(name: str) -> None:
    real = pd.read_csv(DATASETS / name).sample(n=800, random_state=0).reset_index(drop=True)
    model = CopulaGAN(epochs=1, seed=0, **TINY).fit(real)
    synthetic = model.sample(200, seed=0)
    assert list(synthetic.columns) == list(real.columns)
    assert dict(synthetic.dtypes) == dict(real.dtypes)
    for column in model.metadata_.continuous_columns:
        spec = model.copula_columns_[column].spec
        if spec.kind == "numerical":
            values = synthetic[column].dropna().astype(float)
            assert spec.min_value is not None and spec.max_value is not None
            assert values.between(spec.min_value, spec.max_value).all(), column


def test_columns_come_back_in_their_source_form(fitted: CopulaGAN) -> None:
    real = _mixed_table()
    synthetic = fitted.sample(500, seed=1)
    assert dict(synthetic.dtypes) == dict(real.dtypes)
    assert synthetic["age"].between(18, 89).all()
    parsed = pd.to_datetime(synthetic["when"], format="%Y-%m-%d %H:%M:%S")
    assert parsed.between(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-31")).all()
    assert 0 < synthetic["income"].isna().mean() < 1  # NaN restored; the rate needs training
    present = synthetic["income"].dropna()
    np.testing.assert_array_equal(present, present.round(2))
    assert set(synthetic["city"]) <= {"Lyon", "Paris", "Nice"}


def test_marginals_map_continuous_columns_to_normal_scores(fitted: CopulaGAN) -> None:
    real = _mixed_table()
    assert set(fitted.copula_columns_) == {"income", "age", "when"}
    income = real["income"].dropna().to_numpy()
    scores = fitted.copula_columns_["income"].marginal.to_normal(income)
    assert abs(scores.mean()) < 0.25 and abs(scores.std() - 1) < 0.25
    np.testing.assert_allclose(
        fitted.copula_columns_["income"].marginal.from_normal(scores), income, rtol=0.05
    )


def test_reuses_ctgan_training(fitted: CopulaGAN) -> None:
    assert isinstance(fitted, CTGAN)
    assert len(fitted.loss_history) == 2


def test_same_seed_same_rows_and_save_load(tmp_path: Path, fitted: CopulaGAN) -> None:
    again = CopulaGAN(epochs=2, seed=0, **TINY).fit(_mixed_table())
    pd.testing.assert_frame_equal(again.sample(100, seed=2), fitted.sample(100, seed=2))
    path = tmp_path / "copulagan.sgm"
    fitted.save(path)
    loaded = load(path)
    assert isinstance(loaded, CopulaGAN)
    pd.testing.assert_frame_equal(loaded.sample(100, seed=2), fitted.sample(100, seed=2))


def test_conditions_on_categories_and_numbers(fitted: CopulaGAN) -> None:
    rows = fitted.sample(20, seed=3, conditions={"city": "Nice", "age": 40})
    assert (rows["city"] == "Nice").all()
    assert (rows["age"] == 40).all()


def test_options() -> None:
    model = create("copulagan", numerical_distribution="norm", epochs=1)
    assert isinstance(model, CopulaGAN)
    assert model.get_config()["numerical_distribution"] == "norm"
    with pytest.raises(ConfigError, match="numerical_distribution"):
        CopulaGAN(numerical_distribution="cauchy")
    with pytest.raises(ConfigError, match="pac"):
        CopulaGAN(batch_size=64, pac=10)
