"""TVAE as users drive it: fit, sample, conditions, save/load, options and training control."""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from synthgen_core.errors import ConditionError, ConfigError, NotFittedError
from synthgen_core.io.model_file import read_model_file, write_model_file
from synthgen_core.models.load import load
from synthgen_core.models.registry import create
from synthgen_core.models.tvae.model import TVAE
from synthgen_core.nn.training import TrainingProgress

SMALL: dict[str, Any] = {
    "embedding_dim": 8,
    "compress_dims": [32],
    "decompress_dims": [32],
    "batch_size": 100,
}


def _table(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], size=rows, p=[0.5, 0.3, 0.2])
    amount = np.where(group == "a", 10.0, 50.0) + rng.normal(0, 2, rows)
    amount[rng.random(rows) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "group": group,
            "amount": amount.round(2),
            "count": rng.integers(0, 100, rows),
            "flag": rng.random(rows) < 0.3,
        }
    )


def _global_numpy_state() -> np.ndarray:
    state: np.ndarray = np.random.get_state(legacy=False)["state"]["key"]  # noqa: NPY002
    return state.copy()


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return _table()


@pytest.fixture(scope="module")
def fitted(table: pd.DataFrame) -> TVAE:
    return TVAE(epochs=3, seed=0, **SMALL).fit(table)


def test_fit_returns_self_and_sample_keeps_the_table_shape(table: pd.DataFrame) -> None:
    model = TVAE(epochs=2, seed=0, **SMALL)
    assert model.fit(table) is model
    sample = model.sample(250, seed=1)
    assert list(sample.columns) == list(table.columns)
    assert len(sample) == 250
    assert sample.dtypes.equals(table.dtypes)
    assert set(sample["group"]) <= {"a", "b", "c"}
    assert sample["amount"].isna().any()  # missing values are learned, not dropped
    assert [set(epoch) for epoch in model.loss_history] == [{"loss", "reconstruction", "kl"}] * 2


def test_registry_creates_tvae_with_its_options() -> None:
    model = create("tvae", epochs=7, seed=3)
    assert isinstance(model, TVAE)
    assert model.get_config()["epochs"] == 7
    assert model.get_config()["loss_factor"] == 2.0


def test_sample_is_a_pure_function_of_its_seed(fitted: TVAE) -> None:
    first = fitted.sample(100, seed=5)
    pd.testing.assert_frame_equal(first, fitted.sample(100, seed=5))
    assert not first.equals(fitted.sample(100, seed=6))


def test_same_config_seed_same_model_and_global_rngs_untouched(table: pd.DataFrame) -> None:
    torch_state = torch.get_rng_state()
    numpy_state = _global_numpy_state()
    first = TVAE(epochs=2, seed=11, **SMALL).fit(table)
    again = TVAE(epochs=2, seed=11, **SMALL).fit(table)
    other = TVAE(epochs=2, seed=12, **SMALL).fit(table)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(_global_numpy_state(), numpy_state)
    assert first.loss_history == again.loss_history
    assert first.loss_history != other.loss_history
    pd.testing.assert_frame_equal(first.sample(50, seed=0), again.sample(50, seed=0))


def test_training_learns_marginals_and_the_dependence_between_columns(
    table: pd.DataFrame,
) -> None:
    options = {**SMALL, "batch_size": 50, "learning_rate": 5e-3}  # ~300 steps suffice
    model = TVAE(epochs=40, seed=0, **options).fit(table)
    history = model.loss_history
    assert history[-1]["loss"] < history[0]["loss"]
    sample = model.sample(3000, seed=0)
    real_shares = table["group"].value_counts(normalize=True)
    synthetic_shares = sample["group"].value_counts(normalize=True)
    assert (synthetic_shares - real_shares).abs().max() < 0.08
    medians = sample.groupby("group")["amount"].median()  # real: a ~10, b and c ~50
    assert medians["a"] < 30 < min(medians["b"], medians["c"])
    assert abs(sample["amount"].isna().mean() - table["amount"].isna().mean()) < 0.05


def test_values_are_encoded_in_their_likeliest_mode_and_the_choice_is_saved(
    fitted: TVAE, tmp_path: Path
) -> None:
    # A value sampled into one of two overlapping modes would give the decoder's position
    # regression two targets (see the module docstring); CTGAN keeps sampling.
    assert fitted.transformer_.mode_choice == "likeliest"
    path = tmp_path / "tvae.sgm"
    fitted.save(path)
    loaded = load(path)
    assert isinstance(loaded, TVAE)
    assert loaded.transformer_.mode_choice == "likeliest"


def test_sampling_zero_rows_gives_an_empty_table_with_the_columns(
    fitted: TVAE, table: pd.DataFrame
) -> None:
    sample = fitted.sample(0, seed=0)
    assert list(sample.columns) == list(table.columns)
    assert len(sample) == 0


def test_sampling_before_fit_is_refused() -> None:
    with pytest.raises(NotFittedError, match="fit"):
        TVAE().sample(5)


def test_discrete_and_numerical_conditions_hold_in_every_row(fitted: TVAE) -> None:
    sample = fitted.sample(60, seed=0, conditions={"group": "b", "count": 50})
    assert len(sample) == 60
    assert (sample["group"] == "b").all()
    assert (sample["count"] == 50).all()


def test_conditions_the_model_cannot_produce_raise_condition_error() -> None:
    rng = np.random.default_rng(0)
    # Two clusters, [0, 1] and [99, 100]: each mixture mode reaches 4 sigma around its
    # mean, so 50 (inside the learned range) is out of the model's reach.
    values = np.concatenate([rng.uniform(0, 1, 300), rng.uniform(99, 100, 300)])
    model = TVAE(epochs=1, seed=0, **SMALL).fit(pd.DataFrame({"x": values}))
    with pytest.raises(ConditionError, match="too rare"):
        model.sample(10, seed=0, conditions={"x": 50.0})


def test_unknown_condition_column_is_refused(fitted: TVAE) -> None:
    with pytest.raises(ConditionError, match="unknown column"):
        fitted.sample(5, conditions={"nope": 1})


def test_save_and_load_give_the_same_samples(fitted: TVAE, tmp_path: Path) -> None:
    path = tmp_path / "tvae.sgm"
    fitted.save(path)
    loaded = load(path)
    assert isinstance(loaded, TVAE)
    assert loaded.loss_history == fitted.loss_history
    assert loaded.get_config() == fitted.get_config()
    pd.testing.assert_frame_equal(loaded.sample(80, seed=4), fitted.sample(80, seed=4))


def test_file_stores_only_decoder_weights(fitted: TVAE, tmp_path: Path) -> None:
    path = tmp_path / "tvae.sgm"
    fitted.save(path)
    _, arrays = read_model_file(path)
    assert arrays
    assert all(name.startswith("decoder.") for name in arrays)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine can load on CUDA")
def test_a_model_trained_on_cuda_loads_on_the_cpu(fitted: TVAE, tmp_path: Path) -> None:
    path = tmp_path / "tvae.sgm"
    fitted.save(path)
    header, arrays = read_model_file(path)
    header.options["device"] = "cuda"  # as written by a model trained on a GPU
    write_model_file(path, header, arrays)
    loaded = load(path)
    assert isinstance(loaded, TVAE)
    assert loaded.device_ == torch.device("cpu")
    pd.testing.assert_frame_equal(loaded.sample(20, seed=1), fitted.sample(20, seed=1))


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"epochs": 0}, "epochs"),
        ({"compress_dims": [0]}, "compress_dims"),
        ({"decompress_dims": "64"}, "decompress_dims"),
        ({"loss_factor": -1.0}, "loss_factor"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_options_raise_config_error_naming_the_option(
    options: dict[str, Any], option: str
) -> None:
    with pytest.raises(ConfigError, match=option):
        TVAE(**options)


def test_unknown_device_is_refused_at_fit(table: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="unknown device"):
        TVAE(device="tpu", **SMALL).fit(table)


def test_callback_sees_each_epoch_and_can_stop_training(table: pd.DataFrame) -> None:
    seen = []

    def callback(progress: TrainingProgress) -> bool:
        seen.append((progress.epoch, progress.total_epochs, set(progress.losses)))
        return progress.epoch == 2

    model = TVAE(epochs=10, seed=0, **SMALL).fit(table, callback=callback)
    assert seen == [
        (1, 10, {"loss", "reconstruction", "kl"}),
        (2, 10, {"loss", "reconstruction", "kl"}),
    ]
    assert len(model.loss_history) == 2
    assert len(model.sample(10, seed=0)) == 10


def test_max_training_seconds_stops_after_the_epoch_that_crosses_it(table: pd.DataFrame) -> None:
    model = TVAE(epochs=1000, seed=0, max_training_seconds=1e-6, **SMALL).fit(table)
    assert len(model.loss_history) == 1


def test_a_table_of_ids_and_constants_has_nothing_to_train_but_still_samples() -> None:
    table = pd.DataFrame({"id": [f"user-{i:04d}" for i in range(200)], "const": 7})
    model = TVAE(epochs=5, seed=0, **SMALL).fit(table)
    assert model.loss_history == []
    sample = model.sample(30, seed=0)
    assert list(sample.columns) == ["id", "const"]
    assert sample["id"].is_unique
    assert (sample["const"] == 7).all()
