"""Model types: the built-ins, validation of options, and third-party plugins."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import synthgen_core as sg
from synthgen_core.demo import demo_table
from synthgen_core.errors import ConfigError
from synthgen_core.models.registry import (
    MODEL_TYPES,
    create,
    model_class,
    model_types,
    validate_config,
)
from synthgen_core.nn.device import resolve_device

PLUGIN = textwrap.dedent(
    '''
    from typing import Any

    import numpy as np
    import pandas as pd
    import torch

    from synthgen_core.models.base import ModelState, Synthesizer
    from synthgen_core.models.config import ModelConfig


    class ShuffleConfig(ModelConfig, kw_only=True, forbid_unknown_fields=True):
        rounds: int = 1


    class ColumnShuffle(Synthesizer):
        """Samples every column independently from its own values."""

        model_type = "column_shuffle"
        display_name = "Column shuffle"
        description = "Independent columns - a test plugin"
        config_type = ShuffleConfig

        def _fit(self, data, metadata, callback):
            self.columns_ = {name: data[name].to_numpy() for name in data.columns}

        def _sample(self, num_rows, rng, conditions):
            picked = {n: rng.choice(v, size=num_rows) for n, v in self.columns_.items()}
            return pd.DataFrame(picked)

        def _get_state(self):
            return ModelState(values={}, arrays={})

        def _set_state(self, state):
            pass


    def tpu(name: str) -> torch.device:
        return torch.device("cpu")
    '''
)


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install a plugin distribution the way pip would: a module plus its dist-info."""
    (tmp_path / "shuffle_plugin.py").write_text(PLUGIN)
    info = tmp_path / "shuffle_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shuffle-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[synthgen.models]\ncolumn_shuffle = shuffle_plugin:ColumnShuffle\n\n"
        "[synthgen.devices]\ntpu = shuffle_plugin:tpu\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))


def test_the_four_builtin_types_are_listed_with_their_schema():
    ids = [info.id for info in model_types()]
    assert ids[:4] == ["ctgan", "copulagan", "tvae", "gaussian_copula"]
    assert MODEL_TYPES["ctgan"].name == "CTGAN"
    schema = MODEL_TYPES["ctgan"].config_schema
    assert "pac" in str(schema)


def test_validate_config_fills_defaults_and_names_bad_options():
    assert validate_config("tvae", {"epochs": 5})["batch_size"] == 500
    with pytest.raises(ConfigError, match="unknown option 'epoch'"):
        validate_config("ctgan", {"epoch": 5})
    with pytest.raises(ConfigError, match="pac"):
        validate_config("ctgan", {"pac": 7})
    with pytest.raises(ConfigError, match="unknown model_type 'gan'"):
        validate_config("gan", {})


def test_create_builds_the_registered_class_with_its_options():
    model = create("gaussian_copula", seed=3)
    assert isinstance(model, model_class("gaussian_copula"))
    assert model.get_config()["seed"] == 3
    with pytest.raises(ConfigError, match="seed"):
        create("gaussian_copula", seed="three")


@pytest.mark.usefixtures("plugin")
def test_a_plugin_model_type_appears_everywhere_and_fits():
    assert "column_shuffle" in MODEL_TYPES
    assert MODEL_TYPES["column_shuffle"].description.startswith("Independent columns")
    assert validate_config("column_shuffle", {"rounds": 2})["rounds"] == 2
    model = sg.create("column_shuffle").fit(demo_table())
    assert len(model.sample(20, seed=1)) == 20


@pytest.mark.usefixtures("plugin")
def test_a_plugin_device_resolves():
    assert resolve_device("tpu").type == "cpu"


def test_model_types_is_a_mapping_that_answers_membership():
    assert "autoregressive" in sg.MODEL_TYPES
    assert "no_such_model" not in sg.MODEL_TYPES
    assert sg.MODEL_TYPES.get("no_such_model") is None
    with pytest.raises(sg.ConfigError, match="choose one of"):
        sg.MODEL_TYPES["no_such_model"]


#: ``GET /api/synthgen/model-types`` as the API contract writes it: (id, name, description).
CONTRACT = [
    ("ctgan", "CTGAN", "Conditional Tabular GAN - best for general tabular data"),
    ("copulagan", "CopulaGAN", "Copula-based GAN - good for capturing correlations"),
    ("tvae", "TVAE", "Tabular VAE - faster training, good for large datasets"),
    ("gaussian_copula", "Gaussian Copula", "Statistical copula model - fastest, good baseline"),
]


def test_the_built_ins_are_described_as_the_api_contract_says() -> None:
    described = [(info.id, info.name, info.description) for info in model_types()]
    assert described[: len(CONTRACT)] == CONTRACT


@pytest.mark.parametrize("model_type", [entry[0] for entry in CONTRACT] + ["autoregressive"])
def test_a_built_in_class_leaves_its_name_and_description_to_the_registry(
    model_type: str,
) -> None:
    cls = model_class(model_type)
    assert cls.model_type == model_type
    assert not {"display_name", "description"} & set(vars(cls))
