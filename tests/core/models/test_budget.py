"""The footprint estimate: exact parameter counts for its widths, widths that bound fit's,
and budgets refused with a ConfigError that names the options to lower."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
import pytest
import torch

import synthgen_core as sg
from synthgen_core.errors import ConfigError
from synthgen_core.metadata import Metadata
from synthgen_core.models.autoregressive.mlp import EMBEDDING_WIDTH, AnyOrderMLP
from synthgen_core.models.autoregressive.ordinal import ORDINAL_FEATURES
from synthgen_core.models.autoregressive.transformer import AnyOrderTransformer
from synthgen_core.models.budget import (
    CONFIG_TYPES,
    MLP_EMBEDDING_WIDTH,
    builtin_config,
    check_footprint,
    estimate_footprint,
    table_widths,
)
from synthgen_core.models.budget import ORDINAL_FEATURES as BUDGET_ORDINAL_FEATURES
from synthgen_core.models.config import (
    AutoregressiveConfig,
    CTGANConfig,
    GaussianCopulaConfig,
    TVAEConfig,
)
from synthgen_core.models.ctgan.networks import Discriminator, Generator
from synthgen_core.models.registry import MODEL_TYPES
from synthgen_core.models.tvae.networks import Decoder, Encoder
from synthgen_core.transform.table import TableTransformer


def _frame(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    """Numbers with many modes and gaps, categories with gaps, a boolean and a date."""
    rng = np.random.default_rng(seed)
    spiky = rng.choice([0.0, 10.0, 20.0, 30.0], rows) + rng.normal(0, 0.01, rows)
    frame = pd.DataFrame(
        {
            "amount": np.where(rng.random(rows) < 0.1, np.nan, rng.lognormal(3, 1, rows)),
            "spiky": spiky,
            "plan": rng.choice(np.array(["free", "pro", "team", None], dtype=object), rows),
            "flag": rng.choice([True, False], rows),
            "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, rows), "D"),
        }
    )
    return frame


def _count(network: torch.nn.Module) -> int:
    return sum(parameter.numel() for parameter in network.parameters())


@pytest.fixture
def metadata() -> Metadata:
    return Metadata.detect(_frame())


def test_ctgan_parameters_are_those_of_the_networks_it_builds(metadata: Metadata) -> None:
    config = CTGANConfig(generator_dim=[64, 32, 16], discriminator_dim=[40, 20], pac=5)
    widths = table_widths(metadata)
    generator, critic = estimate_footprint(config, metadata).parts
    with torch.device("meta"):
        built = Generator(128, widths.categories + widths.modes, [64, 32, 16], widths.data)
        judge = Discriminator(widths.data + widths.categories, [40, 20], 5)
    assert (generator.parameters, critic.parameters) == (_count(built), _count(judge))


def test_tvae_parameters_are_those_of_the_networks_it_builds(metadata: Metadata) -> None:
    config = TVAEConfig(compress_dims=[30, 20], decompress_dims=[], embedding_dim=7)
    widths = table_widths(metadata)
    encoder, decoder = estimate_footprint(config, metadata).parts
    with torch.device("meta"):
        built = Encoder(widths.data, [30, 20], 7), Decoder(7, [], widths.data, widths.scalars)
    assert (encoder.parameters, decoder.parameters) == tuple(_count(n) for n in built)


@pytest.mark.parametrize("architecture", ["transformer", "mlp"])
def test_autoregressive_parameters_are_those_of_the_network_it_builds(
    metadata: Metadata, architecture: Literal["transformer", "mlp"]
) -> None:
    config = AutoregressiveConfig(
        architecture=architecture, width=32, depth=2, heads=4, max_bins=50
    )
    widths = table_widths(metadata, max_bins=50)
    built: torch.nn.Module
    with torch.device("meta"):
        if architecture == "mlp":
            built = AnyOrderMLP(list(widths.vocab), width=32, depth=2, dropout=0.0)
        else:
            built = AnyOrderTransformer(list(widths.vocab), width=32, depth=2, heads=4, dropout=0.0)
    assert estimate_footprint(config, metadata).parameters == _count(built)


def test_auto_is_estimated_as_the_larger_of_the_two_networks(metadata: Metadata) -> None:
    footprints = {
        architecture: estimate_footprint(AutoregressiveConfig(architecture=architecture), metadata)
        for architecture in ("auto", "mlp", "transformer")
    }
    largest = max(footprints["mlp"].memory_bytes, footprints["transformer"].memory_bytes)
    assert footprints["auto"].memory_bytes == largest


def test_the_estimate_s_constants_are_the_network_s() -> None:
    assert (MLP_EMBEDDING_WIDTH, BUDGET_ORDINAL_FEATURES) == (EMBEDDING_WIDTH, ORDINAL_FEATURES)


def test_the_widths_bound_what_fit_learns() -> None:
    frame = _frame()
    metadata = Metadata.detect(frame)
    widths = table_widths(metadata)
    layout = TableTransformer(metadata).fit(frame).layout
    assert layout.width <= widths.data
    assert sum(span.width for span in layout.spans if span.role == "category") == widths.categories
    assert sum(span.width for span in layout.mode_spans) <= widths.modes


@pytest.mark.parametrize("model_type", ["ctgan", "tvae", "autoregressive", "autoregressive-mlp"])
def test_a_fitted_model_has_no_more_parameters_than_estimated(model_type: str) -> None:
    frame = _frame(rows=200)
    sizes: dict[str, dict[str, Any]] = {
        "ctgan": {"epochs": 1, "batch_size": 50, "generator_dim": [16], "discriminator_dim": [8]},
        "tvae": {"epochs": 1, "batch_size": 50, "compress_dims": [16], "decompress_dims": [8]},
        "autoregressive": {"max_epochs": 1, "width": 16, "heads": 2, "depth": 1},
        "autoregressive-mlp": {"max_epochs": 1, "width": 16, "depth": 2, "architecture": "mlp"},
    }
    small = sizes[model_type]
    model_type = model_type.removesuffix("-mlp")
    model = sg.create(model_type, device="cpu", seed=0, **small).fit(frame)
    network = {"ctgan": "generator_", "tvae": "decoder_", "autoregressive": "network_"}[model_type]
    footprint = estimate_footprint(model.config, Metadata.detect(frame))
    part = {"ctgan": 0, "tvae": 1, "autoregressive": None}[model_type]
    estimated = footprint.parameters if part is None else footprint.parts[part].parameters
    assert 0 < _count(getattr(model, network)) <= estimated


def test_the_33_billion_parameter_generator_is_refused_naming_its_options(
    metadata: Metadata,
) -> None:
    config = CTGANConfig(generator_dim=[16384] * 16, embedding_dim=4096)
    assert estimate_footprint(config, metadata).parameters > 33e9
    with pytest.raises(ConfigError, match=r"33\.\d billion parameters") as caught:
        check_footprint(config, metadata, max_parameters=200_000_000)
    assert "lower generator_dim or embedding_dim" in str(caught.value)
    assert getattr(caught.value, "option", None) == "generator_dim"


def test_memory_over_budget_from_the_batch_names_batch_size(metadata: Metadata) -> None:
    config = TVAEConfig(batch_size=1_000_000)
    footprint = estimate_footprint(config, metadata)
    assert footprint.activation_bytes > footprint.weight_bytes
    with pytest.raises(ConfigError, match="GiB of memory.*lower batch_size") as caught:
        check_footprint(config, metadata, max_memory_bytes=2**30)
    assert getattr(caught.value, "option", None) == "batch_size"


def test_memory_over_budget_from_the_weights_names_the_network(metadata: Metadata) -> None:
    config = AutoregressiveConfig(
        architecture="transformer", width=1024, depth=16, heads=16, batch_size=2
    )
    with pytest.raises(ConfigError, match="lower depth or width") as caught:
        check_footprint(config, metadata, max_memory_bytes=2**30)
    assert getattr(caught.value, "option", None) == "depth"


def test_defaults_fit_the_service_defaults_on_a_wide_table() -> None:
    """A table of 100 columns of 50 categories each trains at every default."""
    frame = pd.DataFrame({f"c{i}": [f"v{j}" for j in range(50)] * 2 for i in range(100)})
    metadata = Metadata.detect(frame)
    for config_type in (CTGANConfig, TVAEConfig, AutoregressiveConfig):
        check_footprint(
            config_type(), metadata, max_parameters=200_000_000, max_memory_bytes=8 * 2**30
        )


def test_the_gaussian_copula_has_nothing_to_refuse(metadata: Metadata) -> None:
    footprint = check_footprint(GaussianCopulaConfig(), metadata, max_parameters=1)
    assert (footprint.parameters, footprint.memory_bytes) == (0, 0)


def test_builtin_config_types_are_the_registered_ones() -> None:
    for model_type, config_type in CONFIG_TYPES.items():
        assert MODEL_TYPES[model_type].config_schema["$ref"].endswith(config_type.__name__)
    config = builtin_config("tvae", {"epochs": 3})
    assert isinstance(config, TVAEConfig) and config.epochs == 3
    assert builtin_config("gaussian_copula", {}) is None
