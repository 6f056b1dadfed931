"""Detection: how well a classifier tells synthetic rows from real ones.

A gradient-boosted classifier (scikit-learn's HistGradientBoosting, the learner efficacy
uses, with discrete columns as native categories) is trained to label rows "real" or
"synthetic" and scored by the ROC AUC of its predictions on rows it did not train on: the
rows of both tables are dealt into stratified folds, and a held-out fold is scored by a
learner trained on the others. The score is ``1 - 2 * |AUC - 0.5|``: 1.0 when the
classifier does no better than a coin (the tables are indistinguishable), 0.0 when it
separates them perfectly. A real holdout typically scores about 0.98 against its training
table. Published figures for this score use XGBoost; the learner here is of the same family.

The quality report's marginal and pairwise scores saturate near 1 well before a table is
realistic: a row whose age, education and occupation are each plausible, and plausible in
pairs, can still be an unlikely person. A classifier reads whole rows, so it also sees
higher-order dependencies.

Cost is bounded so every report can carry it (:data:`DEFAULT_BUDGET`): both tables are cut
to the same number of rows (at most 25,000 each), the learner is a short boosting run with a
large step (30 trees at learning rate 0.3), and it is fitted once, on two of three folds,
with the third held out. On the shared datasets, against synthetic tables from near-copies
to independent columns, this lands within 0.023 of scoring all three folds (0.005 on
average, and 0.001 lower on average, so no more lenient) at a third of the cost, and as
close as three folds are to a 5-fold, 150-tree run on every row (0.012 against 0.011 on
average; ``python -m benchmarks detection-budget``).
Fewer rows per table were cheaper still but read the tables as more alike than they are.

Small tables score every fold (below :attr:`Budget.all_folds_below` rows per table): there
one held-out fold is a few dozen rows, and its AUC moves by a tenth from one seed to the
next, while three fits of a few hundred rows cost milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from synthgen_core.evaluation.columns import (
    MAX_NATIVE_CATEGORIES,
    Column,
    feature_matrix,
    native_categories,
    sample_rows,
)

#: Below this many rows the learner runs on one thread (see efficacy.SINGLE_THREAD_ROWS).
SINGLE_THREAD_ROWS = 50_000


@dataclass(frozen=True)
class Budget:
    """How much work the detector does: rows, splits and the size of the boosting run.

    The rows of both tables are dealt into ``folds`` stratified folds; the first ``fits`` of
    them are each scored by a learner trained on all the others, and the score is the mean
    of their AUCs (``fits == folds`` is plain k-fold cross-validation, ``fits == 1`` a
    single stratified split with ``1 / folds`` of the rows held out). Tables of fewer than
    ``all_folds_below`` rows each score every fold.
    """

    #: rows taken from each table at most (a uniform sample, seeded)
    rows_per_table: int = 25_000
    folds: int = 3
    fits: int = 1
    all_folds_below: int = 2_000
    trees: int = 30
    learning_rate: float = 0.3
    leaves: int = 31
    bins: int = 255

    def __post_init__(self) -> None:
        if not 1 <= self.fits <= self.folds:
            raise ValueError(f"fits must be 1 to folds ({self.folds}), got {self.fits}")


#: The budget of every report.
DEFAULT_BUDGET = Budget()


class Detection(msgspec.Struct, frozen=True, kw_only=True):
    """How distinguishable the synthetic rows are from the real ones."""

    #: ``1 - 2 * |auc - 0.5|``: 1 indistinguishable, 0 perfectly separable
    score: float
    #: mean ROC AUC of the held-out folds (0.5 is chance)
    auc: float
    #: held-out folds scored, each by a learner that never saw it
    folds: int
    #: rows used from each table
    n_rows_per_table: int


def detection(
    columns: list[Column], seed: int, budget: Budget = DEFAULT_BUDGET
) -> Detection | None:
    """Real-vs-synthetic classification on held-out rows; None with too few rows to split."""
    rng = np.random.default_rng(seed)
    n_rows = min(len(columns[0].real), len(columns[0].synthetic), budget.rows_per_table)
    if n_rows < budget.folds:
        return None
    rows = {
        table: sample_rows(len(getattr(columns[0], table)), n_rows, rng)
        for table in ("real", "synthetic")
    }
    features = np.vstack([feature_matrix(columns, table, rows[table]) for table in rows])
    labels = np.repeat([0, 1], n_rows)  # (2n,) 0 real, 1 synthetic
    folds = _stratified_folds(n_rows, budget.folds, rng)  # (2n,) fold of every row
    categories = native_categories(columns, min(budget.bins - 1, MAX_NATIVE_CATEGORIES))
    fits = budget.folds if n_rows < budget.all_folds_below else budget.fits
    aucs = [
        _fold_auc(features, labels, folds == fold, categories, budget=budget, seed=seed)
        for fold in range(fits)
    ]
    auc = float(np.mean(aucs))
    return Detection(score=1.0 - 2.0 * abs(auc - 0.5), auc=auc, folds=fits, n_rows_per_table=n_rows)


def _stratified_folds(n_rows: int, n_folds: int, rng: np.random.Generator) -> np.ndarray:
    """Each class split evenly over the folds, in random order."""
    per_class = [rng.permutation(n_rows) % n_folds for _ in range(2)]
    return np.concatenate(per_class)


def _fold_auc(
    features: np.ndarray,
    labels: np.ndarray,
    test: np.ndarray,
    categories: np.ndarray | None,
    *,
    budget: Budget,
    seed: int,
) -> float:
    # A feature missing in every training row tells the tables apart nowhere (and the
    # learner cannot bin it): leave it out of this fold.
    usable = ~np.isnan(features[~test]).all(axis=0)  # (p,)
    if not usable.any():
        return 0.5
    learner = HistGradientBoostingClassifier(
        max_iter=budget.trees,
        learning_rate=budget.learning_rate,
        max_leaf_nodes=budget.leaves,
        max_bins=budget.bins,
        categorical_features=None if categories is None else categories[usable],
        early_stopping=False,
        random_state=seed,
    )
    with threadpool_limits(limits=1 if len(labels) < SINGLE_THREAD_ROWS else None):
        learner.fit(features[~test][:, usable], labels[~test])
        scores = learner.predict_proba(features[test][:, usable])[:, 1]
    return float(roc_auc_score(labels[test], scores))
