"""CTGAN as users drive it: fit, sample, conditions, reproducibility, files, options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthgen_core.errors import (
    ConditionError,
    ConfigError,
    DataError,
    ModelFileError,
    NotFittedError,
)
from synthgen_core.io.model_file import read_model_file, write_model_file
from synthgen_core.models.ctgan.model import CTGAN
from synthgen_core.models.load import load
from synthgen_core.models.registry import create
from synthgen_core.nn.training import TrainingProgress
from tests.shared_data import DATASETS

DATA = Path(__file__).parent / "data"  # model files written by earlier versions

TINY: dict[str, Any] = {
    "batch_size": 100,
    "embedding_dim": 16,
    "generator_dim": [32, 32],
    "discriminator_dim": [32],
}


def _read(name: str, rows: int = 1_000) -> pd.DataFrame:
    frame = pd.read_csv(DATASETS / name)
    return frame.sample(n=rows, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    return _read("adult.csv")


@pytest.fixture(scope="module")
def fitted(adult: pd.DataFrame) -> CTGAN:
    return CTGAN(epochs=2, seed=0, **TINY).fit(adult)


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
    real = _read(name)
    model = CTGAN(epochs=1, seed=0, **TINY).fit(real)
    synthetic = model.sample(300, seed=0)
    assert list(synthetic.columns) == list(real.columns)
    assert len(synthetic) == 300
    assert dict(synthetic.dtypes) == dict(real.dtypes)
    for column in model.metadata_.discrete_columns:
        assert set(synthetic[column].dropna()) <= set(real[column].dropna()), column


def test_losses_are_recorded_per_epoch(fitted: CTGAN) -> None:
    history = fitted.loss_history
    assert len(history) == 2
    assert all(set(epoch) == {"generator", "discriminator"} for epoch in history)
    assert all(np.isfinite(list(epoch.values())).all() for epoch in history)


def test_same_seed_same_model_and_rows(adult: pd.DataFrame, fitted: CTGAN) -> None:
    again = CTGAN(epochs=2, seed=0, **TINY).fit(adult)
    assert again.loss_history == fitted.loss_history
    pd.testing.assert_frame_equal(again.sample(200, seed=5), fitted.sample(200, seed=5))
    assert not fitted.sample(200, seed=5).equals(fitted.sample(200, seed=6))


def test_every_discrete_column_can_be_conditioned(adult: pd.DataFrame, fitted: CTGAN) -> None:
    for column in fitted.transformer_.codec.discrete_columns:
        rarest = adult[column].value_counts().index[-1]
        rows = fitted.sample(50, seed=1, conditions={column: rarest})
        assert (rows[column] == rarest).all(), column


def test_a_condition_steers_the_rest_of_the_row() -> None:
    rng = np.random.default_rng(0)
    group = rng.choice(["low", "high"], 1_000)
    value = np.where(group == "low", rng.normal(-50, 1, 1_000), rng.normal(50, 1, 1_000))
    real = pd.DataFrame({"group": group, "value": value})
    fast: dict[str, Any] = {"generator_lr": 2e-3, "discriminator_lr": 2e-3}
    small: dict[str, Any] = {"batch_size": 100, "embedding_dim": 32, "generator_dim": [64, 64]}
    model = CTGAN(epochs=40, seed=0, discriminator_dim=[64], **small, **fast).fit(real)
    high = model.sample(200, seed=0, conditions={"group": "high"})["value"]
    low = model.sample(200, seed=0, conditions={"group": "low"})["value"]
    assert (high > 0).mean() > 0.9
    assert (low < 0).mean() > 0.9


def test_a_point_mass_follows_the_category_it_belongs_to() -> None:
    """Cash tips are exactly 0, card tips hardly ever: the tie must survive, not only the share.

    The zero is an exact mode of ``tip``, and training-by-sampling conditions on ``tip``'s
    modes as on ``payment``'s categories.
    """
    rng = np.random.default_rng(0)
    payment = rng.choice(["cash", "card"], 2_000, p=[0.3, 0.7])
    card_tip = np.where(rng.random(2_000) < 0.1, 0.0, np.round(rng.lognormal(1.0, 0.4, 2_000), 2))
    real = pd.DataFrame({"payment": payment, "tip": np.where(payment == "cash", 0.0, card_tip)})
    fast: dict[str, Any] = {"generator_lr": 2e-3, "discriminator_lr": 2e-3}
    small: dict[str, Any] = {"batch_size": 200, "embedding_dim": 32, "generator_dim": [64, 64]}
    model = CTGAN(epochs=20, seed=0, discriminator_dim=[64], **small, **fast).fit(real)
    assert model.sampler_.width > model.sampler_.discrete_width, "tip's modes are conditions"
    rows = model.sample(2_000, seed=0)
    zero = rows["tip"] == 0.0
    # Real: 100% of cash tips and 10% of card tips are 0; a model that lost the tie would
    # give both the overall share, 37%. Twenty short epochs land near 80% and 10-17% (the
    # exact figures move with the CPU's float kernels), well apart from that.
    assert zero[rows["payment"] == "cash"].mean() > 0.7
    assert zero[rows["payment"] == "card"].mean() < 0.25


def test_numerical_and_second_discrete_conditions_use_rejection(fitted: CTGAN) -> None:
    conditions = {"sex": " Female", "race": " White", "hours-per-week": 40}
    rows = fitted.sample(30, seed=2, conditions=conditions)
    assert len(rows) == 30
    for column, value in conditions.items():
        assert (rows[column] == value).all(), column


def test_impossible_conditions_raise(fitted: CTGAN) -> None:
    with pytest.raises(ConditionError, match="workclass"):
        fitted.sample(5, conditions={"workclass": "Astronaut"})
    with pytest.raises(ConditionError, match="range"):
        fitted.sample(5, conditions={"age": 500})


def test_save_and_load_give_the_same_rows(tmp_path: Path, fitted: CTGAN) -> None:
    path = tmp_path / "model.sgm"
    fitted.save(path)
    loaded = load(path)
    assert isinstance(loaded, CTGAN)
    assert loaded.loss_history == fitted.loss_history
    pd.testing.assert_frame_equal(loaded.sample(100, seed=3), fitted.sample(100, seed=3))
    conditions = {"income": " >50K"}
    pd.testing.assert_frame_equal(
        loaded.sample(20, seed=3, conditions=conditions),
        fitted.sample(20, seed=3, conditions=conditions),
    )


def test_a_model_file_from_before_mode_conditions_samples_as_it_did() -> None:
    """Files of state version 1 (conditions on categories only) give their old rows."""
    model = load(DATA / "ctgan-state-v1.sgm")
    assert isinstance(model, CTGAN) and not model.sampler_.modes
    written = pd.read_csv(DATA / "ctgan-state-v1-rows.csv")
    pd.testing.assert_frame_equal(model.sample(40, seed=1), written)
    voucher = pd.read_csv(DATA / "ctgan-state-v1-voucher.csv")
    pd.testing.assert_frame_equal(
        model.sample(10, seed=2, conditions={"payment": "voucher"}), voucher
    )


def test_a_model_file_from_a_newer_synthgen_is_refused(tmp_path: Path) -> None:
    header, arrays = read_model_file(DATA / "ctgan-state-v1.sgm")
    header.state = {**header.state, "state_version": 99}
    write_model_file(tmp_path / "newer.sgm", header, arrays)
    with pytest.raises(ModelFileError, match="newer SynthGen"):
        load(tmp_path / "newer.sgm")


def test_a_model_trained_on_a_missing_device_loads_on_the_cpu(
    tmp_path: Path, fitted: CTGAN
) -> None:
    path = tmp_path / "model.sgm"
    fitted.save(path)
    header, arrays = read_model_file(path)
    header.options = {**header.options, "device": "cuda"}  # as if trained on a GPU
    write_model_file(path, header, arrays)
    loaded = load(path)
    assert loaded.options["device"] == "cuda"
    pd.testing.assert_frame_equal(loaded.sample(50, seed=4), fitted.sample(50, seed=4))


def test_callback_sees_every_epoch_and_can_stop(adult: pd.DataFrame) -> None:
    seen: list[TrainingProgress] = []

    def callback(progress: TrainingProgress) -> bool:
        seen.append(progress)
        return progress.epoch == 2

    model = CTGAN(epochs=5, seed=0, **TINY).fit(adult.head(300), callback=callback)
    assert [p.epoch for p in seen] == [1, 2]
    assert all(p.total_epochs == 5 for p in seen)
    assert len(model.loss_history) == 2


def test_time_budget_stops_training(adult: pd.DataFrame) -> None:
    model = CTGAN(epochs=50, seed=0, max_training_seconds=1e-6, **TINY).fit(adult.head(300))
    assert len(model.loss_history) == 1
    assert len(model.sample(10, seed=0)) == 10


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"batch_size": 105, "pac": 10}, "pac"),
        ({"generator_lr": 0}, "generator_lr"),
        ({"epochs": 0}, "epochs"),
        ({"discriminator_steps": "2"}, "discriminator_steps"),
        ({"layers": 3}, "unknown option 'layers'"),
    ],
)
def test_bad_options_raise_config_error(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CTGAN(**options)


def test_an_unknown_device_fails_at_fit(adult: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="device"):
        CTGAN(device="tpu9", **TINY).fit(adult.head(100))


def test_unfitted_model_refuses_to_sample() -> None:
    model = create("ctgan", epochs=1)
    assert isinstance(model, CTGAN)
    with pytest.raises(NotFittedError):
        model.sample(5)
    with pytest.raises(NotFittedError):
        _ = model.loss_history


def test_zero_rows_and_tables_without_discrete_columns() -> None:
    real = pd.DataFrame({"x": np.random.default_rng(0).normal(size=300)})
    model = CTGAN(epochs=1, seed=0, **TINY).fit(real)
    assert model.sample(0).shape == (0, 1)
    assert model.sample(7, seed=0)["x"].notna().all()


def test_a_table_with_nothing_to_learn_is_refused() -> None:
    with pytest.raises(DataError, match="nothing for a GAN to learn"):
        CTGAN(epochs=1, **TINY).fit(pd.DataFrame({"constant": ["x"] * 50}))
