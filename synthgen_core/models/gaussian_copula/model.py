"""The Gaussian Copula synthesizer: marginals + one latent correlation matrix.

Every learned column is a monotone function (:mod:`.marginals`) of a latent standard normal
coordinate (:mod:`.latent`, with categories placed on their axes by :mod:`.ordering`); the
coordinates' correlation is estimated and sampled in :mod:`.copula`. Fitting is a handful
of vectorised passes over the table, sampling a matrix product and a lookup per column,
and conditions are applied exactly, so this is the model to reach for when speed or exact
conditions matter.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import msgspec
import numpy as np
import pandas as pd

from synthgen_core.metadata import Metadata
from synthgen_core.models.base import ModelState, Synthesizer
from synthgen_core.models.config import GaussianCopulaConfig
from synthgen_core.models.gaussian_copula.copula import latent_correlation, sample_latent
from synthgen_core.models.gaussian_copula.latent import LatentColumn, fit_latent
from synthgen_core.models.gaussian_copula.marginals import Atoms, Marginal
from synthgen_core.models.gaussian_copula.truncation import range_interval
from synthgen_core.nn.training import TrainingCallback, TrainingProgress
from synthgen_core.ranges import Range
from synthgen_core.rng import numpy_rng
from synthgen_core.sampling.conditions import condition_number, range_numbers, set_exact_values
from synthgen_core.transform.codec import EncodedTable, TableCodec

_PRESENT, _MISSING = 0.0, 1.0


class GaussianCopula(Synthesizer):
    """Statistical copula model: fastest, exact conditions, a strong baseline."""

    model_type: ClassVar[str] = "gaussian_copula"
    config_type = GaussianCopulaConfig
    config: GaussianCopulaConfig

    def _fit(
        self, data: pd.DataFrame, metadata: Metadata, callback: TrainingCallback | None
    ) -> Metadata:
        start = time.perf_counter()
        codec = TableCodec(metadata).fit(data)
        encoded = codec.encode(data)
        rng = numpy_rng(self.config.seed)
        distribution = self.config.numerical_distribution
        latent, scores, hermite = fit_latent(codec, encoded, distribution, rng)
        self.codec_ = codec
        self.latent_ = latent
        self.correlation_ = latent_correlation(scores, hermite)
        if callback is not None:
            elapsed = time.perf_counter() - start
            callback(TrainingProgress(epoch=1, total_epochs=1, losses={}, elapsed=elapsed))
        return codec.metadata_

    def _sample(
        self, num_rows: int, rng: np.random.Generator, conditions: dict[str, Any]
    ) -> pd.DataFrame:
        fixed, intervals = self._latent_conditions(conditions)
        z = sample_latent(self.correlation_, num_rows, rng, fixed, intervals)  # (N, d)
        encoded = self._encoded(z)
        for name, value in conditions.items():
            if name not in encoded.continuous:
                continue
            spec = self.codec_.metadata_.column(name)
            if isinstance(value, Range):  # inside already, up to the inverse's rounding
                low, high = range_numbers(spec, value)
                np.clip(encoded.continuous[name], low, high, out=encoded.continuous[name])
            else:
                encoded.continuous[name][:] = condition_number(spec, value)
        # A code that stands for several levels (high-cardinality) gets the exact level here;
        # the other columns decode to their condition already.
        coded = {name: value for name, value in conditions.items() if name in encoded.discrete}
        return set_exact_values(self.codec_.decode(encoded, rng), self.codec_.metadata_, coded)

    def _latent_conditions(
        self, conditions: dict[str, Any]
    ) -> tuple[dict[int, float], dict[int, tuple[float, float]]]:
        """Fixed scores and score intervals that make every sampled row meet ``conditions``."""
        fixed: dict[int, float] = {}
        intervals: dict[int, tuple[float, float]] = {}
        for i, item in enumerate(self.latent_):
            if item.column not in conditions:
                continue
            spec = self.codec_.metadata_.column(item.column)
            value = conditions[item.column]
            marginal = item.marginal
            if item.role == "missing":
                intervals[i] = _atoms(marginal).interval(_PRESENT)
            elif item.role == "category":
                code = self.codec_.condition_code(item.column, value)
                position = item.positions(np.array([code]))[0]
                intervals[i] = _atoms(marginal).interval(float(position))
            elif isinstance(value, Range):
                low, high = range_numbers(spec, value)
                intervals[i] = range_interval(marginal, low, high, item.column)
            elif isinstance(marginal, Atoms):
                intervals[i] = marginal.interval(condition_number(spec, value))
            else:
                number = np.array([condition_number(spec, value)])
                fixed[i] = float(marginal.to_normal(number)[0])
        return fixed, intervals

    def _encoded(self, z: np.ndarray) -> EncodedTable:
        continuous: dict[str, np.ndarray] = {}
        discrete: dict[str, np.ndarray] = {}
        missing: dict[str, np.ndarray] = {}
        for i, item in enumerate(self.latent_):
            values = item.marginal.from_normal(z[:, i])
            if item.role == "category":
                discrete[item.column] = item.codes(values)
            elif item.role == "missing":
                missing[item.column] = values == _MISSING
            else:
                continuous[item.column] = values
        for name, mask in missing.items():
            if name in continuous:
                continuous[name][mask] = np.nan
            else:  # the missing code follows the categories
                discrete[name][mask] = len(self.codec_.discrete_info(name).categories)
        return EncodedTable(n_rows=z.shape[0], continuous=continuous, discrete=discrete)

    def _get_state(self) -> ModelState:
        values = {"codec": self.codec_.to_dict(), "latent": msgspec.to_builtins(self.latent_)}
        return ModelState(values=values, arrays={"correlation": self.correlation_})

    def _set_state(self, state: ModelState) -> None:
        try:
            latent = msgspec.convert(state.values["latent"], list[LatentColumn])
        except msgspec.ValidationError as error:
            raise ValueError(str(error)) from None
        correlation = np.asarray(state.arrays["correlation"], dtype=np.float64)
        if correlation.shape != (len(latent), len(latent)):
            raise ValueError(f"correlation has shape {correlation.shape}")
        _check_correlation(correlation)
        codec = TableCodec.from_dict(state.values["codec"])
        for item in latent:
            if item.role == "category":
                _check_order(item, codec.discrete_info(item.column).n_codes)
        self.codec_ = codec
        self.latent_ = latent
        self.correlation_ = correlation


def _check_order(item: LatentColumn, n_codes: int) -> None:
    """Category positions must be a permutation of the column's codes, or decoding fails."""
    order = np.sort(np.asarray(item.order, dtype=np.int64))
    if order.size > n_codes or not np.array_equal(order, np.arange(order.size)):
        raise ValueError(f"the category order of {item.column!r} is not a permutation of its codes")


def _check_correlation(correlation: np.ndarray) -> None:
    """A correlation matrix as fitting leaves it: symmetric, unit diagonal, positive definite.

    Anything else would fail later, in conditional sampling's linear solves.
    """
    if correlation.size == 0:
        return
    if not np.allclose(correlation, correlation.T) or not np.allclose(np.diag(correlation), 1):
        raise ValueError("correlation is not a symmetric matrix with a unit diagonal")
    if np.linalg.eigvalsh(correlation)[0] <= 0:
        raise ValueError("correlation is not positive definite")


def _atoms(marginal: Marginal) -> Atoms:
    if not isinstance(marginal, Atoms):
        raise TypeError(f"expected frequency intervals, got {type(marginal).__name__}")
    return marginal


__all__ = ["GaussianCopula", "LatentColumn"]
