"""Numerical helpers shared by the transforms and the models."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def safe_moments(
    values: npt.NDArray[np.float64], weights: npt.NDArray[np.float64] | None = None
) -> tuple[float, float]:
    """Mean and standard deviation of ``values`` (weighted) for any float64 magnitude.

    Computed on the values divided by their largest magnitude: the squares of 1e160
    overflow and those of 1e-200 underflow, though every such value is a valid float64.
    """
    magnitude = float(np.abs(values).max()) if values.size else 0.0
    magnitude = magnitude or 1.0
    unit = values / magnitude
    mean = float(np.average(unit, weights=weights))
    spread = float(np.sqrt(np.average((unit - mean) ** 2, weights=weights)))
    return mean * magnitude, spread * magnitude
