"""Alpha-precision and beta-recall: are the synthetic rows typical, and do they cover the real?

Alaa et al. (ICML 2022, arXiv 2102.08921) split fidelity from diversity:

* **alpha-precision**: the share of synthetic rows inside the real table's *alpha-support*,
  the smallest region holding a share alpha of the real rows. A faithful generator puts a
  share alpha of its rows there too, at every alpha; one that piles its rows into the dense
  core, or strays outside the real rows, does not;
* **beta-recall**: the share of real rows inside the synthetic table's beta-support. A
  faithful generator's beta-support holds a share beta of the real rows at every beta; one
  that drops modes or rare kinds of rows holds fewer.

Each is integrated over its level, as in the paper: ``1 - 2 * mean over the levels of
|share - level|``, so 1 is ideal and 0 as far from it as a curve can be.

The paper learns an embedding in which the supports are balls around a centre. Here both
supports are read from k-nearest-neighbour distances in the row space of the privacy checks
(:mod:`.neighbours`: min-max-scaled numbers, one-hot categories, missing flags), with no
model to train: a point is the more typical of a table, the nearer its k-th nearest row of
that table, and the alpha-support is the region at most the alpha-quantile of the table's
own rows' such distances (each row left out of its own neighbours) away. Its boundary is a
level set of a k-nearest-neighbour density estimate, which is what a minimum-volume set
holding alpha of the mass is. The same reading serves both measures, so real rows the
generator never saw score about 0.97 on both (adult). The paper's recall estimator, which
asks whether a real row's k-nearest-neighbour ball holds the nearest synthetic row of the
support, read those rows as 0.51 here: the balls of rows in sparse regions are wide, so
small supports already reach most rows.

Both measure where rows lie. Columns shuffled independently put adult's rows where no real
row is typical (alpha-precision 0.48) while still reaching nearly all of them (beta-recall
0.95); one real row repeated is typical but reaches none (0.48 and 0). Copies are for the
privacy checks.

Both work on seeded samples of :data:`SAMPLE_ROWS` rows of each table, so they cost the
same on any table size: three float32 distance matrices of a million entries each.
"""

from __future__ import annotations

import msgspec
import numpy as np

from synthgen_core.evaluation.columns import Column, sample_rows
from synthgen_core.evaluation.neighbours import Rows, Space, wide_attributes

#: Rows sampled from each table.
SAMPLE_ROWS = 1_000
#: The k of the k-nearest-neighbour distances that say how typical a point is.
NEIGHBOURS = 5
#: Levels (alpha, beta) the curves are read at: the midpoints of 20 equal steps of (0, 1).
LEVELS = (np.arange(20) + 0.5) / 20
#: Scaled values (training range: 0 to 1) are clipped to +-FAR before float32 arithmetic.
FAR = 1e15


class PrecisionRecall(msgspec.Struct, frozen=True, kw_only=True):
    """Integrated alpha-precision and beta-recall, each in ``[0, 1]``, 1 ideal."""

    alpha_precision: float
    beta_recall: float


def precision_recall(columns: list[Column], rng: np.random.Generator) -> PrecisionRecall | None:
    """Both measures on samples of the training and synthetic rows; None below k + 1 rows."""
    n_real, n_synthetic = len(columns[0].real), len(columns[0].synthetic)
    if min(n_real, n_synthetic) <= NEIGHBOURS:
        return None
    space = Space(columns)
    real_rows = sample_rows(n_real, SAMPLE_ROWS, rng)
    synthetic_rows = sample_rows(n_synthetic, SAMPLE_ROWS, rng)
    real = space.embed([c.real[real_rows] for c in columns])
    synthetic = space.embed([c.synthetic[synthetic_rows] for c in columns])
    between = pairwise_distances(real, synthetic)  # (n, m)
    return PrecisionRecall(
        alpha_precision=_integrated(
            support_curve(_kth_nearest(pairwise_distances(real, real), itself=True), between.T)
        ),
        beta_recall=_integrated(
            support_curve(
                _kth_nearest(pairwise_distances(synthetic, synthetic), itself=True), between
            )
        ),
    )


def support_curve(own_radius: np.ndarray, others_to_own: np.ndarray) -> np.ndarray:
    """(levels,) share of the other table's rows inside each level's support of one table.

    ``own_radius`` is each of the table's rows' distance to its k-th nearest other row of
    the table; ``others_to_own`` (rows of the other table, rows of this one) the distances
    between the tables. The support at a level holds every point at most that quantile of
    ``own_radius`` from its k-th nearest row of the table, so it holds that share of the
    table's own rows, and of the other table's rows when both come from one distribution.
    """
    bounds = np.quantile(own_radius, LEVELS)
    inside: np.ndarray = (_kth_nearest(others_to_own)[:, None] <= bounds).mean(axis=0)
    return inside


def pairwise_distances(queries: Rows, reference: Rows) -> np.ndarray:
    """(Q, R) float32 distances of every pair, as :mod:`.neighbours` defines them.

    Numbers are summed column by column, so a repeated row is at distance exactly 0 however
    small its scaled values (a column of byte counts scales most of them below 1e-6), and
    float32 keeps seven digits of every other distance at a quarter of float64's cost;
    discrete attributes are counted by one product of 0/1 level indicators, exact in
    float32, or by comparing codes for attributes of many levels.
    """
    wide = wide_attributes(queries.codes)
    narrow = np.setdiff1d(np.arange(queries.codes.shape[1]), wide)
    query_levels, reference_levels = _indicators(
        queries.codes[:, narrow], reference.codes[:, narrow]
    )
    # the whole-number mismatches first, so that a small numerical distance added to them
    # keeps its digits instead of cancelling against them
    squared = np.float32(len(narrow)) - query_levels @ reference_levels.T
    for attribute in wide:
        squared += queries.codes[:, attribute, None] != reference.codes[:, attribute]
    query_values, reference_values = (_float32(rows.values) for rows in (queries, reference))
    difference = np.empty_like(squared)  # one buffer: temporaries would triple the time
    for column in range(query_values.shape[1]):
        np.subtract(query_values[:, column, None], reference_values[:, column], out=difference)
        difference *= difference
        squared += difference
    distances: np.ndarray = np.sqrt(squared, out=squared)
    return distances


def _float32(values: np.ndarray) -> np.ndarray:
    """Scaled values in float32, clipped so that no square or sum overflows.

    Values clipped are far outside the training range, so their rows stay farther from the
    real rows than any real row is.
    """
    clipped: np.ndarray = np.clip(values, -FAR, FAR).astype(np.float32)
    return clipped


def _indicators(
    query_codes: np.ndarray, reference_codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(Q, L) and (R, L) float32 0/1 indicators of each row's level of every attribute."""
    size = int(max(query_codes.max(initial=0), reference_codes.max(initial=0))) + 1
    offsets = np.arange(query_codes.shape[1]) * size  # one range of keys per attribute
    keys = np.concatenate([query_codes + offsets, reference_codes + offsets])
    _, index = np.unique(keys, return_inverse=True)
    index = index.reshape(keys.shape)
    hot = np.zeros((len(keys), int(index.max(initial=-1)) + 1), np.float32)
    np.put_along_axis(hot, index, 1.0, axis=1)
    return hot[: len(query_codes)], hot[len(query_codes) :]


def _kth_nearest(distances: np.ndarray, *, itself: bool = False) -> np.ndarray:
    """(Q,) each row's distance to its k-th nearest reference row.

    ``itself``: queries and reference are the same rows, each left out of its neighbours.
    """
    if itself:
        distances = distances.copy()
        np.fill_diagonal(distances, np.inf)
    kth: np.ndarray = np.partition(distances, NEIGHBOURS - 1, axis=1)[:, NEIGHBOURS - 1]
    return kth


def _integrated(curve: np.ndarray) -> float:
    """1 - 2 * the mean gap between the curve and the diagonal over the levels, in [0, 1]."""
    return float(np.clip(1.0 - 2.0 * np.mean(np.abs(curve - LEVELS)), 0.0, 1.0))
