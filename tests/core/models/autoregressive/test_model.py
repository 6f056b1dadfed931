"""The autoregressive model as users drive it: any-order conditions, early stopping,
options, save/load and sampling details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

import synthgen_core as sg
from synthgen_core.errors import ConditionError, ConfigError, ModelFileError
from synthgen_core.io.model_file import read_model_file, write_model_file
from synthgen_core.models.autoregressive.model import Autoregressive
from synthgen_core.models.config import AUTO_MLP_ROWS, AVERAGE_TABLE_ROWS, WEIGHT_AVERAGE_DECAY
from synthgen_core.nn.early_stopping import MIN_RELATIVE_IMPROVEMENT

SMALL: dict[str, Any] = {"width": 32, "depth": 2, "heads": 2, "batch_size": 128, "device": "cpu"}


def _dependent_table(rows: int = 3_000, seed: int = 0) -> pd.DataFrame:
    """y = 3x + noise; the group shifts x; a flag follows the group."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["low", "mid", "high"], size=rows)
    x = rng.normal(0, 1, rows) + np.select([group == "low", group == "mid"], [-3.0, 0.0], 3.0)
    y = 3.0 * x + rng.normal(0, 0.5, rows)
    flag = (group == "high") ^ (rng.random(rows) < 0.05)
    return pd.DataFrame({"group": group, "x": x.round(3), "y": y.round(3), "flag": flag})


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return _dependent_table()


@pytest.fixture(scope="module", params=["transformer", "mlp"])
def fitted(table: pd.DataFrame, request: pytest.FixtureRequest) -> Autoregressive:
    """The model fitted with each network: every test below holds for both."""
    model = Autoregressive(max_epochs=40, seed=0, architecture=request.param, **SMALL)
    return model.fit(table)


@pytest.mark.parametrize(
    ("column", "value"),
    [("group", "low"), ("group", "high"), ("x", 2.5), ("y", -7.0), ("flag", True)],
)
def test_conditioning_on_each_column_gives_exact_values(fitted, column, value):
    rows = fitted.sample(300, seed=1, conditions={column: value})
    assert (rows[column] == value).all()


def test_conditions_on_any_column_move_the_others_as_the_real_conditional_does(fitted):
    # Forward: y given x follows the line; backward: x given y, a direction never fixed.
    forward = fitted.sample(2_000, seed=2, conditions={"x": 2.0})
    assert forward["y"].mean() == pytest.approx(6.0, abs=0.6)
    backward = fitted.sample(2_000, seed=3, conditions={"y": -9.0})
    assert backward["x"].mean() == pytest.approx(-3.0, abs=0.4)
    assert (backward["group"] == "low").mean() > 0.8
    high = fitted.sample(2_000, seed=4, conditions={"flag": True})
    assert (high["group"] == "high").mean() > 0.8


def test_two_and_three_conditions_hold_together(fitted):
    rows = fitted.sample(500, seed=5, conditions={"group": "mid", "flag": False, "x": 0.25})
    assert (rows["group"] == "mid").all() and (~rows["flag"]).all() and (rows["x"] == 0.25).all()


def test_unconditional_rows_keep_the_dependencies(fitted, table):
    rows = fitted.sample(3_000, seed=6)
    residual = rows["y"] - 3.0 * rows["x"]
    assert residual.abs().median() < 0.6  # the noise's is 0.34; independent columns', 6
    assert np.corrcoef(rows["x"], rows["y"])[0, 1] > 0.95
    by_group = rows.groupby("group")["x"].mean()
    assert by_group["low"] < -2.0 < 2.0 < by_group["high"]
    assert (
        rows["group"]
        .value_counts(normalize=True)
        .sub(table["group"].value_counts(normalize=True))
        .abs()
        .max()
        < 0.05
    )


def test_early_stopping_keeps_the_best_epoch(fitted):
    history = fitted.loss_history
    validation = [epoch["validation"] for epoch in history]
    best = validation[fitted.best_epoch_ - 1]  # no later epoch beat it by a real margin
    assert best <= min(validation) * (1 + MIN_RELATIVE_IMPROVEMENT)
    assert all(loss > best for loss in validation[: fitted.best_epoch_ - 1])
    if len(history) < 40:  # stopped early: patience epochs after the best
        assert len(history) == fitted.best_epoch_ + fitted.config.patience


def test_without_a_validation_split_every_epoch_runs(table):
    model = Autoregressive(max_epochs=3, validation_fraction=0.0, seed=0, **SMALL)
    model.fit(table.head(500))
    assert len(model.loss_history) == 3 and model.best_epoch_ == 3
    assert "validation" not in model.loss_history[0]


def test_a_low_temperature_sharpens_the_categories(fitted, tmp_path: Path):
    rows = fitted.sample(3_000, seed=7, conditions={"x": 0.0})
    fitted.save(tmp_path / "model.sgm")
    header, arrays = read_model_file(tmp_path / "model.sgm")
    header.options["temperature"] = 0.3  # as if fitted with it: sampling reads the option
    write_model_file(tmp_path / "sharp.sgm", header, arrays)
    sharp_rows = sg.load(tmp_path / "sharp.sgm").sample(3_000, seed=7, conditions={"x": 0.0})
    assert (sharp_rows["group"] == "mid").mean() > (rows["group"] == "mid").mean()


def test_a_rare_condition_is_fast_and_exact(fitted):
    rows = fitted.sample(10_000, seed=8, conditions={"group": "low", "flag": True})
    assert len(rows) == 10_000 and rows["flag"].all() and (rows["group"] == "low").all()


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"width": 30, "heads": 4}, "heads"),
        ({"max_epochs": 0}, "max_epochs"),
        ({"validation_fraction": 0.7}, "validation_fraction"),
        ({"temperature": 0}, "temperature"),
        ({"patience": 0}, "patience"),
        ({"jitter_rows": -1}, "jitter_rows"),
        ({"epochs": 10}, "epochs"),
    ],
)
def test_bad_options_name_the_option(options, option):
    with pytest.raises(ConfigError, match=option):
        Autoregressive(**options)


def test_a_condition_outside_the_learned_range_is_refused(fitted):
    with pytest.raises(ConditionError, match="outside the range"):
        fitted.sample(10, conditions={"x": 1_000.0})


def test_the_model_file_holds_weights_and_tokens_only(fitted, tmp_path: Path):
    path = tmp_path / "ar.sgm"
    fitted.save(path)
    header, arrays = read_model_file(path)
    assert all(name.startswith("network.") for name in arrays)
    assert header.state["best_epoch"] == fitted.best_epoch_


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine can load on CUDA")
def test_a_model_trained_on_cuda_loads_on_the_cpu(fitted, tmp_path: Path):
    path = tmp_path / "ar.sgm"
    fitted.save(path)
    header, arrays = read_model_file(path)
    header.options["device"] = "cuda"  # as written by a model trained on a GPU
    write_model_file(path, header, arrays)
    loaded = sg.load(path)
    assert isinstance(loaded, Autoregressive) and loaded.device_ == torch.device("cpu")
    pd.testing.assert_frame_equal(loaded.sample(50, seed=1), fitted.sample(50, seed=1))


def test_fit_and_sample_leave_the_global_random_state_alone(table):
    before = torch.random.get_rng_state().clone()
    numpy_before = np.random.get_state(legacy=False)["state"]["key"].copy()  # noqa: NPY002
    Autoregressive(max_epochs=1, seed=0, **SMALL).fit(table.head(300)).sample(10, seed=0)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert np.array_equal(np.random.get_state(legacy=False)["state"]["key"], numpy_before)  # noqa: NPY002


def test_dropout_masks_come_from_the_seed(table):
    def fit() -> Autoregressive:
        options = {**SMALL, "dropout": 0.3, "max_epochs": 2, "validation_fraction": 0.0}
        return Autoregressive(seed=4, **options).fit(table.head(600))

    first, again = fit(), fit()
    assert first.loss_history == again.loss_history
    pd.testing.assert_frame_equal(first.sample(100, seed=1), again.sample(100, seed=1))


def test_auto_fits_the_mlp_on_large_tables_and_the_transformer_on_small_ones():
    config = Autoregressive().config
    assert config.network_architecture(AUTO_MLP_ROWS) == "mlp"
    assert config.network_architecture(AUTO_MLP_ROWS - 1) == "transformer"
    assert Autoregressive(architecture="mlp").config.network_architecture(10) == "mlp"
    assert config.network_shape("mlp") != config.network_shape("transformer")  # own defaults
    assert Autoregressive(width=64).config.network_shape("mlp")[0] == 64


def test_tables_from_1000_rows_keep_a_moving_average_of_the_weights(table):
    config = Autoregressive().config
    assert config.weight_average(AVERAGE_TABLE_ROWS) == WEIGHT_AVERAGE_DECAY
    assert config.weight_average(AVERAGE_TABLE_ROWS - 1) == 0.0
    assert Autoregressive(weight_average_decay=0.5).config.weight_average(10) == 0.5

    def weights(rows: int, **options: Any) -> torch.Tensor:
        options = {**SMALL, "max_epochs": 2, "validation_fraction": 0.0, **options}
        model = Autoregressive(seed=0, **options).fit(table.head(rows))
        return torch.cat([parameter.flatten() for parameter in model.network_.parameters()])

    small, large = AVERAGE_TABLE_ROWS - 1, AVERAGE_TABLE_ROWS
    assert torch.equal(weights(small), weights(small, weight_average_decay=0.0))
    assert not torch.equal(weights(large), weights(large, weight_average_decay=0.0))


def test_the_model_file_names_its_network_and_old_files_load_as_transformers(table, tmp_path: Path):
    model = Autoregressive(max_epochs=2, seed=0, architecture="transformer", **SMALL)
    model.fit(table.head(600)).save(tmp_path / "new.sgm")
    header, arrays = read_model_file(tmp_path / "new.sgm")
    assert header.state["architecture"] == "transformer"
    del header.state["architecture"]  # a file written before the model had two networks
    header.state["state_version"] = 1
    header.options.pop("architecture")
    write_model_file(tmp_path / "old.sgm", header, arrays)
    old = sg.load(tmp_path / "old.sgm")
    assert isinstance(old, Autoregressive) and old.architecture_ == "transformer"
    pd.testing.assert_frame_equal(old.sample(200, seed=3), model.sample(200, seed=3))
    header.state["architecture"] = "lstm"
    write_model_file(tmp_path / "odd.sgm", header, arrays)
    with pytest.raises(ModelFileError, match="unknown network architecture 'lstm'"):
        sg.load(tmp_path / "odd.sgm")


def test_conditioned_rows_are_the_unconditional_rows_that_meet_the_condition(fitted):
    """Conditions follow the model's own conditional, column by column in the table's order."""
    rows = fitted.sample(20_000, seed=9)
    for condition, meets in (
        ({"flag": True}, rows["flag"]),
        ({"y": sg.Range(min=3.0, max=12.0)}, rows["y"].between(3.0, 12.0)),
    ):
        conditioned = fitted.sample(4_000, seed=10, conditions=condition)
        filtered = rows[meets]
        for group in ("low", "mid", "high"):
            expected = (filtered["group"] == group).mean()
            assert (conditioned["group"] == group).mean() == pytest.approx(expected, abs=0.04)
        assert conditioned["x"].mean() == pytest.approx(filtered["x"].mean(), abs=0.25)
