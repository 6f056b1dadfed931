"""Privacy: is the synthetic table made of copies, or of near-copies, of training rows?

* exact-copy rate: the share of synthetic rows identical (on every scored column) to some
  training row, over all rows, by hashing;
* distance to closest record (DCR): each synthetic row's distance to its nearest training
  row, summarised by the median and set against the median DCR of random rows drawn
  uniformly over the real domain (ratio near 0: rows hug training records; near 1: they
  are as far from them as noise is);
* personal data: the share of the output values of ``pii`` columns equal to a real value
  of the same column (compared lower case, letters and digits only, so ``(555) 123-4567``
  equals ``555.123.4567``); fake values are drawn apart from the real ones, so it is 0;
* with a holdout (real rows the generator never saw): the share of synthetic rows closer to
  the training table than to the holdout. A generator that learned the distribution, not the
  rows, scores 50%; memorisation pushes it towards 100%.

Rows live in a normalised space: a continuous value becomes ``(x - min) / (max - min)`` of
the training column plus a missing flag, a category a one-hot vector scaled by
``1 / sqrt(2)``, so two different categories add exactly 1 to the squared distance.
Nearest neighbours are exact (:mod:`.neighbours`: a float32 search shortlists, float64
decides), found block by block, so memory stays at one block whatever the table size, and
a row tied between the training table and the holdout counts half, as defined.

DCR works on samples (:data:`MAX_QUERIES` synthetic rows against :data:`MAX_REFERENCE`
training rows) so that a million-row table costs what a ten-thousand-row one does. A
sampled reference makes every nearest neighbour a little farther, for synthetic and random
rows alike, so their ratio stays fair; exact copies are counted on all rows.
"""

from __future__ import annotations

import math

import msgspec
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from synthgen_core.evaluation.columns import Column, finite, sample_rows
from synthgen_core.evaluation.neighbours import Rows, Space, nearest_distances, select, stack
from synthgen_core.metadata.pii import pii_keys

#: At most this many synthetic rows (a uniform sample) are queried for DCR: the
#: closer-to-train share is then known to about +-2.2 points (one standard error).
MAX_QUERIES = 500
#: Random rows drawn for the baseline; they sit far from every record, so their median
#: distance is stable with few rows.
BASELINE_ROWS = 200
#: At most this many rows of the training (and of the holdout) table are searched.
MAX_REFERENCE = 10_000
#: Closer-to-train is averaged over at most this many disjoint training samples.
MAX_CLOSER_DRAWS = 8


class Privacy(msgspec.Struct, frozen=True, kw_only=True):
    """Copy and closeness measures of the synthetic rows against the training rows."""

    exact_copy_rate: float
    dcr_median: float
    dcr_baseline_median: float
    #: ``dcr_median / dcr_baseline_median`` capped at 1; None when the baseline is 0
    dcr_ratio: float | None
    #: share of synthetic rows nearer the training table than the holdout (ideal 0.5)
    closer_to_train: float | None
    n_queries: int
    #: training rows searched for DCR
    n_reference: int
    #: rows of the training table and of the holdout compared for ``closer_to_train``
    n_matched: int | None = None
    #: personal-data (``pii``) columns, whose values are faked
    pii_columns: list[str] = []
    #: share of their non-missing output values equal to a real value of the same column
    #: (compared lower case, letters and digits only); 0 by design, None without pii columns
    pii_copy_rate: float | None = None
    #: non-missing output values of the pii columns
    n_pii_values: int = 0


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """A bijective 64-bit mixer (Steele et al., SplitMix64): equal in, equal out, else spread."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed: np.ndarray = x ^ (x >> np.uint64(31))
    return mixed


def row_fingerprints(arrays: list[np.ndarray]) -> np.ndarray:
    """(n,) uint64 per row from its encoded values; rows collide with chance ~n^2 / 2^64."""
    fingerprint = np.zeros(arrays[0].size, np.uint64)
    for values in arrays:
        if values.dtype.kind == "f":  # one bit pattern for every NaN, and -0.0 == 0.0
            bits = np.where(np.isnan(values), np.nan, values + 0.0).view(np.uint64)
        else:
            bits = values.astype(np.uint64)
        fingerprint = _splitmix64(fingerprint ^ bits)
    return fingerprint


def exact_copy_rate(columns: list[Column]) -> float:
    """Share of synthetic rows equal to some real row on every scored column."""
    real = row_fingerprints([column.real for column in columns])
    synthetic = row_fingerprints([column.synthetic for column in columns])
    return float(pd.Series(synthetic).isin(real).mean())  # a hash set: no sort of either table


def privacy(columns: list[Column], rng: np.random.Generator) -> Privacy:
    """Exact copies, DCR against a random baseline and, given a holdout, closer-to-train.

    BLAS runs on one thread here: the capped searches are small (about 1 GFLOP), and on a
    busy host spinning BLAS threads made them slower.
    """
    with threadpool_limits(limits=1):
        return _privacy(columns, rng)


def _privacy(columns: list[Column], rng: np.random.Generator) -> Privacy:
    space = Space(columns)
    n_real = len(columns[0].real)
    train_rows = sample_rows(n_real, min(n_real, MAX_REFERENCE), rng)  # one sample for all columns
    reference = space.embed([c.real[train_rows] for c in columns])
    query_rows = sample_rows(len(columns[0].synthetic), MAX_QUERIES, rng)
    queries = space.embed([c.synthetic[query_rows] for c in columns])
    baseline = space.embed(space.random_rows(min(len(query_rows), BASELINE_ROWS), rng))
    distances = nearest_distances(stack(queries, baseline), reference)
    synthetic_dcr, baseline_dcr = distances[: len(query_rows)], distances[len(query_rows) :]
    median, baseline_median = float(np.median(synthetic_dcr)), float(np.median(baseline_dcr))
    ratio = min(median / baseline_median, 1.0) if baseline_median > 0 else math.nan
    closer, n_matched = None, None
    if columns[0].holdout is not None:
        closer, n_matched = _closer_to_train(space, queries, reference, synthetic_dcr, rng)
    return Privacy(
        exact_copy_rate=exact_copy_rate(columns),
        dcr_median=median,
        dcr_baseline_median=baseline_median,
        dcr_ratio=finite(ratio),
        closer_to_train=closer,
        n_queries=len(query_rows),
        n_reference=len(reference.values),
        n_matched=n_matched,
    )


def _closer_to_train(
    space: Space,
    queries: Rows,
    reference: Rows,
    to_reference: np.ndarray,
    rng: np.random.Generator,
) -> tuple[float, int]:
    """Closer-to-train share against equal-sized train and holdout samples.

    Equal sizes keep 0.5 the ideal; the price is that a holdout much smaller than the
    training table dilutes the signal (a copied row's original is then often not in the
    train sample), so read it next to ``exact_copy_rate``. The share is averaged over up
    to :data:`MAX_CLOSER_DRAWS` disjoint training samples: same expectation as one sample,
    but on a small holdout one sample alone moves it by several points.
    """
    holdout = [_holdout(column) for column in space.columns]
    n_matched = min(len(reference.values), len(holdout[0]))
    held_rows = sample_rows(len(holdout[0]), n_matched, rng)
    to_holdout = nearest_distances(queries, space.embed([values[held_rows] for values in holdout]))
    if n_matched == len(reference.values):
        return closer_share(to_reference, to_holdout), n_matched
    n_draws = min(MAX_CLOSER_DRAWS, len(reference.values) // n_matched)
    order = rng.permutation(len(reference.values))
    shares = [
        closer_share(nearest_distances(queries, select(reference, np.sort(rows))), to_holdout)
        for rows in order[: n_draws * n_matched].reshape(n_draws, n_matched)
    ]
    return float(np.mean(shares)), n_matched


def closer_share(to_train: np.ndarray, to_holdout: np.ndarray) -> float:
    """Share of rows nearer the training table; a tie counts half, so the ideal is 0.5."""
    return float((to_train < to_holdout).mean() + 0.5 * (to_train == to_holdout).mean())


def _holdout(column: Column) -> np.ndarray:
    assert column.holdout is not None  # every column is encoded with the holdout or none is
    return column.holdout


def with_pii_copies(
    found: Privacy, real: pd.DataFrame, synthetic: pd.DataFrame, names: list[str]
) -> Privacy:
    """``found`` with the share of output pii values equal to a real one of their column."""
    if not names:
        return found
    copies, total = 0, 0
    for name in names:
        output = synthetic[name].dropna()
        copies += int(pii_keys(output).isin(set(pii_keys(real[name].dropna()))).sum())
        total += len(output)
    return msgspec.structs.replace(
        found,
        pii_columns=names,
        pii_copy_rate=copies / total if total else 0.0,
        n_pii_values=total,
    )
