"""The marginal distance that drives GAN early stopping, against a NumPy reference."""

from __future__ import annotations

import numpy as np
import torch

from synthgen_core.nn.marginals import SCALAR_BINS, dependence_distance, marginal_distance
from tests.core.layouts import make_layout


def _rows(rng: np.random.Generator, size: int, weights: list[float], shift: float) -> np.ndarray:
    """(size, 4): one scalar in [-1, 1], then a three-category one-hot."""
    scalar = np.clip(rng.normal(shift, 0.3, size), -1, 1)
    category = rng.choice(3, size, p=weights)
    return np.column_stack([scalar, np.eye(3)[category]]).astype(np.float32)


def _reference(fake: np.ndarray, real: np.ndarray) -> float:
    edges = np.linspace(-1, 1, SCALAR_BINS + 1)
    histogram = [np.histogram(rows[:, 0], edges)[0] / len(rows) for rows in (fake, real)]
    scalar = 0.5 * np.abs(histogram[0] - histogram[1]).sum()
    category = 0.5 * np.abs(fake[:, 1:].mean(0) - real[:, 1:].mean(0)).sum()
    return float((scalar + category) / 2)


def test_distance_matches_the_total_variation_per_column() -> None:
    rng = np.random.default_rng(0)
    layout = make_layout(("value", 1), ("category", 3))
    real = _rows(rng, 4000, [0.5, 0.3, 0.2], 0.0)
    fake = _rows(rng, 3000, [0.2, 0.3, 0.5], 0.4)
    got = float(marginal_distance(torch.from_numpy(fake), torch.from_numpy(real), layout))
    assert abs(got - _reference(fake, real)) < 1e-5
    assert got > 0.2


def test_same_rows_score_zero_and_disjoint_rows_score_one() -> None:
    layout = make_layout(("value", 1), ("category", 3))
    rows = torch.tensor([[-0.95, 1.0, 0.0, 0.0], [0.5, 0.0, 1.0, 0.0]])
    other = torch.tensor([[0.95, 0.0, 0.0, 1.0], [0.99, 0.0, 0.0, 1.0]])
    assert float(marginal_distance(rows, rows, layout)) == 0.0
    assert float(marginal_distance(rows, other, layout)) == 1.0


def test_dependence_distance_sees_a_broken_pair_that_marginals_miss() -> None:
    rng = np.random.default_rng(1)
    layout = make_layout(("value", 1), ("category", 3))
    real = _rows(rng, 4000, [0.4, 0.3, 0.3], 0.0)
    real[:, 0] = np.clip(real[:, 1:] @ np.array([-0.6, 0.0, 0.6]) + rng.normal(0, 0.1, 4000), -1, 1)
    shuffled = real.copy()
    shuffled[:, 0] = rng.permutation(shuffled[:, 0])  # same marginals, no dependence
    as_tensor = torch.from_numpy
    assert float(marginal_distance(as_tensor(shuffled), as_tensor(real), layout)) < 0.05
    broken = float(dependence_distance(as_tensor(shuffled), as_tensor(real), layout))
    kept = float(dependence_distance(as_tensor(real[:2000]), as_tensor(real[2000:]), layout))
    assert broken > 0.3 and kept < 0.05
