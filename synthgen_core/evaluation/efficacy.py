"""ML efficacy: do models trained on synthetic rows predict real rows like real-trained ones?

Train on synthetic, test on real (TSTR), next to train on real, test on real (TRTR), with
the same learner: scikit-learn's HistGradientBoosting, which handles missing values and
categories natively and needs no tuning to be a fair judge (a classifier gets a small L2
penalty, without which classes of one or two rows threw it off). The test rows are the holdout
when one is given; otherwise a random :data:`TEST_SHARE` of the real table, which a
generator fitted on the whole real table has seen, so such scores flatter it slightly.

Classification reports accuracy, macro F1 (every class counts, rare ones too) and ROC AUC
(one-vs-rest, macro, over the classes present in the test rows); regression reports R².
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import msgspec
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, f1_score, r2_score, roc_auc_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from synthgen_core.errors import DataError
from synthgen_core.evaluation.columns import Column, feature_matrix, native_categories

TEST_SHARE = 0.3

#: Below this many training rows the learner runs on one thread: OpenMP's gain is small
#: there, and on a busy host its spinning threads made a 1,500-row fit 20x slower.
SINGLE_THREAD_ROWS = 50_000

#: L2 penalty on the classifier's leaf values (see ``_learner``).
CLASSIFIER_L2 = 1.0

Task = Literal["classification", "regression"]


class Efficacy(msgspec.Struct, frozen=True, kw_only=True):
    """Test scores of the same learner trained on real rows and on synthetic rows."""

    target: str
    task: Task
    real: dict[str, float | None]
    synthetic: dict[str, float | None]
    n_train_real: int
    n_train_synthetic: int
    n_test: int


@dataclass(frozen=True)
class _Split:
    """Row indices (into each table) of one TSTR / TRTR experiment."""

    real_train: np.ndarray
    test: np.ndarray  # into the holdout when there is one, else into the real table


def _labelled(column: Column, table: str, rows: np.ndarray) -> np.ndarray:
    """The subset of ``rows`` whose target is present."""
    values = getattr(column, table)[rows]
    missing = np.isnan(values) if column.is_continuous else values == column.n_categories
    labelled: np.ndarray = rows[~missing]
    return labelled


def _learner(
    task: Task, features: list[Column], seed: int
) -> HistGradientBoostingClassifier | HistGradientBoostingRegressor:
    mask = native_categories(features)
    if task == "classification":
        # No early stopping: its internal validation split fails on classes with one row.
        # Without it, unregularised boosting diverged on rare classes (intrusion's five
        # classes: 95% accuracy where 99.9% is reachable, and on a synthetic table with a
        # one-row class it predicted the majority class for every row); a small L2 penalty
        # on the leaf values keeps it stable.
        return HistGradientBoostingClassifier(
            categorical_features=mask,
            early_stopping=False,
            l2_regularization=CLASSIFIER_L2,
            random_state=seed,
        )
    return HistGradientBoostingRegressor(
        categorical_features=mask, early_stopping=False, random_state=seed
    )


def classification_scores(
    model: HistGradientBoostingClassifier, x: np.ndarray, y: np.ndarray, n_classes: int
) -> dict[str, float | None]:
    proba = np.zeros((len(y), n_classes))  # (n, k): classes the model never saw get 0
    proba[:, model.classes_.astype(np.int64)] = model.predict_proba(x)
    scores: dict[str, float | None] = {
        "accuracy": float(accuracy_score(y, model.predict(x))),
        "f1_macro": float(f1_score(y, model.predict(x), average="macro", zero_division=0)),
        "roc_auc": None,
    }
    present = np.unique(y)
    if present.size == 2:
        scores["roc_auc"] = float(roc_auc_score(y == present[1], proba[:, present[1]]))
    elif present.size > 2:
        shares = proba[:, present] + 1e-12  # renormalised over the classes being scored
        shares /= shares.sum(axis=1, keepdims=True)
        scores["roc_auc"] = float(
            roc_auc_score(y, shares, multi_class="ovr", average="macro", labels=present)
        )
    return scores


def _refuse_single_class(target: Column, table: str, rows: np.ndarray) -> None:
    values = getattr(target, table)[rows]
    if np.unique(values).size < 2:
        raise DataError(
            f"target column {target.name!r} has a single value in the {table} training rows, "
            "so no model can be trained on it; choose a target with at least two classes"
        )


def _split(target: Column, rng: np.random.Generator) -> _Split:
    n_real = len(target.real)
    if target.holdout is not None:
        return _Split(np.arange(n_real), np.arange(len(target.holdout)))
    order = rng.permutation(n_real)
    n_test = max(1, round(TEST_SHARE * n_real))
    return _Split(np.sort(order[n_test:]), np.sort(order[:n_test]))


@dataclass(frozen=True)
class _Experiment:
    """One learner setup and its fixed real test rows; trains on any table's rows."""

    task: Task
    features: list[Column]
    target: Column
    test_x: np.ndarray  # (n_test, p)
    test_y: np.ndarray  # (n_test,)
    seed: int

    def score(self, table: str, rows: np.ndarray) -> dict[str, float | None]:
        model = _learner(self.task, self.features, self.seed)
        with threadpool_limits(limits=1 if rows.size < SINGLE_THREAD_ROWS else None):
            model.fit(feature_matrix(self.features, table, rows), getattr(self.target, table)[rows])
            return self._test(model)

    def _test(
        self, model: HistGradientBoostingClassifier | HistGradientBoostingRegressor
    ) -> dict[str, float | None]:
        if isinstance(model, HistGradientBoostingClassifier):
            return classification_scores(model, self.test_x, self.test_y, self.target.n_categories)
        if np.ptp(self.test_y) == 0:
            return {"r2": None}
        return {"r2": float(r2_score(self.test_y, model.predict(self.test_x)))}


def _target_and_features(columns: list[Column], target: str) -> tuple[Column, list[Column]]:
    by_name = {column.name: column for column in columns}
    if target not in by_name:
        raise DataError(
            f"target column {target!r} is an id or holds a single value, so there is nothing "
            "to predict; choose a numerical, categorical or boolean column with two or more values"
        )
    features = [column for column in columns if column.name != target]
    if not features:
        raise DataError(f"predicting {target!r} needs at least one other scored column")
    return by_name[target], features


def efficacy(columns: list[Column], target: str, seed: int) -> Efficacy:
    """TSTR and TRTR scores for predicting ``target`` from every other scored column."""
    target_column, features = _target_and_features(columns, target)
    task: Task = "regression" if target_column.is_continuous else "classification"
    split = _split(target_column, np.random.default_rng(seed))
    test_table = "real" if target_column.holdout is None else "holdout"
    all_synthetic = np.arange(len(target_column.synthetic))
    train_rows = {
        "real": _labelled(target_column, "real", split.real_train),
        "synthetic": _labelled(target_column, "synthetic", all_synthetic),
    }
    test_rows = _labelled(target_column, test_table, split.test)
    if test_rows.size == 0:
        raise DataError(f"no {test_table} test row has a value for target {target!r}")
    if task == "classification":
        for table, rows in train_rows.items():
            _refuse_single_class(target_column, table, rows)
    test_x = feature_matrix(features, test_table, test_rows)
    test_y = getattr(target_column, test_table)[test_rows]
    experiment = _Experiment(task, features, target_column, test_x, test_y, seed)
    scores = {table: experiment.score(table, rows) for table, rows in train_rows.items()}
    return Efficacy(
        target=target,
        task=task,
        real=scores["real"],
        synthetic=scores["synthetic"],
        n_train_real=train_rows["real"].size,
        n_train_synthetic=train_rows["synthetic"].size,
        n_test=test_rows.size,
    )
