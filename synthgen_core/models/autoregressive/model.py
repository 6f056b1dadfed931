"""An any-order autoregressive model for tables.

The idea of TabularARGN (arXiv 2501.12012) and ORiGAMi (arXiv 2603.01444), on MADE's and
XLNet's any-order training: every column becomes one token
(:class:`~synthgen_core.transform.tokens.TableTokenizer`), a network (:mod:`.networks`: one
small MLP per column, or a causal transformer) learns ``p(x_j | the columns before j)`` by
maximum likelihood in mixed column orders (:mod:`.trainer`), and a row is drawn one column
at a time (:mod:`.sampling`).

What a user gets from that design:

* whole rows that look real: every column is drawn from its conditional given all the
  columns already drawn, not from a pairwise summary of them;
* exact marginals: categories are tokens, and numbers are exact values or quantile bins
  decoded through the bin's own quantiles;
* exact conditions on any columns, with no rejection: at each conditioned column the rows
  are resampled by how likely the condition is given the row so far, and the rest is drawn
  given them; a range on a number or datetime draws it from the model's distribution
  restricted to the range (tokens outside masked, edge bins decoded inside it);
* exact dependencies: a column that another one determines in the training table (a code
  and its label, ``x`` and ``log(x)``) is determined by it in every generated row
  (:mod:`.dependencies`);
* no memorised rows: a share of the rows is held out and training stops, restoring the
  best weights, once the loss on them no longer falls; binned numbers are read with a
  little rank noise while training (:mod:`.jitter`), so a small table's exact combinations
  of bins are not learned by heart;
* bins as fine as the table bears: a small table is fitted with finer and coarser bins
  and keeps the coarsest fit whose rows a classifier tells from real ones about as poorly
  as the best one's (:mod:`.bin_choice`).

Randomness: the config ``seed`` feeds one :class:`numpy.random.Generator`, from which the
tokenizer, the validation split, the column orders and one ``torch.Generator`` (weights,
batches, dropout) are derived, so a seed gives the same model on the same device; every
choice of bins starts from the seed afresh, and the samples that score them come from a
stream spawned from it. ``sample(seed=...)`` derives its own generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
import torch

from synthgen_core.errors import ConditionError
from synthgen_core.kinds import kind_of
from synthgen_core.metadata import Metadata
from synthgen_core.models.autoregressive.bin_choice import (
    ChoiceProgress,
    Realism,
    SampleDrawer,
    realism,
    simplest_real_enough,
)
from synthgen_core.models.autoregressive.dependencies import Dependency, find_dependencies
from synthgen_core.models.autoregressive.jitter import BinJitter
from synthgen_core.models.autoregressive.networks import (
    AnyOrderNetwork,
    Architecture,
    build_network,
)
from synthgen_core.models.autoregressive.sampling import draw_tokens
from synthgen_core.models.autoregressive.trainer import AutoregressiveTrainer
from synthgen_core.models.base import ModelState, Synthesizer
from synthgen_core.models.config import AutoregressiveConfig
from synthgen_core.nn.device import loading_device, resolve_device
from synthgen_core.nn.early_stopping import EarlyStopping, split_validation
from synthgen_core.nn.training import TrainingCallback, history_from_json, run_epochs
from synthgen_core.nn.weights import restore_network
from synthgen_core.ranges import Range
from synthgen_core.rng import child_seed, numpy_rng, torch_generator
from synthgen_core.sampling.conditions import condition_number, range_numbers, set_exact_values
from synthgen_core.transform.tokens import TableTokenizer

#: Layout of ``ModelState.values``; bump it (and read the old one) when it changes. Version
#: 2 records the network's ``architecture``; version 1 files hold a transformer.
STATE_VERSION = 2
#: With ``dropout`` left null, tables of fewer training rows get SMALL_TABLE_DROPOUT: on six
#: statsmodels tables of 160-750 rows (two seeds) it raised the mean detection score from
#: 0.88 to 0.93, while on adult (26,049 rows) dropout only slowed fitting.
SMALL_TABLE_ROWS = 10_000
SMALL_TABLE_DROPOUT = 0.1
_NETWORK_PREFIX = "network."


class Autoregressive(Synthesizer):
    """Any-order autoregressive model; ``Autoregressive(max_epochs=100, architecture="mlp")``.

    Options are those of :class:`~synthgen_core.models.config.AutoregressiveConfig`. A
    fitted model's ``bin_rows_`` is the fewest training rows its numerical bins hold, and
    ``bin_scores_`` the detection score (and its standard error) of each ``bin_rows`` it
    compared on a small table (empty when it fitted one; see :mod:`.bin_choice`).
    """

    model_type = "autoregressive"
    config_type = AutoregressiveConfig
    config: AutoregressiveConfig

    @property
    def loss_history(self) -> list[dict[str, float]]:
        """Mean training ``loss`` and ``validation`` loss (nats per column) of every epoch."""
        self._check_fitted()
        return self.loss_history_

    def _fit(
        self, data: pd.DataFrame, metadata: Metadata, callback: TrainingCallback | None
    ) -> Metadata:
        device = resolve_device(self.config.device)
        choices = self._tokenizers(data, metadata)
        self.bin_scores_: dict[int, Realism] = {}
        if len(choices) == 1:
            ((self.bin_rows_, tokenizer),) = choices.items()
            fitted = self._fit_tokens(
                tokenizer, data, device, callback, self.config.max_training_seconds
            )
        else:
            fitted = self._choose_bins(choices, data, metadata, device, callback)
        self.dependencies_ = fitted.dependencies
        self.loss_history_, self.best_epoch_ = fitted.loss_history, fitted.best_epoch
        self._install(fitted.tokenizer, fitted.network.eval(), device)
        return fitted.tokenizer.codec.metadata_

    def _tokenizers(self, data: pd.DataFrame, metadata: Metadata) -> dict[int, TableTokenizer]:
        """The tokenizer of each ``bin_rows`` choice, finest first; one per distinct tokens."""
        config = self.config
        choices: dict[int, TableTokenizer] = {}
        for bin_rows in config.bin_row_choices(len(data)):
            tokenizer = TableTokenizer(
                metadata, max_bins=config.max_bins, copula=config.bin_copula, min_bin_rows=bin_rows
            ).fit(data)
            if not any(tokenizer.same_tokens(other) for other in choices.values()):
                choices[bin_rows] = tokenizer
        return choices

    def _choose_bins(
        self,
        choices: dict[int, TableTokenizer],
        data: pd.DataFrame,
        metadata: Metadata,
        device: torch.device,
        callback: TrainingCallback | None,
    ) -> _Fitted:
        """The coarsest fit whose samples look about as real as the best's (:mod:`.bin_choice`).

        The fits share ``max_training_seconds``. Each is a stage of the fit's checkpoint: a
        resumed fit trains the choices before the one the file holds again (from the same
        seed, to the same weights) without saving, and resumes that one from the file.
        """
        progress = ChoiceProgress(callback, len(choices), self.config.max_epochs)
        budget = self.config.max_training_seconds
        scoring = numpy_rng(self._training_seed()).spawn(1)[0]
        on_file = self._checkpointed_stage()
        fits: dict[int, _Fitted] = {}
        scores: list[Realism] = []
        for index, (bin_rows, tokenizer) in enumerate(choices.items()):
            if progress.stopped:
                break
            progress.start(index)
            seconds = None if budget is None else (budget - progress.spent) / (len(choices) - index)
            replay = on_file is not None and on_file > index
            stage = None if replay else index
            fitted = self._fit_tokens(tokenizer, data, device, progress, seconds, stage=stage)
            fits[bin_rows] = fitted
            draw = fitted.sampler(self.config.temperature, device)
            scores.append(realism(draw, data, metadata, scoring))
        self.bin_scores_ = dict(zip(fits, scores, strict=True))
        self.bin_rows_ = list(fits)[simplest_real_enough(scores)]
        return fits[self.bin_rows_]

    def _fit_tokens(
        self,
        tokenizer: TableTokenizer,
        data: pd.DataFrame,
        device: torch.device,
        callback: TrainingCallback | None,
        max_seconds: float | None,
        *,
        stage: int | None = 0,
    ) -> _Fitted:
        """Train a network on ``data`` as ``tokenizer`` reads it.

        ``stage`` numbers the training in the fit's checkpoint; None saves none.
        """
        config = self.config
        rng = numpy_rng(self._training_seed())
        encoded = tokenizer.encode(data)  # (N, C)
        dependencies = find_dependencies(encoded, tokenizer.vocab_sizes, rng)
        rows = np.arange(len(encoded))
        train_rows, validation_rows = split_validation(rows, config.validation_fraction, rng)
        train = torch.as_tensor(encoded[train_rows], device=device)
        validation = None
        if validation_rows is not None:
            validation = torch.as_tensor(encoded[validation_rows], device=device)
        jitter_rows = config.jitter(len(train_rows))
        jitter = _bin_jitter(tokenizer, data, encoded, train_rows, jitter_rows, device=device)
        generator = torch_generator(child_seed(rng), device)
        dropout = _dropout(self.config.dropout, train.shape[0])
        self.architecture_: Architecture = config.network_architecture(train.shape[0])
        network = self._build_network(tokenizer, device, generator, dropout)
        fitted = _Fitted(tokenizer, network, dependencies, loss_history=[], best_epoch=0)
        if tokenizer.columns:  # a table of ids and constants has nothing to learn
            trainer = AutoregressiveTrainer(
                network,
                train,
                validation,
                config=config,
                generator=generator,
                order_rng=rng,
                jitter=jitter,
            )
            self._train(trainer, fitted, callback, max_seconds, stage=stage)
        return fitted

    def _train(
        self,
        trainer: AutoregressiveTrainer,
        fitted: _Fitted,
        callback: TrainingCallback | None,
        max_seconds: float | None,
        *,
        stage: int | None,
    ) -> None:
        """Run ``trainer``; ``fitted`` gets the network to keep and the losses."""
        stopping = None
        if trainer.validation is not None:
            stopping = EarlyStopping(
                trainer.evaluated,
                patience=self.config.patience,
                on_plateau=trainer.halve_learning_rate,
            )
        parts = {**trainer.checkpoint_parts(), **({"stopping": stopping} if stopping else {})}
        fitted.loss_history = run_epochs(
            self.config.max_epochs,
            trainer.run_epoch,
            callback=callback,
            max_seconds=max_seconds,
            stop_early=stopping,
            checkpoint=None if stage is None else self._training_checkpoint(stage=stage, **parts),
        )
        if stopping is not None:
            stopping.restore()
            fitted.best_epoch = stopping.best_epoch
        else:
            fitted.best_epoch = len(fitted.loss_history)
        fitted.network = trainer.evaluated

    def _build_network(
        self,
        tokenizer: TableTokenizer,
        device: torch.device,
        generator: torch.Generator | None,
        dropout: float = 0.0,
    ) -> AnyOrderNetwork:
        width, depth = self.config.network_shape(self.architecture_)
        return build_network(
            tokenizer.vocab_sizes,
            architecture=self.architecture_,
            positions=tokenizer.ordinal_positions(),
            width=width,
            depth=depth,
            heads=self.config.heads,
            dropout=dropout,
            device=device,
            generator=generator,
        )

    def _install(
        self, tokenizer: TableTokenizer, network: AnyOrderNetwork, device: torch.device
    ) -> None:
        self.tokenizer_ = tokenizer
        self.network_ = network
        self.device_ = device

    def _sample(
        self, num_rows: int, rng: np.random.Generator, conditions: dict[str, Any]
    ) -> pd.DataFrame:
        values = {k: v for k, v in conditions.items() if not isinstance(v, Range)}
        within = self._range_bounds(conditions)
        generator = torch_generator(child_seed(rng), self.device_)
        tokens = draw_tokens(
            self.network_,
            num_rows,
            self._condition_tokens(values),
            generator,
            temperature=self.config.temperature,
            dependencies=self.dependencies_,
            ranges=self._range_masks(within),
        )
        frame = self.tokenizer_.decode(tokens.numpy(), rng, within)
        # A number is drawn inside its condition's bin; then it is set to the value exactly.
        frame = set_exact_values(frame, self.metadata_, values)
        _check_ranges(frame, self.metadata_, conditions)
        return frame

    def _condition_tokens(self, conditions: dict[str, Any]) -> dict[int, int]:
        """The token each equality condition fixes, by column position."""
        fixed: dict[int, int] = {}
        columns = self.tokenizer_.columns
        for name, value in conditions.items():
            spec = self.metadata_.column(name)
            if name not in columns:  # a constant: written back by the codec
                continue
            if kind_of(spec).family == "continuous":
                number = condition_number(spec, value)
                fixed[columns.index(name)] = self.tokenizer_.token_of(name, number)
            else:
                fixed[columns.index(name)] = self.tokenizer_.codec.condition_code(name, value)
        return fixed

    def _range_bounds(self, conditions: dict[str, Any]) -> dict[str, tuple[float, float]]:
        """Each range condition's bounds on its column's axis (where the bins live)."""
        return {
            name: range_numbers(self.metadata_.column(name), value)
            for name, value in conditions.items()
            if isinstance(value, Range)
        }

    def _range_masks(self, within: dict[str, tuple[float, float]]) -> dict[int, torch.Tensor]:
        """Per ranged column position, its (V,) bool mask of the tokens inside the range."""
        columns = self.tokenizer_.columns
        return {
            columns.index(name): torch.from_numpy(self.tokenizer_.tokens_in_range(name, *bounds))
            for name, bounds in within.items()
        }

    def _get_state(self) -> ModelState:
        arrays = {
            _NETWORK_PREFIX + name: tensor.detach().cpu().numpy()
            for name, tensor in self.network_.state_dict().items()
        }
        values = {
            "state_version": STATE_VERSION,
            "architecture": self.architecture_,
            "tokenizer": self.tokenizer_.to_dict(),
            "loss_history": self.loss_history_,
            "best_epoch": self.best_epoch_,
            "dependencies": msgspec.to_builtins(self.dependencies_),
            "bin_rows": self.bin_rows_,
            "bin_scores": [[rows, *found] for rows, found in self.bin_scores_.items()],
        }
        return ModelState(values=values, arrays=arrays)

    def _set_state(self, state: ModelState) -> None:
        if state.values.get("state_version", STATE_VERSION) > STATE_VERSION:
            raise ValueError("it was written by a newer SynthGen; upgrade synthgen-core")
        tokenizer = TableTokenizer.from_dict(state.values["tokenizer"])
        self.architecture_ = _architecture(state.values.get("architecture", "transformer"))
        device = loading_device(self.config.device)
        network = restore_network(
            lambda on: self._build_network(tokenizer, on, None),
            state.arrays,
            _NETWORK_PREFIX,
            device,
        )
        self._install(tokenizer, network.eval(), device)
        self.loss_history_ = history_from_json(state.values["loss_history"])
        self.best_epoch_ = int(state.values["best_epoch"])
        self.dependencies_ = msgspec.convert(state.values["dependencies"], list[Dependency])
        # files written before the choice of bins record none
        self.bin_rows_ = msgspec.convert(state.values.get("bin_rows"), int | None)
        scores = state.values.get("bin_scores", [])
        found = msgspec.convert(scores, list[tuple[int, float, float]])
        self.bin_scores_ = {rows: Realism(score, error) for rows, score, error in found}


@dataclass
class _Fitted:
    """A network trained over one tokenization of the table, before it is installed."""

    tokenizer: TableTokenizer
    network: AnyOrderNetwork
    dependencies: list[Dependency]
    loss_history: list[dict[str, float]]
    best_epoch: int

    def sampler(self, temperature: float, device: torch.device) -> SampleDrawer:
        """Unconditional rows of the learned table, as :func:`.bin_choice.realism` draws them."""
        network = self.network.eval()

        def draw(n_rows: int, rng: np.random.Generator) -> pd.DataFrame:
            generator = torch_generator(child_seed(rng), device)
            tokens = draw_tokens(
                network,
                n_rows,
                {},
                generator,
                temperature=temperature,
                dependencies=self.dependencies,
            )
            return self.tokenizer.decode(tokens.numpy(), rng)

        return draw


def _check_ranges(frame: pd.DataFrame, metadata: Metadata, conditions: dict[str, Any]) -> None:
    """Refuse rows outside a range: only an exact dependency on a fixed column can force one."""
    for name, value in conditions.items():
        if not isinstance(value, Range):
            continue
        spec = metadata.column(name)
        if not kind_of(spec).matches(spec, None, frame[name], value, 0.0).all():
            raise ConditionError(
                f"the range on column {name!r} conflicts with the other conditions: a value "
                "they fix determines this column, outside the range",
                column=name,
            )


def _bin_jitter(
    tokenizer: TableTokenizer,
    data: pd.DataFrame,
    encoded: npt.NDArray[np.int64],
    train_rows: npt.NDArray[np.int64],
    jitter_rows: float,
    *,
    device: torch.device,
) -> BinJitter | None:
    """The rank noise of the training rows (see :mod:`.jitter`); None when it is off."""
    if jitter_rows <= 0 or not tokenizer.columns:
        return None
    positions = tokenizer.bin_positions(data)  # places among all rows, as the bins count them
    return BinJitter(
        encoded,
        positions,
        tokenizer.bin_tokens(),
        tokenizer.vocab_sizes,
        rows=jitter_rows,
        device=device,
    ).subset(train_rows)


def _dropout(configured: float | None, n_train: int) -> float:
    """The dropout rate to train with (see SMALL_TABLE_ROWS)."""
    if configured is not None:
        return configured
    return SMALL_TABLE_DROPOUT if n_train < SMALL_TABLE_ROWS else 0.0


def _architecture(value: object) -> Architecture:
    """A stored network name, checked: a file naming another was not written by SynthGen."""
    if value not in ("mlp", "transformer"):
        raise ValueError(f"it names an unknown network architecture {value!r}")
    return value
