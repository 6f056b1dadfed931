"""The contract every SynthGen model keeps (scikit-learn's estimator conventions).

* ``__init__`` stores the options as given and validates them through the model type's
  msgspec config (:mod:`synthgen_core.models.config`), so a bad option fails at once with a
  :class:`ConfigError`, in the library and in the service alike.
* ``fit(data, metadata=None, callback=None)`` returns ``self``; learned state ends in ``_``.
* ``sample(n, seed=None, conditions=None, first_row=0)`` is a pure function of the fitted
  model, the seed and ``first_row``: the same seed gives the same frame. Ids are numbered
  here, by each row's position in the whole output (``first_row`` + its row number).
* ``save``/``load`` go through :mod:`synthgen_core.io.model_file`: JSON plus safetensors,
  so loading a file never executes code.
* The config's ``constraints`` are applied here, around ``_fit`` and ``_sample``: a
  subclass learns and draws the table :class:`~synthgen_core.constraints.plan.ConstraintPlan`
  rewrote (``metadata_``), and ``sample`` returns the user's (``table_metadata_``), so
  every model type, a plugin's included, keeps them without knowing of them.

Subclasses implement ``_fit``, ``_sample``, ``_get_state`` and ``_set_state``.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

import msgspec
import numpy as np
import pandas as pd

from synthgen_core._version import __version__
from synthgen_core.constraints.plan import ConstraintPlan
from synthgen_core.constraints.sampler import sample_constrained
from synthgen_core.errors import DataError, ModelFileError, NotFittedError
from synthgen_core.io.model_file import (
    FORMAT_VERSION,
    ModelFileHeader,
    ModelFileTarget,
    SigningKey,
    write_model_file,
)
from synthgen_core.metadata import Metadata
from synthgen_core.models.config import ModelConfig, config_to_dict, parse_config
from synthgen_core.nn.progress import reporting
from synthgen_core.nn.training import TrainingCallback
from synthgen_core.rng import numpy_rng
from synthgen_core.transform.unlearned import MAX_FIRST_ROW, complete_ids, number_ids

if TYPE_CHECKING:
    from synthgen_core.nn.checkpoint import Checkpoint, Stateful, TrainingCheckpoint

Arrays = dict[str, np.ndarray]
MAX_SAMPLE_ROWS = 1_000_000_000


class ModelState(msgspec.Struct, kw_only=True):
    """What a fitted model needs to sample again: JSON-able values plus named arrays."""

    values: dict[str, Any]
    arrays: Arrays = msgspec.field(default_factory=dict)


class Synthesizer(ABC):
    """Base class of the five models and of third-party models.

    A model's name and description live in :mod:`synthgen_core.models.registry`: the
    built-ins' in its table, a plugin's in its ``display_name`` and ``description``
    class attributes, which the registry reads.
    """

    model_type: ClassVar[str]
    config_type: ClassVar[type[ModelConfig]]
    #: Set during ``fit`` only: the checkpoint file and the seed the fit draws from.
    _checkpoint: Checkpoint | None = None
    _fit_seed: int | None = None
    #: The fitted constraints (None: the config has none): every fit and sample goes
    #: through them, so each model type keeps them without knowing of them.
    constraints_: ConstraintPlan | None = None

    def __init__(self, *, verbose: bool = True, **options: Any) -> None:
        self.options = dict(options)
        #: show training progress (see :mod:`synthgen_core.nn.progress`); not a model option
        self.verbose = verbose
        self.config = parse_config(self.config_type, self.options)

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.options.items())
        return f"{type(self).__name__}({shown})"

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "metadata_")

    @property
    def table_metadata_(self) -> Metadata:
        """The metadata of the table the model generates, as the user gave it.

        ``metadata_`` describes the table the model itself learned, which differs where
        constraints rewrite columns (see :mod:`synthgen_core.constraints`).
        """
        self._check_fitted()
        plan = self.constraints_
        return self.metadata_ if plan is None else plan.table_metadata

    def get_config(self) -> dict[str, Any]:
        """Every option with its effective value, defaults included."""
        return config_to_dict(self.config)

    def fit(
        self,
        data: pd.DataFrame,
        metadata: Metadata | None = None,
        *,
        callback: TrainingCallback | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        verbose: bool | None = None,
    ) -> Self:
        """Learn the table's distribution; ``metadata`` is detected when not given.

        ``checkpoint`` names a file where the neural models save their training state
        every few epochs: a fit given the same file, table and options resumes from it.
        The file is removed when training ends, and kept when ``callback`` stopped it.
        ``verbose`` (default: the model's, True) shows a progress bar in a terminal and logs
        progress elsewhere; False keeps training silent.
        """
        self.config = parse_config(self.config_type, self.options)
        if not isinstance(data, pd.DataFrame):
            raise DataError(f"fit expects a pandas DataFrame, got {type(data).__name__}")
        metadata = Metadata.detect(data) if metadata is None else metadata
        metadata.validate(data)
        plan, data, metadata = self._constrain(data, metadata)
        self._open_checkpoint(checkpoint, data)
        try:
            shown = self.verbose if verbose is None else verbose
            with reporting(self.model_type, callback, shown) as reporter:
                learned = self._fit(data, metadata, reporter)
        finally:
            run, self._checkpoint = self._checkpoint, None
        if run is not None and not run.interrupted:
            run.remove()
        # A model may hand back the metadata completed at fit (ranges and categories that
        # the user's metadata left empty), so conditions are checked against what it learned.
        self.metadata_ = complete_ids(metadata if learned is None else learned, data)
        self.constraints_ = None if plan is None else plan.adopt(self.metadata_)
        return self

    def _constrain(
        self, data: pd.DataFrame, metadata: Metadata
    ) -> tuple[ConstraintPlan | None, pd.DataFrame, Metadata]:
        """The table and metadata the model learns: the user's, rewritten by constraints."""
        if not self.config.constraints:
            return None, data, metadata
        return ConstraintPlan.fit(self.config.constraints, data, metadata)

    def _open_checkpoint(self, path: str | os.PathLike[str] | None, data: pd.DataFrame) -> None:
        """Open the fit's checkpoint file and settle its seed (a resumed fit keeps its own)."""
        self._checkpoint = None
        self._fit_seed = self.config.seed
        if path is None:
            return
        from synthgen_core.nn.checkpoint import Checkpoint, fresh_seed, training_key

        key = training_key(self.model_type, self.get_config(), data)
        self._checkpoint = Checkpoint(path, key=key)
        resumed_seed = self._checkpoint.seed
        if resumed_seed is not None:
            self._fit_seed = resumed_seed
        elif self._fit_seed is None:
            self._fit_seed = fresh_seed()

    def _training_checkpoint(
        self, *, stage: int = 0, **parts: Stateful
    ) -> TrainingCheckpoint | None:
        """For ``run_epochs``: the fit's checkpoint file and the parts of training ``stage``.

        A fit that trains several networks in turn numbers them as stages 0, 1, ...
        """
        checkpoint = self._checkpoint
        if checkpoint is None or self._fit_seed is None:  # a checkpoint always has a seed
            return None
        from synthgen_core.nn.checkpoint import TrainingCheckpoint

        return TrainingCheckpoint(checkpoint, parts, self._fit_seed, stage)

    def _checkpointed_stage(self) -> int | None:
        """The stage of training the fit's checkpoint file holds; None without one."""
        return None if self._checkpoint is None else self._checkpoint.stage

    def _training_seed(self) -> int | None:
        """The seed ``_fit`` draws from: the config's, or the one a checkpoint recorded."""
        return self._fit_seed

    def sample(
        self,
        num_rows: int,
        *,
        seed: int | None = None,
        conditions: Mapping[str, Any] | None = None,
        first_row: int = 0,
    ) -> pd.DataFrame:
        """Draw ``num_rows`` synthetic rows; every row satisfies ``conditions``.

        ``first_row`` is the position of the first of these rows in a larger output drawn
        in pieces: ids continue from there, so pieces drawn with ``first_row`` 0, ``n``,
        ``2n``, ... never repeat an id (see :mod:`synthgen_core.transform.unlearned`).
        """
        self._check_fitted()
        _check_num_rows(num_rows)
        _check_first_row(first_row)
        from synthgen_core.sampling.conditions import validate_conditions

        checked = validate_conditions(self.table_metadata_, conditions or {})
        # The config seed is the default sample seed: fit + sample reproducible end to end.
        rng = numpy_rng(self.config.seed if seed is None else seed)
        plan = self.constraints_
        if plan is None:
            frame = self._sample(int(num_rows), rng, checked)
        else:
            frame = sample_constrained(plan, self._sample_learned, int(num_rows), checked, rng)
        # Ids are numbered here, by position in the whole output: a model may draw its rows
        # in batches (rejection sampling), and a caller may draw an output in chunks.
        return number_ids(frame, self.table_metadata_, int(first_row), rng)

    def _sample_learned(
        self, num_rows: int, rng: np.random.Generator, conditions: dict[str, Any]
    ) -> pd.DataFrame:
        """Rows of the table the model learned, under conditions mapped onto it."""
        from synthgen_core.sampling.conditions import validate_conditions

        return self._sample(num_rows, rng, validate_conditions(self.metadata_, conditions))

    def save(self, path: ModelFileTarget, *, signing_key: SigningKey | None = None) -> None:
        """Write the fitted model as one ``.sgm`` file, signed when given ``signing_key``.

        ``path`` may be an open binary file (a server's storage stream): it is written,
        not closed, and not made atomic, which is the stream owner's part.
        """
        self._check_fitted()
        state = self._get_state()
        header = ModelFileHeader(
            format_version=FORMAT_VERSION,
            model_type=self.model_type,
            synthgen_version=__version__,
            options=self.options,
            metadata=self.metadata_.to_dict(),
            state=state.values,
            payload_sha256="",
            payload_bytes=0,
            constraints=None if self.constraints_ is None else self.constraints_.to_state(),
        )
        write_model_file(path, header, state.arrays, signing_key=signing_key)

    @classmethod
    def _from_file(cls, header: ModelFileHeader, arrays: Arrays) -> Self:
        model = cls(**header.options)
        model.metadata_ = Metadata.from_dict(header.metadata)
        try:
            model._set_state(ModelState(values=header.state, arrays=arrays))
            model.constraints_ = _stored_plan(model.config.constraints, header.constraints)
        # RuntimeError: PyTorch's load_state_dict on missing, unexpected or mis-shaped weights
        except (KeyError, ValueError, TypeError, RuntimeError) as error:
            reason = (str(error).splitlines() or [type(error).__name__])[0]
            raise ModelFileError(
                f"model file does not hold a valid {cls.model_type} model ({reason}); "
                "save the model again"
            ) from None
        return model

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(data) first"
            )

    @abstractmethod
    def _fit(
        self, data: pd.DataFrame, metadata: Metadata, callback: TrainingCallback | None
    ) -> Metadata | None: ...

    @abstractmethod
    def _sample(
        self, num_rows: int, rng: np.random.Generator, conditions: dict[str, Any]
    ) -> pd.DataFrame: ...

    @abstractmethod
    def _get_state(self) -> ModelState: ...

    @abstractmethod
    def _set_state(self, state: ModelState) -> None: ...


def _stored_plan(constraints: list[Any], state: dict[str, Any] | None) -> ConstraintPlan | None:
    """The fitted constraints of a model file (ValueError where options and state differ)."""
    if not constraints and state is None:
        return None
    if not constraints or state is None:
        raise ValueError("its constraints and their fitted state do not match")
    return ConstraintPlan.from_state(constraints, state)


def _check_num_rows(num_rows: object) -> None:
    if isinstance(num_rows, bool) or not isinstance(num_rows, int | np.integer):
        raise DataError(f"num_rows must be an integer, got {num_rows!r}")
    if not 0 <= int(num_rows) <= MAX_SAMPLE_ROWS:
        raise DataError(f"num_rows must be between 0 and {MAX_SAMPLE_ROWS:,}, got {num_rows}")


def _check_first_row(first_row: object) -> None:
    if isinstance(first_row, bool) or not isinstance(first_row, int | np.integer):
        raise DataError(f"first_row must be an integer, got {first_row!r}")
    if not 0 <= int(first_row) <= MAX_FIRST_ROW:
        raise DataError(f"first_row must be between 0 and {MAX_FIRST_ROW:,}, got {first_row}")
