"""Training checkpoints: an interrupted fit resumes and ends where an uninterrupted one does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.models.autoregressive.model import Autoregressive
from synthgen_core.models.ctgan.model import CTGAN
from synthgen_core.models.tvae.model import TVAE
from synthgen_core.nn.checkpoint import Checkpoint, training_key
from synthgen_core.nn.training import TrainingProgress

#: The models that train in epochs (CopulaGAN is a CTGAN).
Neural = CTGAN | TVAE | Autoregressive

GAN: dict[str, Any] = {
    "epochs": 6,
    "batch_size": 20,
    "pac": 2,
    "generator_dim": [16],
    "discriminator_dim": [16],
    "embedding_dim": 8,
}
NEURAL: dict[str, dict[str, Any]] = {
    "ctgan": GAN,
    "copulagan": GAN,
    "tvae": {
        "epochs": 6,
        "batch_size": 20,
        "compress_dims": [16],
        "decompress_dims": [16],
        "embedding_dim": 8,
    },
    "autoregressive": {"max_epochs": 6, "width": 16, "depth": 1, "heads": 2, "patience": 50},
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    size = 120
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, size),
            "income": rng.lognormal(10, 1, size).round(2),
            "city": rng.choice(["Paris", "Lyon", "Nice"], size),
        }
    )


def _model(model_type: str, **extra: Any) -> Neural:
    model = sg.create(model_type, device="cpu", **NEURAL[model_type], **extra)
    assert isinstance(model, Neural)
    return model


def _stop_after(epochs: int, seen: list[TrainingProgress]) -> Any:
    def callback(progress: TrainingProgress) -> bool:
        seen.append(progress)
        return progress.epoch >= epochs

    return callback


@pytest.mark.parametrize(
    ("model_type", "extra"),
    [
        *((model_type, {}) for model_type in sorted(NEURAL) if model_type != "autoregressive"),
        ("autoregressive", {"bin_rows": 20}),  # one training; see the test of its choices
        ("ctgan", {"validation_fraction": 0.2, "patience": 50}),
        ("tvae", {"validation_fraction": 0.2, "patience": 50}),
    ],
)
def test_resumed_fit_ends_with_the_uninterrupted_model(
    model_type: str, extra: dict[str, Any], table: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "train.ckpt"
    whole = _model(model_type, seed=3, **extra).fit(table)

    first: list[TrainingProgress] = []
    _model(model_type, seed=3, **extra).fit(table, callback=_stop_after(2, first), checkpoint=path)
    assert path.is_file(), "a fit stopped by its callback keeps its checkpoint"

    second: list[TrainingProgress] = []
    resumed = _model(model_type, seed=3, **extra).fit(
        table, callback=_stop_after(99, second), checkpoint=path
    )
    assert [p.epoch for p in second] == [3, 4, 5, 6]
    assert {p.resumed_from_epoch for p in second} == {2}
    assert not path.exists(), "a finished fit removes its checkpoint"
    assert len(resumed.loss_history_) == len(whole.loss_history_) == 6
    np.testing.assert_allclose(
        [list(e.values()) for e in resumed.loss_history_],
        [list(e.values()) for e in whole.loss_history_],
        rtol=1e-5,
    )
    pd.testing.assert_frame_equal(resumed.sample(50, seed=1), whole.sample(50, seed=1))


def test_a_fit_of_several_choices_resumes_the_choice_it_stopped_in(
    table: pd.DataFrame, tmp_path: Path
) -> None:
    """The autoregressive model fits a small table once per choice of bins (stages 0-2)."""
    path = tmp_path / "train.ckpt"
    whole = _model("autoregressive", seed=3).fit(table)

    first: list[TrainingProgress] = []
    stopped = _model("autoregressive", seed=3)
    stopped.fit(table, callback=_stop_after(8, first), checkpoint=path)
    assert [p.epoch for p in first] == list(range(1, 9))
    assert {p.total_epochs for p in first} == {18}, "three choices of six epochs each"
    key = training_key("autoregressive", stopped.get_config(), table)
    assert Checkpoint(path, key=key).stage == 1
    second: list[TrainingProgress] = []
    resumed = _model("autoregressive", seed=3).fit(
        table, callback=_stop_after(99, second), checkpoint=path
    )
    # the first choice is trained again, the second resumes from the file, the third is new
    assert [p.epoch for p in second] == list(range(1, 7)) + list(range(9, 19))
    assert [p.resumed_from_epoch for p in second] == [0] * 6 + [8] * 4 + [0] * 6
    assert not path.exists(), "a finished fit removes its checkpoint"
    assert isinstance(resumed, Autoregressive) and isinstance(whole, Autoregressive)
    assert resumed.bin_rows_ == whole.bin_rows_
    np.testing.assert_allclose(
        [list(e.values()) for e in resumed.loss_history_],
        [list(e.values()) for e in whole.loss_history_],
        rtol=1e-5,
    )
    pd.testing.assert_frame_equal(resumed.sample(50, seed=1), whole.sample(50, seed=1))


def test_a_crash_resumes_from_the_last_periodic_save(table: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "train.ckpt"
    options = NEURAL["tvae"] | {"epochs": 14}

    def crash(progress: TrainingProgress) -> None:
        if progress.epoch == 12:
            raise KeyboardInterrupt  # as if the process died after epoch 12

    with pytest.raises(KeyboardInterrupt):
        sg.create("tvae", device="cpu", **options).fit(table, callback=crash, checkpoint=path)
    seen: list[TrainingProgress] = []
    sg.create("tvae", device="cpu", **options).fit(
        table, callback=_stop_after(99, seen), checkpoint=path
    )
    assert seen[0].resumed_from_epoch == 10  # saved every 10 epochs
    assert seen[0].epoch == 11


def test_a_seedless_fit_resumes_with_the_seed_it_started_with(
    table: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "train.ckpt"
    _model("tvae").fit(table, callback=_stop_after(2, []), checkpoint=path)
    seed = Checkpoint(path, key=training_key("tvae", _model("tvae").get_config(), table)).seed
    assert seed is not None
    resumed = _model("tvae").fit(table, checkpoint=path)
    reference = _model("tvae", seed=seed).fit(table)
    pd.testing.assert_frame_equal(resumed.sample(30, seed=2), reference.sample(30, seed=2))


def test_a_checkpoint_of_another_table_or_options_is_not_resumed(
    table: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "train.ckpt"
    _model("tvae", seed=1).fit(table, callback=_stop_after(2, []), checkpoint=path)
    for other_table, options in ((table.head(100), {"seed": 1}), (table, {"seed": 2})):
        seen: list[TrainingProgress] = []
        _model("tvae", **options).fit(other_table, callback=_stop_after(3, seen), checkpoint=path)
        assert seen[0].epoch == 1 and seen[0].resumed_from_epoch == 0


def test_a_torn_checkpoint_file_is_ignored(table: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "train.ckpt"
    path.write_bytes(b"\x00garbage" * 100)
    seen: list[TrainingProgress] = []
    model = _model("tvae", seed=1).fit(table, callback=_stop_after(99, seen), checkpoint=path)
    assert seen[0].epoch == 1 and len(model.loss_history_) == 6
    assert not path.exists()


def test_the_gaussian_copula_accepts_a_checkpoint_and_leaves_no_file(
    table: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "train.ckpt"
    sg.create("gaussian_copula").fit(table, checkpoint=path)
    assert not path.exists()
