"""What a model config costs before it trains: parameters and training memory.

Each option is bounded alone (:mod:`synthgen_core.models.config`), but options multiply: a
CTGAN generator of 16 layers of 16,384 units over a 4,096-wide embedding respects every
bound and is 33 billion parameters. So the networks a config asks for are sized from the
config and the table's metadata alone, before any row is read:

* the encoded width follows from the columns: a continuous column spans its value, up to
  :data:`MAX_MODES` modes and a missing pair; a discrete column one slot per category (and
  one for missing); for the autoregressive model a column is a token per bin (``max_bins``)
  or per category. Columns may use fewer modes or bins, so the widths are upper bounds;
* parameters are counted layer by layer as the networks are built (exact for those widths);
* training memory is 16 bytes per parameter (float32 weights, gradients and Adam's two
  moments) plus one batch's activations, each kept for the backward pass with a gradient.

The encoded table itself is not counted: it grows with the data, which the upload limit
bounds, not with any option. :func:`check_footprint` refuses a config over a budget with a
:class:`~synthgen_core.errors.ConfigOptionError` naming the options to lower.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec

from synthgen_core.errors import ConfigOptionError
from synthgen_core.kinds import kind_of
from synthgen_core.metadata import Metadata
from synthgen_core.metadata.kinds import CONTINUOUS_KINDS, DISCRETE_KINDS
from synthgen_core.models.config import (
    AutoregressiveConfig,
    CopulaGANConfig,
    CTGANConfig,
    ModelConfig,
    TVAEConfig,
    parse_config,
)

#: The most modes a continuous column gets (the neural models' ``TableTransformer``).
MAX_MODES = 10
FLOAT_BYTES = 4
#: float32 weights, their gradients and Adam's two moments.
BYTES_PER_PARAMETER = 4 * FLOAT_BYTES
#: An activation kept for the backward pass, plus its gradient.
BYTES_PER_ACTIVATION = 2 * FLOAT_BYTES
#: The autoregressive model's ordinal features per numerical column (``ORDINAL_FEATURES``).
ORDINAL_FEATURES = 32
#: Numbers per column embedding of its MLP network (``mlp.EMBEDDING_WIDTH``).
MLP_EMBEDDING_WIDTH = 16


class Part(msgspec.Struct, frozen=True, kw_only=True):
    """One network of a model and the options that size it, the most effective first."""

    name: str
    parameters: int
    #: Floats of one training batch kept for the backward pass.
    activations: int
    options: tuple[str, ...]


class Footprint(msgspec.Struct, frozen=True, kw_only=True):
    """What training a config costs; no parts: nothing to estimate (no network, a plugin)."""

    parts: tuple[Part, ...] = ()

    @property
    def parameters(self) -> int:
        return sum(part.parameters for part in self.parts)

    @property
    def weight_bytes(self) -> int:
        """Weights, gradients and optimiser state."""
        return self.parameters * BYTES_PER_PARAMETER

    @property
    def activation_bytes(self) -> int:
        return sum(part.activations for part in self.parts) * BYTES_PER_ACTIVATION

    @property
    def memory_bytes(self) -> int:
        return self.weight_bytes + self.activation_bytes


class TableWidths(msgspec.Struct, frozen=True, kw_only=True):
    """Upper bounds on the widths a table encodes to (see the module docstring)."""

    data: int  # D, the encoded matrix
    categories: int  # one-hot slots of discrete columns
    modes: int  # mode slots of continuous columns, as conditional vectors name them
    scalars: int  # continuous columns
    vocab: tuple[int, ...]  # tokens per learned column (autoregressive)


def table_widths(metadata: Metadata, *, max_bins: int = 100) -> TableWidths:
    """The widths of ``metadata``'s table; a discrete column of unknown categories counts 1."""
    data = categories = modes = scalars = 0
    vocab: list[int] = []
    for spec in metadata.columns:
        missing = int(spec.missing_rate > 0)
        if spec.kind in CONTINUOUS_KINDS:
            data += 1 + MAX_MODES + 2 * missing
            modes += MAX_MODES
            scalars += 1
            vocab.append(max_bins + missing)
        elif spec.kind in DISCRETE_KINDS:
            slots = kind_of(spec).max_codes(spec) + missing
            data += slots
            categories += slots
            vocab.append(slots)
    return TableWidths(
        data=data, categories=categories, modes=modes, scalars=scalars, vocab=tuple(vocab)
    )


def _mlp(inputs: int, hidden: Sequence[int], outputs: int) -> tuple[int, int]:
    """Parameters of Linear layers ``inputs -> hidden... -> outputs``, and their units."""
    parameters, width = 0, inputs
    for size in hidden:
        parameters += width * size + size
        width = size
    return parameters + width * outputs + outputs, sum(hidden)


def _ctgan(config: CTGANConfig, widths: TableWidths) -> tuple[Part, ...]:
    """Residual generator (Linear + BatchNorm per block, inputs concatenated) and PAC critic."""
    noise = config.embedding_dim + widths.categories + widths.modes  # (B, E + C)
    parameters, width = 0, noise
    for size in config.generator_dim:
        parameters += width * size + size + 2 * size  # Linear, then BatchNorm's scale and shift
        width += size
    parameters += width * widths.data + widths.data
    per_row = noise + 3 * sum(config.generator_dim) + 3 * widths.data  # linear, norm, relu
    generator = Part(
        name="generator",
        parameters=parameters,
        activations=config.batch_size * per_row,
        options=("generator_dim", "embedding_dim"),
    )
    packed = (widths.data + widths.categories) * config.pac  # (B / pac, pac * (D + C'))
    parameters, units = _mlp(packed, config.discriminator_dim, 1)
    # real, fake and interpolated rows (the gradient penalty); linear, leaky relu, dropout
    per_pack = 3 * (packed + 3 * units + 1)
    critic = Part(
        name="discriminator",
        parameters=parameters,
        activations=config.batch_size // config.pac * per_pack,
        options=("discriminator_dim", "pac"),
    )
    return generator, critic


def _tvae(config: TVAEConfig, widths: TableWidths) -> tuple[Part, ...]:
    """Encoder ``D -> compress_dims -> (mean, log_var)`` and decoder back to ``D`` + sigmas."""
    latent = config.embedding_dim
    parameters, units = _mlp(widths.data, config.compress_dims, 2 * latent)
    encoder = Part(
        name="encoder",
        parameters=parameters,
        activations=config.batch_size * (widths.data + 2 * units + 4 * latent),  # + z, noise
        options=("compress_dims", "embedding_dim"),
    )
    parameters, units = _mlp(latent, config.decompress_dims, widths.data)
    decoder = Part(
        name="decoder",
        parameters=parameters + widths.scalars,
        activations=config.batch_size * (2 * units + 3 * widths.data),  # + the loss terms
        options=("decompress_dims", "embedding_dim"),
    )
    return encoder, decoder


def _autoregressive(config: AutoregressiveConfig, widths: TableWidths) -> tuple[Part, ...]:
    """The configured network; with ``architecture="auto"`` the larger of the two.

    ``auto`` picks by the training rows, which a config and metadata do not tell.
    """
    if config.architecture == "mlp":
        return _autoregressive_mlp(config, widths)
    if config.architecture == "transformer":
        return _autoregressive_transformer(config, widths)
    both = _autoregressive_mlp(config, widths), _autoregressive_transformer(config, widths)
    return max(both, key=lambda parts: Footprint(parts=parts).memory_bytes)


def _autoregressive_mlp(config: AutoregressiveConfig, widths: TableWidths) -> tuple[Part, ...]:
    """One MLP per column over every column's embedding and presence bit, and the heads."""
    width, depth = config.network_shape("mlp")
    columns, tokens = max(len(widths.vocab), 1), max(sum(widths.vocab), 1)
    inputs = columns * (MLP_EMBEDDING_WIDTH + 1)
    mlps = Part(
        name="column MLPs",
        parameters=columns * ((inputs + 1) * width + (depth - 1) * (width + 1) * width),
        # per column: its masked inputs, and each layer's sums and activations
        activations=config.batch_size * columns * (inputs + 2 * depth * width),
        options=("width", "depth"),
    )
    ordinal = columns * ORDINAL_FEATURES * (MLP_EMBEDDING_WIDTH + width)
    embeddings = Part(
        name="embeddings and output heads",
        parameters=tokens * MLP_EMBEDDING_WIDTH + (width + 1) * tokens + ordinal,
        activations=config.batch_size * (columns * MLP_EMBEDDING_WIDTH + 2 * tokens),
        options=("max_bins", "width"),
    )
    return mlps, embeddings


def _autoregressive_transformer(
    config: AutoregressiveConfig, widths: TableWidths
) -> tuple[Part, ...]:
    """Transformer blocks over one token per column, and the token embeddings and heads."""
    width, depth = config.network_shape("transformer")
    columns = len(widths.vocab)
    tokens = max(sum(widths.vocab), 1)
    per_block = 12 * width * width + 13 * width  # qkv, projection, 4x MLP, two LayerNorms
    # per position: norms, qkv, attention, MLP (4W, GELU 4W), residuals; scores per head
    per_position = 18 * width + 2 * config.heads * columns
    blocks = Part(
        name="transformer blocks",
        parameters=depth * per_block,
        activations=config.batch_size * columns * depth * per_position,
        options=("depth", "width"),
    )
    ordinal = 2 * max(columns, 1) * ORDINAL_FEATURES * width
    embeddings = Part(
        name="embeddings and output heads",
        parameters=tokens * width + (max(columns, 1) + 3) * width + (width + 1) * tokens + ordinal,
        activations=config.batch_size * (2 * columns * width + 2 * tokens),  # inputs, logits
        options=("max_bins", "width"),
    )
    return blocks, embeddings


Estimator = Callable[[Any, TableWidths], tuple[Part, ...]]
_ESTIMATORS: dict[type[ModelConfig], Estimator] = {
    CTGANConfig: _ctgan,
    CopulaGANConfig: _ctgan,
    TVAEConfig: _tvae,
    AutoregressiveConfig: _autoregressive,
}


#: The built-in model types whose networks are estimated, by id.
CONFIG_TYPES: dict[str, type[ModelConfig]] = {
    "ctgan": CTGANConfig,
    "copulagan": CopulaGANConfig,
    "tvae": TVAEConfig,
    "autoregressive": AutoregressiveConfig,
}


def builtin_config(model_type: str, options: Mapping[str, Any]) -> ModelConfig | None:
    """``options`` (already validated) as the config of a built-in neural model, else None.

    For callers that hold a model type id and plain options, as the service does.
    """
    config_type = CONFIG_TYPES.get(model_type)
    return None if config_type is None else parse_config(config_type, dict(options))


def estimate_footprint(config: ModelConfig, metadata: Metadata) -> Footprint:
    """Parameters and training memory of ``config`` on a table described by ``metadata``.

    Model types without networks (the Gaussian copula) and plugins give an empty footprint.
    """
    estimator = _ESTIMATORS.get(type(config))
    if estimator is None:
        return Footprint()
    max_bins = config.max_bins if isinstance(config, AutoregressiveConfig) else 100
    return Footprint(parts=estimator(config, table_widths(metadata, max_bins=max_bins)))


def check_footprint(
    config: ModelConfig,
    metadata: Metadata,
    *,
    max_parameters: int | None = None,
    max_memory_bytes: int | None = None,
) -> Footprint:
    """The footprint, or a ``ConfigOptionError`` naming what to lower when over a budget."""
    footprint = estimate_footprint(config, metadata)
    if max_parameters is not None and footprint.parameters > max_parameters:
        part = max(footprint.parts, key=lambda part: part.parameters)
        raise ConfigOptionError(
            f"this config asks for about {_count(footprint.parameters)} parameters "
            f"({_shares(footprint)}), more than the {_count(max_parameters)} allowed; "
            f"lower {' or '.join(part.options)}",
            option=part.options[0],
        )
    if max_memory_bytes is not None and footprint.memory_bytes > max_memory_bytes:
        options = _memory_options(footprint)
        raise ConfigOptionError(
            f"training this config needs about {_bytes(footprint.memory_bytes)} of memory "
            f"({_bytes(footprint.weight_bytes)} for weights, gradients and optimiser state, "
            f"{_bytes(footprint.activation_bytes)} for one batch's activations), more than "
            f"the {_bytes(max_memory_bytes)} allowed; lower {' or '.join(options)}",
            option=options[0],
        )
    return footprint


def _memory_options(footprint: Footprint) -> tuple[str, ...]:
    """Activations shrink with the batch; weights only with the networks."""
    if footprint.activation_bytes > footprint.weight_bytes:
        part = max(footprint.parts, key=lambda part: part.activations)
        return ("batch_size", *part.options)
    return max(footprint.parts, key=lambda part: part.parameters).options


def _shares(footprint: Footprint) -> str:
    parts = sorted(footprint.parts, key=lambda part: -part.parameters)
    return ", ".join(f"{part.name} {_count(part.parameters)}" for part in parts)


def _count(number: int) -> str:
    for scale, word in ((10**9, "billion"), (10**6, "million")):
        if number >= scale:
            return f"{number / scale:.3g} {word}"
    return f"{number:,}"


def _bytes(size: int) -> str:
    for scale, unit in ((2**30, "GiB"), (2**20, "MiB")):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size / 2**10:.1f} KiB"


__all__ = [
    "CONFIG_TYPES",
    "Footprint",
    "Part",
    "TableWidths",
    "builtin_config",
    "check_footprint",
    "estimate_footprint",
    "table_widths",
]
