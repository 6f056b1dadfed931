"""The contract every SynthGen model keeps (scikit-learn's estimator conventions).

* ``__init__`` stores the options as given and validates them through the model type's
  msgspec config (:mod:`synthgen_core.models.config`), so a bad option fails at once with a
  :class:`ConfigError`, in the library and in the service alike.
* ``fit(data, metadata=None, callback=None)`` returns ``self``; learned state ends in ``_``.
* ``sample(n, seed=None, conditions=None)`` is a pure function of the fitted model and the
  seed: the same seed gives the same frame.
* ``save``/``load`` go through :mod:`synthgen_core.io.model_file`: JSON plus safetensors,
  so loading a file never executes code.

Subclasses implement ``_fit``, ``_sample``, ``_get_state`` and ``_set_state``.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import msgspec
import numpy as np
import pandas as pd

from synthgen_core import __version__
from synthgen_core.errors import DataError, ModelFileError, NotFittedError
from synthgen_core.io.model_file import FORMAT_VERSION, ModelFileHeader, write_model_file
from synthgen_core.metadata import Metadata
from synthgen_core.models.config import ModelConfig, config_to_dict, parse_config
from synthgen_core.nn.training import TrainingCallback
from synthgen_core.rng import numpy_rng

Arrays = dict[str, np.ndarray]
MAX_SAMPLE_ROWS = 1_000_000_000


class ModelState(msgspec.Struct, kw_only=True):
    """What a fitted model needs to sample again: JSON-able values plus named arrays."""

    values: dict[str, Any]
    arrays: Arrays = msgspec.field(default_factory=dict)


class Synthesizer(ABC):
    """Base class of the four models and of third-party models."""

    model_type: ClassVar[str]
    display_name: ClassVar[str]
    description: ClassVar[str]
    config_type: ClassVar[type[ModelConfig]]

    def __init__(self, **options: Any) -> None:
        self.options = dict(options)
        self.config = parse_config(self.config_type, self.options)

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.options.items())
        return f"{type(self).__name__}({shown})"

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "metadata_")

    def get_config(self) -> dict[str, Any]:
        """Every option with its effective value, defaults included."""
        return config_to_dict(self.config)

    def fit(
        self,
        data: pd.DataFrame,
        metadata: Metadata | None = None,
        *,
        callback: TrainingCallback | None = None,
    ) -> Self:
        """Learn the table's distribution; ``metadata`` is detected when not given."""
        self.config = parse_config(self.config_type, self.options)
        if not isinstance(data, pd.DataFrame):
            raise DataError(f"fit expects a pandas DataFrame, got {type(data).__name__}")
        metadata = Metadata.detect(data) if metadata is None else metadata
        metadata.validate(data)
        learned = self._fit(data, metadata, callback)
        # A model may hand back the metadata completed at fit (ranges and categories that
        # the user's metadata left empty), so conditions are checked against what it learned.
        self.metadata_ = metadata if learned is None else learned
        return self

    def sample(
        self,
        num_rows: int,
        *,
        seed: int | None = None,
        conditions: Mapping[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Draw ``num_rows`` synthetic rows; every row satisfies ``conditions``."""
        self._check_fitted()
        _check_num_rows(num_rows)
        from synthgen_core.sampling.conditions import validate_conditions

        checked = validate_conditions(self.metadata_, conditions or {})
        # The config seed is the default sample seed: fit + sample reproducible end to end.
        rng = numpy_rng(self.config.seed if seed is None else seed)
        return self._sample(int(num_rows), rng, checked)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted model to one ``.sgm`` file."""
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
        )
        write_model_file(path, header, state.arrays)

    @classmethod
    def _from_file(cls, header: ModelFileHeader, arrays: Arrays) -> Self:
        model = cls(**header.options)
        model.metadata_ = Metadata.from_dict(header.metadata)
        try:
            model._set_state(ModelState(values=header.state, arrays=arrays))
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


def _check_num_rows(num_rows: object) -> None:
    if isinstance(num_rows, bool) or not isinstance(num_rows, int | np.integer):
        raise DataError(f"num_rows must be an integer, got {num_rows!r}")
    if not 0 <= int(num_rows) <= MAX_SAMPLE_ROWS:
        raise DataError(f"num_rows must be between 0 and {MAX_SAMPLE_ROWS:,}, got {num_rows}")
