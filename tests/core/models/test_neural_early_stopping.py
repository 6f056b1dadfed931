"""Opt-in early stopping of CTGAN, CopulaGAN and TVAE on a validation split."""

from __future__ import annotations

from math import ceil
from typing import Any

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.errors import ConfigError
from synthgen_core.models.ctgan.model import MIN_PATIENCE_STEPS

SMALL = {
    "ctgan": {"batch_size": 20, "pac": 2, "generator_dim": [16], "discriminator_dim": [16]},
    "copulagan": {"batch_size": 20, "pac": 2, "generator_dim": [16], "discriminator_dim": [16]},
    "tvae": {"batch_size": 20, "compress_dims": [16], "decompress_dims": [16]},
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    size = 200
    return pd.DataFrame(
        {
            "amount": rng.gamma(2, 10, size).round(2),
            "kind": rng.choice(["a", "b", "c"], size, p=[0.6, 0.3, 0.1]),
        }
    )


def _model(model_type: str, **options: Any) -> Any:
    return sg.create(
        model_type, device="cpu", embedding_dim=8, seed=0, **SMALL[model_type], **options
    )


@pytest.mark.parametrize("model_type", sorted(SMALL))
def test_validation_split_stops_early_and_keeps_the_best_epoch(
    model_type: str, table: pd.DataFrame
) -> None:
    model = _model(model_type, epochs=800, validation_fraction=0.2, patience=2).fit(table)
    history = model.loss_history_
    assert len(history) < 800, "training stopped before the epoch budget"
    assert all("validation" in epoch for epoch in history)
    watched = "validation_smoothed" if "validation_smoothed" in history[0] else "validation"
    scores = [epoch[watched] for epoch in history]
    assert model.best_epoch_ == int(np.argmin(scores)) + 1
    # patience epochs without a better score; a GAN waits at least 2,000 generator steps
    steps_per_epoch = 160 // 20  # training rows // batch_size
    waited = 2 if model_type == "tvae" else max(2, ceil(MIN_PATIENCE_STEPS / steps_per_epoch))
    assert len(history) - model.best_epoch_ == waited
    assert len(model.sample(50, seed=1)) == 50


@pytest.mark.parametrize("model_type", sorted(SMALL))
def test_without_a_validation_split_every_epoch_runs(model_type: str, table: pd.DataFrame) -> None:
    model = _model(model_type, epochs=4).fit(table)
    assert len(model.loss_history_) == model.best_epoch_ == 4
    assert "validation" not in model.loss_history_[0]


def test_the_best_weights_survive_save_and_load(table: pd.DataFrame, tmp_path: Any) -> None:
    model = _model("tvae", epochs=300, validation_fraction=0.2, patience=2).fit(table)
    model.save(tmp_path / "m.sgm")
    loaded = sg.load(tmp_path / "m.sgm")
    pd.testing.assert_frame_equal(loaded.sample(40, seed=3), model.sample(40, seed=3))


@pytest.mark.parametrize("options", [{"validation_fraction": 0.5}, {"patience": 0}])
def test_bad_early_stopping_options_name_the_option(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=next(iter(options))):
        sg.create("ctgan", **options)
