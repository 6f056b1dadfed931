"""Every option is bounded where users see it (the JSON Schema), and devices are checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from synthgen_core.errors import ConfigError
from synthgen_core.models.config import (
    CTGANConfig,
    ModelConfig,
    TVAEConfig,
    parse_config,
)
from synthgen_core.models.registry import MODEL_TYPES

BUILTINS = ["ctgan", "copulagan", "tvae", "gaussian_copula", "autoregressive"]


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The config's own properties (``$defs`` also holds the constraint kinds)."""
    definition = schema["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return dict(definition["properties"])


def _variants(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a property (``anyOf: [number, null]``)."""
    alternatives = prop.get("anyOf", [prop])
    return [alt for alt in alternatives if alt.get("type") != "null"]


def _unbounded(prop: dict[str, Any]) -> list[str]:
    problems = []
    for alt in _variants(prop):
        if alt.get("type") in ("integer", "number"):
            if not {"minimum", "exclusiveMinimum"} & set(alt):
                problems.append("no lower bound")
            if not {"maximum", "exclusiveMaximum"} & set(alt):
                problems.append("no upper bound")
        if alt.get("type") == "array":
            if "maxItems" not in alt:
                problems.append("no maxItems")
            problems += [f"items: {p}" for p in _unbounded(alt["items"])]
    return problems


@pytest.mark.parametrize("model_type", BUILTINS)
def test_every_numeric_option_has_both_bounds_in_the_published_schema(model_type: str) -> None:
    properties = _properties(MODEL_TYPES[model_type].config_schema)
    problems = {name: _unbounded(prop) for name, prop in properties.items()}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_time_budget_is_bounded_and_still_optional() -> None:
    prop = _properties(MODEL_TYPES["ctgan"].config_schema)["max_training_seconds"]
    [number] = _variants(prop)
    assert number["maximum"] >= 7 * 24 * 3600  # a week of training stays possible
    assert parse_config(CTGANConfig, {}).max_training_seconds is None
    with pytest.raises(ConfigError, match="max_training_seconds"):
        parse_config(CTGANConfig, {"max_training_seconds": 10**9})


def test_defaults_are_unchanged() -> None:
    ctgan, tvae = parse_config(CTGANConfig, {}), parse_config(TVAEConfig, {})
    assert (ctgan.epochs, ctgan.batch_size, ctgan.embedding_dim, ctgan.pac) == (300, 500, 128, 10)
    assert (ctgan.generator_dim, ctgan.discriminator_dim) == ([256, 256], [256, 256])
    assert (tvae.compress_dims, tvae.decompress_dims, tvae.device) == (
        [128, 128],
        [128, 128],
        "auto",
    )


@pytest.mark.parametrize("device", ["meta", "cpu:1", "mps:0", "auto:2", "tpu", "Meta", "cuda:"])
@pytest.mark.parametrize("config_type", [CTGANConfig, TVAEConfig])
def test_devices_no_model_can_train_on_are_refused_naming_the_option(
    device: str, config_type: type[ModelConfig]
) -> None:
    with pytest.raises(ConfigError, match="device") as caught:
        parse_config(config_type, {"device": device})
    assert getattr(caught.value, "option", None) == "device"


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda", "cuda:0", "cuda:3", "mps"])
def test_the_builtin_devices_are_accepted(device: str) -> None:
    assert parse_config(CTGANConfig, {"device": device}).device == device


def test_a_model_refuses_the_meta_device_at_construction() -> None:
    import synthgen_core as sg

    with pytest.raises(ConfigError, match="unknown device 'meta'; choose one of: auto, cpu"):
        sg.create("autoregressive", device="meta")


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"epochz": 3}, "epochz"),
        ({"generator_dim": [64, 99_999]}, "generator_dim"),
        ({"batch_size": 500, "pac": 7}, "pac"),
    ],
)
def test_config_errors_name_their_option(options: dict[str, Any], option: str) -> None:
    with pytest.raises(ConfigError, match=option) as caught:
        parse_config(CTGANConfig, options)
    assert getattr(caught.value, "option", None) == option


def test_a_device_a_plugin_registers_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "tpu_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tpu-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[synthgen.devices]\ntpu = tpu_plugin:tpu\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert parse_config(CTGANConfig, {"device": "tpu"}).device == "tpu"
    assert parse_config(CTGANConfig, {"device": "tpu:1"}).device == "tpu:1"
    with pytest.raises(ConfigError, match="choose one of: auto, cpu, cuda, .*mps, tpu"):
        parse_config(CTGANConfig, {"device": "meta"})
