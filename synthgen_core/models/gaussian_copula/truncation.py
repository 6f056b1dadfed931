"""Range conditions in the copula: a value range is a score interval, so exact.

Every marginal is monotone, so ``low <= x <= high`` holds exactly when the column's normal
score lies in ``[Phi^-1(F(low-)), Phi^-1(F(high))]``. Sampling the latent vector truncated
to that interval (:func:`~.copula.sample_latent`) draws the column from its own
distribution restricted to the range, and every other column from the copula's conditional
given it: a truncated conditional, with no rejection. For atoms the interval spans the
atoms inside the range, whole.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from synthgen_core.errors import ConditionError
from synthgen_core.models.gaussian_copula.marginals import Atoms, Marginal


def range_interval(marginal: Marginal, low: float, high: float, column: str) -> tuple[float, float]:
    """The score interval whose values are those of ``[low, high]`` (open sides infinite)."""
    if isinstance(marginal, Atoms):
        return _atoms_interval(marginal, low, high, column)
    lower = -math.inf if math.isinf(low) else _score(marginal.cdf_bounds(np.array([low]))[0])
    upper = math.inf if math.isinf(high) else _score(marginal.cdf_bounds(np.array([high]))[1])
    return lower, upper


def _atoms_interval(atoms: Atoms, low: float, high: float, column: str) -> tuple[float, float]:
    values = np.asarray(atoms.values, dtype=np.float64)
    inside = np.flatnonzero((values >= low) & (values <= high))
    if inside.size == 0:
        raise ConditionError(
            f"column {column!r} took only a few distinct values in training and none lies "
            "in the range; widen it to include one",
            column=column,
        )
    bounds = atoms.thresholds()
    return float(bounds[inside[0]]), float(bounds[inside[-1] + 1])


def _score(probability: np.ndarray) -> float:
    return float(special.ndtri(np.clip(probability, 0.0, 1.0))[0])


__all__ = ["range_interval"]
