"""One msgspec config Struct per model type: the single source of truth for options.

The library validates constructor keyword arguments through these Structs and the service
validates the ``config`` object of ``POST /api/synthgen/models`` through the very same
code, so an option that the library refuses is refused by the API with the same message.
Constraints live in ``Meta`` so they also show in the JSON Schema the API publishes; every
number has both bounds and every list a maximum length. Bounds cap each option alone; what
options cost together (parameters, memory) is :mod:`synthgen_core.models.budget`'s to judge.
"""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from typing import Annotated, Any, Literal, TypeVar

import msgspec

from synthgen_core.constraints.specs import Constraint, explain_error
from synthgen_core.errors import ConfigError, ConfigOptionError
from synthgen_core.transform.bins import MIN_BIN_ROWS

Epochs = Annotated[int, msgspec.Meta(ge=1, le=100_000, description="Number of training epochs.")]
BatchSize = Annotated[int, msgspec.Meta(ge=2, le=1_000_000, description="Training batch size.")]
EmbeddingDim = Annotated[
    int, msgspec.Meta(ge=1, le=4096, description="Dimensionality of data embeddings.")
]
LayerSizes = Annotated[
    list[Annotated[int, msgspec.Meta(ge=1, le=16384)]],
    msgspec.Meta(max_length=16, description="Hidden layer sizes."),
]
LearningRate = Annotated[float, msgspec.Meta(gt=0, le=1)]
Decay = Annotated[float, msgspec.Meta(ge=0, le=1)]
Seed = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1, description="Random seed.")] | None
Device = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z][a-z0-9_]*(:\d+)?$",
        description="auto (cuda, then mps, then cpu), cpu, cuda, cuda:N, mps, or a device "
        "that a plugin registers.",
    ),
]
#: Devices every installation knows; ``cuda`` also takes a GPU number (``cuda:1``).
BUILTIN_DEVICES = ("auto", "cpu", "cuda", "mps")
#: 30 days: longer than any training a config should ask for.
MAX_TRAINING_SECONDS = 30 * 24 * 3600.0
TimeBudget = (
    Annotated[
        float,
        msgspec.Meta(
            gt=0,
            le=MAX_TRAINING_SECONDS,
            description="Stop training after the epoch that crosses this many seconds.",
        ),
    ]
    | None
)
Patience = Annotated[
    int, msgspec.Meta(ge=1, le=1000, description="Epochs without a better validation score.")
]
Distribution = Literal["auto", "norm", "truncnorm", "beta", "gamma", "uniform", "empirical"]


class ModelConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Options every model type accepts."""

    seed: Seed = None
    #: Rules every generated row keeps (see :mod:`synthgen_core.constraints`).
    constraints: Annotated[
        list[Constraint],
        msgspec.Meta(max_length=256, description="Rules every generated row keeps."),
    ] = msgspec.field(default_factory=list)


class NeuralConfig(ModelConfig, kw_only=True, forbid_unknown_fields=True):
    """Options shared by the PyTorch models."""

    epochs: Epochs = 300
    batch_size: BatchSize = 500
    embedding_dim: EmbeddingDim = 128
    device: Device = "auto"
    max_training_seconds: TimeBudget = None
    validation_fraction: Annotated[
        float,
        msgspec.Meta(
            ge=0,
            lt=0.5,
            description="Share of rows held out for early stopping; 0 (default) trains "
            "every epoch.",
        ),
    ] = 0.0
    patience: Patience = 10


class CTGANConfig(NeuralConfig, kw_only=True, forbid_unknown_fields=True):
    """CTGAN options (arXiv 1907.00503); defaults follow the paper and the API spec."""

    #: a GAN's validation score drifts for many epochs before it settles
    patience: Patience = 30
    generator_dim: LayerSizes = msgspec.field(default_factory=lambda: [256, 256])
    discriminator_dim: LayerSizes = msgspec.field(default_factory=lambda: [256, 256])
    pac: Annotated[
        int, msgspec.Meta(ge=1, le=1000, description="PAC size; divides batch_size.")
    ] = 10
    generator_lr: LearningRate = 2e-4
    discriminator_lr: LearningRate = 2e-4
    generator_decay: Decay = 1e-6
    discriminator_decay: Decay = 1e-6
    discriminator_steps: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1
    log_frequency: bool = True

    def __post_init__(self) -> None:
        if self.batch_size % self.pac != 0:
            raise ValueError(
                f"pac ({self.pac}) must evenly divide batch_size ({self.batch_size}); "
                f"use a batch_size that is a multiple of {self.pac}"
            )


class CopulaGANConfig(CTGANConfig, kw_only=True, forbid_unknown_fields=True):
    """CTGAN options plus the marginal family used for the copula transform."""

    numerical_distribution: Distribution = "auto"


class TVAEConfig(NeuralConfig, kw_only=True, forbid_unknown_fields=True):
    """TVAE options (arXiv 1907.00503, section 4.4)."""

    compress_dims: LayerSizes = msgspec.field(default_factory=lambda: [128, 128])
    decompress_dims: LayerSizes = msgspec.field(default_factory=lambda: [128, 128])
    l2scale: Decay = 1e-5
    loss_factor: Annotated[float, msgspec.Meta(gt=0, le=1000)] = 2.0
    learning_rate: LearningRate = 1e-3


#: ``architecture="auto"`` fits the MLP from this many training rows and the transformer
#: below: on tables of a few hundred rows the transformer's weights, shared by every column,
#: generalised better. From 1,000 rows up the MLP scored as high on detection or higher
#: (1,000-4,000-row samples of adult, covertype and intrusion: +0.05 to +0.32; of
#: credit_default: -0.02 to -0.04), fitted 2-5x and sampled about 10x as fast
#: (benchmarks/notes/2026-12-07-autoregressive-mlp.md). The rows counted are those fitted
#: on, after the validation split.
AUTO_MLP_ROWS = 1_000
MLP_WIDTH, MLP_DEPTH = 128, 1
#: Rank noise on binned numbers while training, on tables of fewer training rows than
#: JITTER_TABLE_ROWS (synthgen_core.models.autoregressive.jitter).
JITTER_ROWS = 8.0
JITTER_TABLE_ROWS = 1_000
#: Decay of the moving average of the weights (synthgen_core.nn.averaging), from
#: AVERAGE_TABLE_ROWS training rows: on credit_default it raised detection from 0.82 to
#: 0.88-0.90 at two seeds, on adult and intrusion by 0.005-0.012, and left census and
#: covertype within seed noise. On tables of a few hundred rows, read by the transformer, it
#: lowered detection (modechoice 0.98 to 0.86 over three seeds), so they keep the last
#: step's weights (benchmarks/notes/2026-12-07-weight-average.md).
WEIGHT_AVERAGE_DECAY = 0.99
AVERAGE_TABLE_ROWS = 1_000
TRANSFORMER_WIDTH, TRANSFORMER_DEPTH = 96, 3
#: Tables of fewer rows than CHOOSE_BINS_BELOW_ROWS are fitted with bins of MIN_BIN_ROWS
#: rows, of COARSE_BIN_ROWS and of all rows (one bin a column), and keep the best fit
#: (synthgen_core.models.autoregressive.bin_choice).
COARSE_BIN_ROWS = 40
CHOOSE_BINS_BELOW_ROWS = 2_000


class AutoregressiveConfig(ModelConfig, kw_only=True, forbid_unknown_fields=True):
    """Options of the any-order autoregressive model; the defaults need no tuning."""

    architecture: Annotated[
        Literal["auto", "mlp", "transformer"],
        msgspec.Meta(
            description=(
                "Network: 'mlp' (one MLP per column; fastest), 'transformer', or 'auto': "
                f"the MLP from {AUTO_MLP_ROWS:,} training rows, the transformer below."
            )
        ),
    ] = "auto"
    width: (
        Annotated[
            int,
            msgspec.Meta(
                ge=8,
                le=1024,
                description=(
                    f"Hidden width; null: {MLP_WIDTH} for the MLP, "
                    f"{TRANSFORMER_WIDTH} for the transformer."
                ),
            ),
        ]
        | None
    ) = None
    depth: (
        Annotated[
            int,
            msgspec.Meta(
                ge=1,
                le=16,
                description=(
                    "Hidden layers per column (MLP) or transformer blocks; null: "
                    f"{MLP_DEPTH} for the MLP, {TRANSFORMER_DEPTH} for the transformer."
                ),
            ),
        ]
        | None
    ) = None
    heads: Annotated[
        int,
        msgspec.Meta(ge=1, le=32, description="Transformer attention heads; divide its width."),
    ] = 4
    dropout: (
        Annotated[
            float,
            msgspec.Meta(
                ge=0, lt=1, description="Dropout rate; null: 0.1 below 10,000 rows, else 0."
            ),
        ]
        | None
    ) = None
    max_epochs: Annotated[
        int, msgspec.Meta(ge=1, le=100_000, description="Most epochs; early stopping ends sooner.")
    ] = 100
    batch_size: BatchSize = 256
    learning_rate: LearningRate = 2e-3
    weight_decay: Decay = 0.0
    weight_average_decay: (
        Annotated[
            float,
            msgspec.Meta(
                ge=0,
                lt=1,
                description=(
                    "Decay per step of a moving average of the weights, validated beside the "
                    "live ones; the better of the two is kept and sampled from; 0 keeps the "
                    "live weights only; null: "
                    f"{WEIGHT_AVERAGE_DECAY:g} from {AVERAGE_TABLE_ROWS:,} training rows, "
                    "else 0."
                ),
            ),
        ]
        | None
    ) = None
    validation_fraction: Annotated[
        float,
        msgspec.Meta(
            ge=0,
            lt=0.5,
            description="Share of rows held out for early stopping; 0 trains max_epochs.",
        ),
    ] = 0.1
    patience: Annotated[
        int,
        msgspec.Meta(ge=1, le=1000, description="Epochs without a better validation loss."),
    ] = 3
    temperature: Annotated[
        float, msgspec.Meta(gt=0, le=10, description="Sampling temperature; 1 is the model's.")
    ] = 1.0
    max_bins: Annotated[
        int, msgspec.Meta(ge=2, le=4096, description="Most tokens of a numerical column.")
    ] = 100
    bin_rows: (
        Annotated[
            int,
            msgspec.Meta(
                ge=1,
                le=1_000_000_000,
                description=(
                    "Training rows a numerical bin holds at least (more rows per bin: fewer, "
                    f"coarser bins); null: {MIN_BIN_ROWS}, and tables under "
                    f"{CHOOSE_BINS_BELOW_ROWS:,} rows are also fitted with {COARSE_BIN_ROWS} "
                    "and with one bin a column, keeping the fit with the fewest bins among "
                    "those whose samples a classifier tells from the training rows within one "
                    "standard error of the least."
                ),
            ),
        ]
        | None
    ) = None
    bin_copula: Annotated[
        bool,
        msgspec.Meta(
            description=(
                "Place binned numbers inside their bins by a Gaussian copula of the columns, "
                "so a row's numbers move together inside the bins too; false draws each "
                "column's value independently. Marginals stay exact either way."
            )
        ),
    ] = True
    jitter_rows: (
        Annotated[
            float,
            msgspec.Meta(
                ge=0,
                le=1_000_000,
                description=(
                    "Training noise on binned numbers, in rows of the sorted column (one "
                    "standard deviation): a value pushed past its bin's edge is read as the "
                    "neighbouring bin, so a small table is learned smoothed instead of by "
                    f"heart; null: {JITTER_ROWS:g} below {JITTER_TABLE_ROWS:,} training rows, "
                    "else 0 (off)."
                ),
            ),
        ]
        | None
    ) = None
    any_order_share: Annotated[
        float,
        msgspec.Meta(
            ge=0, le=1, description="Share of batches that read columns in a random order."
        ),
    ] = 0.5
    device: Device = "auto"
    max_training_seconds: TimeBudget = None

    def __post_init__(self) -> None:
        width = TRANSFORMER_WIDTH if self.width is None else self.width
        if self.architecture != "mlp" and width % self.heads != 0:
            raise ValueError(
                f"heads ({self.heads}) must evenly divide the transformer's width ({width}); "
                f"use a width that is a multiple of {self.heads}"
            )

    def network_architecture(self, n_train: int) -> Literal["mlp", "transformer"]:
        """The network to fit on ``n_train`` rows: ``architecture``, with ``auto`` resolved."""
        if self.architecture != "auto":
            return self.architecture
        return "mlp" if n_train >= AUTO_MLP_ROWS else "transformer"

    def bin_row_choices(self, n_rows: int) -> list[int]:
        """The ``bin_rows`` to fit a table of ``n_rows`` rows with, finest first.

        One choice unless ``bin_rows`` is null and the table is small; the last of several
        is one bin a column: ``n_rows``, kept above the coarse choice so that the three
        stay distinct keys on a tiny table (where they bin alike and are fitted once).
        """
        if self.bin_rows is not None:
            return [self.bin_rows]
        if n_rows >= CHOOSE_BINS_BELOW_ROWS:
            return [MIN_BIN_ROWS]
        return [MIN_BIN_ROWS, COARSE_BIN_ROWS, max(n_rows, COARSE_BIN_ROWS + 1)]

    def jitter(self, n_train: int) -> float:
        """The rank noise to train ``n_train`` rows with: ``jitter_rows``, null resolved."""
        if self.jitter_rows is not None:
            return self.jitter_rows
        return JITTER_ROWS if n_train < JITTER_TABLE_ROWS else 0.0

    def weight_average(self, n_train: int) -> float:
        """The weight-average decay to train ``n_train`` rows with, null resolved."""
        if self.weight_average_decay is not None:
            return self.weight_average_decay
        return WEIGHT_AVERAGE_DECAY if n_train >= AVERAGE_TABLE_ROWS else 0.0

    def network_shape(self, architecture: Literal["mlp", "transformer"]) -> tuple[int, int]:
        """(width, depth) of ``architecture``: the options, or its defaults where null."""
        mlp = architecture == "mlp"
        width = self.width if self.width is not None else (MLP_WIDTH if mlp else TRANSFORMER_WIDTH)
        depth = self.depth if self.depth is not None else (MLP_DEPTH if mlp else TRANSFORMER_DEPTH)
        return width, depth


class GaussianCopulaConfig(ModelConfig, kw_only=True, forbid_unknown_fields=True):
    """Gaussian Copula options: the marginal family per numerical column."""

    numerical_distribution: Distribution = "auto"


C = TypeVar("C", bound="ModelConfig")


def parse_config(config_type: type[C], options: dict[str, Any]) -> C:
    """Validate ``options`` into ``config_type``; a :class:`ConfigError` names the bad option."""
    if not isinstance(options, dict):
        raise ConfigError(f"config must be a JSON object of options, got {type(options).__name__}")
    try:
        config = msgspec.convert(options, config_type, strict=True)
    except msgspec.ValidationError as error:
        raise _explain(error, config_type) from None
    device = getattr(config, "device", None)
    if isinstance(device, str):
        check_device(device)
    return config


def check_device(device: str) -> None:
    """Refuse a device no model can train on (``meta`` has no storage, ``cpu:1`` no sense).

    Checked with the config, so a bad device fails the request, not the training job later.
    """
    family, _, index = device.partition(":")
    if family == "cuda" or (family in BUILTIN_DEVICES and not index):
        return
    plugins = sorted(entry.name for entry in entry_points(group="synthgen.devices"))
    if family in plugins:
        return
    known = ", ".join([*BUILTIN_DEVICES[:3], "cuda:N (N: a GPU number)", "mps", *plugins])
    raise ConfigOptionError(f"unknown device {device!r}; choose one of: {known}", option="device")


def _explain(error: msgspec.ValidationError, config_type: type[ModelConfig]) -> ConfigError:
    message = str(error)
    in_constraint = explain_error(message)
    if in_constraint is not None:
        return ConfigOptionError(in_constraint[1], option=in_constraint[0])
    unknown = re.match(r"Object contains unknown field `([^`]+)`", message)
    if unknown:
        known = ", ".join(sorted(config_type.__struct_fields__))
        name = unknown.group(1)
        return ConfigOptionError(
            f"unknown option {name!r}; valid options are: {known}", option=name
        )
    located = re.match(r"(.*) - at `\$\.([A-Za-z_]+)(.*)`$", message)
    if located:
        problem, option, index = located.groups()
        return ConfigOptionError(
            f"invalid value for option {option!r}{index}: {problem[0].lower()}{problem[1:]}",
            option=option,
        )
    between = re.match(r"([a-z_]+) \(", message)  # a check across options names the first
    if between and between.group(1) in config_type.__struct_fields__:
        return ConfigOptionError(message, option=between.group(1))
    return ConfigError(f"invalid option: {message}")


def config_to_dict(config: ModelConfig) -> dict[str, Any]:
    """The full config (defaults included) as JSON-able builtins."""
    result: dict[str, Any] = msgspec.to_builtins(config)
    return result
