"""Which model types exist: the five built-ins plus plugins.

This is the one home of every model type's id, name and description: the model classes,
the CLI, the service's ``GET /api/synthgen/model-types`` and the docs read them from here.
Built-ins are described in :data:`_BUILTINS` without importing them, so listing model
types never imports PyTorch.

A third-party package adds a model type by naming a :class:`Synthesizer` subclass in the
``synthgen.models`` entry-point group, with ``display_name`` and ``description`` class
attributes; it then shows in :data:`MODEL_TYPES` and :func:`create` as the built-ins do.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import msgspec

from synthgen_core.errors import ConfigError
from synthgen_core.models import config as configs

if TYPE_CHECKING:
    from synthgen_core.models.base import Synthesizer

DEFAULT_MODEL_TYPE = "ctgan"


class ModelTypeInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A model type as users see it (the service returns these)."""

    id: str
    name: str
    description: str
    speed: str = ""
    quality: str = ""
    best_for: str = ""
    config_schema: dict[str, Any] = msgspec.field(default_factory=dict)


@dataclass(frozen=True)
class _Entry:
    info: ModelTypeInfo
    config_type: type[configs.ModelConfig]
    target: str  # "module:Class", imported on first use


def _builtin(
    target: str,
    config_type: type[configs.ModelConfig],
    **fields: str,
) -> _Entry:
    info = ModelTypeInfo(**fields, config_schema=msgspec.json.schema(config_type))
    return _Entry(info, config_type, target)


_BUILTINS = (
    _builtin(
        "synthgen_core.models.ctgan.model:CTGAN",
        configs.CTGANConfig,
        id="ctgan",
        name="CTGAN",
        description="Conditional Tabular GAN - best for general tabular data",
        speed="Slow",
        quality="High",
        best_for="Mixed column types, general use",
    ),
    _builtin(
        "synthgen_core.models.copulagan:CopulaGAN",
        configs.CopulaGANConfig,
        id="copulagan",
        name="CopulaGAN",
        description="Copula-based GAN - good for capturing correlations",
        speed="Slow",
        quality="High",
        best_for="Complex correlations",
    ),
    _builtin(
        "synthgen_core.models.tvae.model:TVAE",
        configs.TVAEConfig,
        id="tvae",
        name="TVAE",
        description="Tabular VAE - faster training, good for large datasets",
        speed="Medium",
        quality="Medium-High",
        best_for="Large datasets, fast iteration",
    ),
    _builtin(
        "synthgen_core.models.gaussian_copula.model:GaussianCopula",
        configs.GaussianCopulaConfig,
        id="gaussian_copula",
        name="Gaussian Copula",
        description="Statistical copula model - fastest, good baseline",
        speed="Fast",
        quality="Medium",
        best_for="Quick prototyping, baselines",
    ),
    _builtin(
        "synthgen_core.models.autoregressive.model:Autoregressive",
        configs.AutoregressiveConfig,
        id="autoregressive",
        name="Autoregressive",
        description=(
            "Any-order autoregressive network (one MLP per column, or a transformer) - the "
            "most realistic rows, exact conditions on any columns"
        ),
        speed="Medium",
        quality="Highest",
        best_for="Realistic rows that a classifier cannot tell from real ones; conditions on "
        "any columns",
    ),
)

#: The built-in model type ids, in the order :func:`model_types` lists them.
BUILT_IN_TYPES = tuple(entry.info.id for entry in _BUILTINS)


def _plugins() -> Iterator[_Entry]:
    for entry in entry_points(group="synthgen.models"):
        cls = entry.load()
        info = ModelTypeInfo(
            id=cls.model_type,
            name=getattr(cls, "display_name", cls.model_type),
            description=getattr(cls, "description", ""),
            config_schema=msgspec.json.schema(cls.config_type),
        )
        yield _Entry(info, cls.config_type, f"{cls.__module__}:{cls.__qualname__}")


def _entries() -> dict[str, _Entry]:
    entries = {entry.info.id: entry for entry in _BUILTINS}
    for entry in _plugins():
        entries.setdefault(entry.info.id, entry)
    return entries


class UnknownModelTypeError(ConfigError, KeyError):
    """No model type of that id: a ConfigError, and a KeyError for ``MODEL_TYPES``."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def _entry(model_type: str) -> _Entry:
    entries = _entries()
    if model_type not in entries:
        known = ", ".join(entries)
        raise UnknownModelTypeError(f"unknown model_type {model_type!r}; choose one of: {known}")
    return entries[model_type]


def model_types() -> list[ModelTypeInfo]:
    """Every available model type, built-ins first."""
    return [entry.info for entry in _entries().values()]


def model_class(model_type: str) -> type[Synthesizer]:
    """The class implementing ``model_type`` (imported on first use)."""
    module_name, _, class_name = _entry(model_type).target.partition(":")
    cls: type[Synthesizer] = getattr(importlib.import_module(module_name), class_name)
    return cls


def validate_config(model_type: str, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check ``config`` for ``model_type``; return it with defaults filled in."""
    entry = _entry(model_type)
    parsed = configs.parse_config(entry.config_type, dict(config or {}))
    return configs.config_to_dict(parsed)


def create(model_type: str = DEFAULT_MODEL_TYPE, **options: Any) -> Synthesizer:
    """A new unfitted model: ``create("tvae", epochs=50)``."""
    return model_class(model_type)(**options)


class _ModelTypes(Mapping[str, ModelTypeInfo]):
    """``MODEL_TYPES``: a live read-only view, so plugins installed later still show."""

    def __getitem__(self, key: str) -> ModelTypeInfo:
        return _entry(key).info

    def __iter__(self) -> Iterator[str]:
        return iter(_entries())

    def __len__(self) -> int:
        return len(_entries())

    def __repr__(self) -> str:
        return f"MODEL_TYPES({list(self)})"


MODEL_TYPES: Mapping[str, ModelTypeInfo] = _ModelTypes()
