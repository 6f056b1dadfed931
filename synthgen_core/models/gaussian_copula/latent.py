"""The copula's coordinates: which column each latent normal explains, and their scores.

Each learned column gets one coordinate; a column with missing cells gets a second one, a
present/missing indicator, so missingness keeps its relation to the other columns (taxis'
zones are missing in the same rows as their boroughs) instead of being drawn independently.
A categorical coordinate also records where each category sits on its axis
(:mod:`.ordering`).
"""

from __future__ import annotations

from typing import Literal

import msgspec
import numpy as np

from synthgen_core.models.gaussian_copula.copula import HERMITE_ORDER
from synthgen_core.models.gaussian_copula.marginals import (
    Atoms,
    Marginal,
    fit_discrete,
    fit_marginal,
)
from synthgen_core.models.gaussian_copula.ordering import optimal_order
from synthgen_core.transform.codec import EncodedTable, TableCodec

Role = Literal["value", "missing", "category"]
#: Rows used to place categories on their axes (means of scores: a sample is plenty).
ORDER_ROWS = 20_000
#: Passes of ordering: the second sees the other categoricals already ordered.
ORDER_PASSES = 2


class LatentColumn(msgspec.Struct, frozen=True, kw_only=True):
    """One coordinate of the copula."""

    column: str
    role: Role
    #: For ``category``: over positions ``0..K-1`` on the axis; otherwise over the values.
    marginal: Marginal
    #: For ``category``: the code at each position, so ``order[position] == code``.
    order: tuple[int, ...] = ()

    def positions(self, codes: np.ndarray) -> np.ndarray:
        """Axis position of each category code."""
        inverse = np.empty(len(self.order), dtype=np.int64)
        inverse[list(self.order)] = np.arange(len(self.order))
        return np.asarray(inverse[codes], dtype=np.int64)

    def codes(self, positions: np.ndarray) -> np.ndarray:
        """Category code at each axis position."""
        return np.asarray(self.order, dtype=np.int64)[positions.astype(np.int64)]


def fit_latent(
    codec: TableCodec, encoded: EncodedTable, distribution: str, rng: np.random.Generator
) -> tuple[list[LatentColumn], np.ndarray, np.ndarray]:
    """Every coordinate, their (N, d) scores (NaN = missing) and (d, K) Hermite coefficients."""
    missing = missing_masks(codec, encoded)
    latent = _coordinates(codec, encoded, missing, distribution, rng)
    scores = np.empty((encoded.n_rows, len(latent)))  # (N, d)
    for i, item in enumerate(latent):
        scores[:, i] = _scores(item, encoded, missing[item.column])
    _order_categories(latent, scores, encoded, missing, rng)
    hermite = np.stack([_hermite(item.marginal) for item in latent]) if latent else None
    return latent, scores, np.zeros((0, HERMITE_ORDER)) if hermite is None else hermite


def missing_masks(codec: TableCodec, encoded: EncodedTable) -> dict[str, np.ndarray]:
    """(N,) bool per column: NaN in continuous vectors, the last code in discrete ones."""
    masks = {name: np.isnan(values) for name, values in encoded.continuous.items()}
    for name, codes in encoded.discrete.items():
        masks[name] = codes == len(codec.discrete_info(name).categories)
    return masks


def _coordinates(
    codec: TableCodec,
    encoded: EncodedTable,
    missing: dict[str, np.ndarray],
    distribution: str,
    rng: np.random.Generator,
) -> list[LatentColumn]:
    latent: list[LatentColumn] = []
    for name in codec.learned_columns:
        present = ~missing[name]
        if name in encoded.discrete:
            count = len(codec.discrete_info(name).categories)
            marginal: Marginal = fit_discrete(encoded.discrete[name][present], count)
            order = tuple(range(count))
            category = LatentColumn(column=name, role="category", marginal=marginal, order=order)
            latent.append(category)
        else:
            marginal = fit_marginal(encoded.continuous[name][present], distribution, rng)
            latent.append(LatentColumn(column=name, role="value", marginal=marginal))
        if not present.all():
            indicator = fit_discrete(missing[name].astype(np.int64), 2)
            latent.append(LatentColumn(column=name, role="missing", marginal=indicator))
    return latent


def _order_categories(
    latent: list[LatentColumn],
    scores: np.ndarray,
    encoded: EncodedTable,
    missing: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> None:
    """Reorder every categorical axis in place (``latent`` and its ``scores`` column)."""
    n = encoded.n_rows
    rows = np.sort(rng.choice(n, ORDER_ROWS, replace=False)) if n > ORDER_ROWS else np.arange(n)
    sub = _standardised(scores[rows])  # (R, d)
    for _ in range(ORDER_PASSES):
        for i, item in enumerate(latent):
            if item.role != "category":
                continue
            present = ~missing[item.column][rows]
            sub[:, i] = 0.0  # a column says nothing about its own order
            codes = encoded.discrete[item.column][rows][present]
            order = optimal_order(codes, len(item.order), sub[present])  # codes, axis order
            atoms = _atoms(item.marginal)
            probs = np.asarray(atoms.probs)[item.positions(order)]
            latent[i] = LatentColumn(
                column=item.column,
                role="category",
                order=tuple(int(code) for code in order),
                marginal=Atoms(values=atoms.values, probs=tuple(probs.tolist())),
            )
            scores[:, i] = _scores(latent[i], encoded, missing[item.column])
            sub[:, i] = _standardised(scores[rows, i : i + 1])[:, 0]


def _scores(item: LatentColumn, encoded: EncodedTable, missing: np.ndarray) -> np.ndarray:
    """(N,) the coordinate's normal scores; NaN where the column's value is missing."""
    if item.role == "missing":
        return item.marginal.to_normal(missing.astype(np.float64))
    if item.role == "category":
        values = item.positions(encoded.discrete[item.column][~missing]).astype(np.float64)
    else:
        values = encoded.continuous[item.column][~missing]
    scores = np.full(missing.shape, np.nan)
    scores[~missing] = item.marginal.to_normal(values)
    if not isinstance(item.marginal, Atoms) and values.size > 1:
        # A continuous score is its own latent coordinate: standardise away fit error.
        observed = scores[~missing]
        scores[~missing] = (observed - observed.mean()) / max(float(observed.std()), 1e-12)
    return scores


def _standardised(scores: np.ndarray) -> np.ndarray:
    """Columns scaled to unit variance, missing cells at the mean (0)."""
    observed = ~np.isnan(scores)
    count = np.maximum(observed.sum(axis=0), 1)
    filled = np.where(observed, scores, 0.0)
    mean = filled.sum(axis=0) / count
    centred = np.where(observed, scores - mean, 0.0)
    spread = np.sqrt((centred**2).sum(axis=0) / count)
    return centred / np.where(spread > 0, spread, 1.0)


def _hermite(marginal: Marginal) -> np.ndarray:
    """(K,) Hermite coefficients of the score function (identity for continuous ones)."""
    if isinstance(marginal, Atoms):
        return marginal.hermite(HERMITE_ORDER)
    identity = np.zeros(HERMITE_ORDER)
    identity[0] = 1.0
    return identity


def _atoms(marginal: Marginal) -> Atoms:
    if not isinstance(marginal, Atoms):
        raise TypeError(f"expected frequency intervals, got {type(marginal).__name__}")
    return marginal
