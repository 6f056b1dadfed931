"""Detection: how well a classifier tells synthetic rows from real ones.

A gradient-boosted classifier (scikit-learn's HistGradientBoosting, the learner efficacy
uses, with discrete columns as native categories) is trained to label rows "real" or
"synthetic" and scored by the ROC AUC of its predictions on rows it did not train on, by
stratified k-fold cross-validation. The score is ``1 - 2 * |AUC - 0.5|``: 1.0 when the
classifier does no better than a coin (the tables are indistinguishable), 0.0 when it
separates them perfectly. A real holdout typically scores about 0.98 against its training
table. Published figures for this score use XGBoost; the learner here is of the same family.

The quality report's marginal and pairwise scores saturate near 1 well before a table is
realistic: a row whose age, education and occupation are each plausible, and plausible in
pairs, can still be an unlikely person. A classifier reads whole rows, so it also sees
higher-order dependencies.

Cost is bounded so every report can carry it: both tables are cut to the same number of
rows (at most :data:`MAX_ROWS_PER_TABLE` each), and the learner is a short boosting run with
a large step (:data:`BOOSTING_ROUNDS` trees at learning rate :data:`LEARNING_RATE`), which
on adult reached within 0.02 of a 100-round run at a fifth of its time.
"""

from __future__ import annotations

import msgspec
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from synthgen_core.evaluation.columns import Column, feature_matrix, native_categories

#: Folds of the cross-validation; each row is scored once, by a model that never saw it.
FOLDS = 3
#: Rows taken from each table at most (a uniform sample, seeded).
MAX_ROWS_PER_TABLE = 25_000
BOOSTING_ROUNDS = 30
LEARNING_RATE = 0.3
#: Below this many rows the learner runs on one thread (see efficacy.SINGLE_THREAD_ROWS).
SINGLE_THREAD_ROWS = 50_000


class Detection(msgspec.Struct, frozen=True, kw_only=True):
    """How distinguishable the synthetic rows are from the real ones."""

    #: ``1 - 2 * |auc - 0.5|``: 1 indistinguishable, 0 perfectly separable
    score: float
    #: mean ROC AUC of the folds (0.5 is chance)
    auc: float
    folds: int
    #: rows used from each table
    n_rows_per_table: int


def detection(columns: list[Column], seed: int) -> Detection | None:
    """Cross-validated real-vs-synthetic classification; None with too few rows to split."""
    rng = np.random.default_rng(seed)
    n_rows = min(len(columns[0].real), len(columns[0].synthetic), MAX_ROWS_PER_TABLE)
    if n_rows < FOLDS:
        return None
    rows = {
        table: _sample_rows(len(getattr(columns[0], table)), n_rows, rng)
        for table in ("real", "synthetic")
    }
    features = np.vstack([feature_matrix(columns, table, rows[table]) for table in rows])
    labels = np.repeat([0, 1], n_rows)  # (2n,) 0 real, 1 synthetic
    folds = _stratified_folds(n_rows, rng)  # (2n,) fold of every row
    aucs = [_fold_auc(columns, features, labels, folds == fold, seed) for fold in range(FOLDS)]
    auc = float(np.mean(aucs))
    return Detection(
        score=1.0 - 2.0 * abs(auc - 0.5), auc=auc, folds=FOLDS, n_rows_per_table=n_rows
    )


def _sample_rows(size: int, n_rows: int, rng: np.random.Generator) -> np.ndarray:
    if n_rows >= size:
        return np.arange(size)
    return np.sort(rng.choice(size, n_rows, replace=False))


def _stratified_folds(n_rows: int, rng: np.random.Generator) -> np.ndarray:
    """Each class split evenly over the folds, in random order."""
    per_class = [rng.permutation(n_rows) % FOLDS for _ in range(2)]
    return np.concatenate(per_class)


def _fold_auc(
    columns: list[Column], features: np.ndarray, labels: np.ndarray, test: np.ndarray, seed: int
) -> float:
    # A feature missing in every training row tells the tables apart nowhere (and the
    # learner cannot bin it): leave it out of this fold.
    usable = ~np.isnan(features[~test]).all(axis=0)  # (p,)
    if not usable.any():
        return 0.5
    categories = native_categories(columns)
    learner = HistGradientBoostingClassifier(
        max_iter=BOOSTING_ROUNDS,
        learning_rate=LEARNING_RATE,
        categorical_features=None if categories is None else categories[usable],
        early_stopping=False,
        random_state=seed,
    )
    with threadpool_limits(limits=1 if len(labels) < SINGLE_THREAD_ROWS else None):
        learner.fit(features[~test][:, usable], labels[~test])
        scores = learner.predict_proba(features[test][:, usable])[:, 1]
    return float(roc_auc_score(labels[test], scores))
