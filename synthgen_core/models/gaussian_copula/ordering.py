"""Where each category sits on its column's latent axis.

A Gaussian copula sees a categorical column through one latent normal coordinate, cut into
one interval per category, so only a *monotone* relation between categories and the other
columns can be expressed. Code order (alphabetical, say) is arbitrary: adult's ``education``
sorted by name has no monotone link to ``education-num`` although the two are the same
variable. We order categories by their optimal scaling (the first dimension of homogeneity
analysis / categorical PCA): each category's mean of the other columns' scores, projected
on the direction along which those means vary most. Categories that behave alike become
neighbours, and the relation the copula can express is as strong as one axis allows.
"""

from __future__ import annotations

import numpy as np


def optimal_order(codes: np.ndarray, num_codes: int, others: np.ndarray) -> np.ndarray:
    """(K,) the codes ``0..num_codes-1`` in latent order, given (N, m) other scores.

    ``others`` must be standardised, with 0 where a value is missing. With two categories
    or nothing to relate to, code order is kept (any order is then equally good).
    """
    if num_codes <= 2 or others.shape[1] == 0 or codes.size == 0:
        return np.arange(num_codes)
    means, weights = _category_means(codes, num_codes, others)  # (K, m), (K,)
    spread = (means * weights[:, None]).T @ means  # (m, m) between-category covariance
    _, vectors = np.linalg.eigh(spread)
    direction = vectors[:, -1]
    direction = direction * np.sign(direction.sum() or 1.0)  # a deterministic orientation
    return np.argsort(means @ direction, kind="stable")


def _category_means(
    codes: np.ndarray, num_codes: int, others: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean score of each category on each other column, and each category's share."""
    counts = np.bincount(codes, minlength=num_codes)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seen = counts > 0
    sums = np.zeros((num_codes, others.shape[1]))
    sums[seen] = np.add.reduceat(others[order], starts[seen], axis=0)
    means = sums / np.maximum(counts, 1)[:, None]
    return means, counts / counts.sum()
