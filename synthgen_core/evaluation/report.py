"""``evaluate(real, synthetic)``: one report on quality, diagnostics, privacy and efficacy.

The quality ``score`` is SDMetrics' QualityReport score, the mean of the column-shapes and
the column-pair-trends averages, where, as in current SDMetrics, pair trends average only the
pairs with a real trend (:mod:`~synthgen_core.evaluation.trends`); ``score_all_pairs``
averages every pair, as older SDMetrics versions and many papers do. The detection score
(:mod:`~synthgen_core.evaluation.detection`) asks whether whole rows look real;
alpha-precision and beta-recall (:mod:`~synthgen_core.evaluation.precision_recall`) whether they
sit where real rows are typical and reach every kind of real row. The
:class:`~synthgen_core.evaluation.report_struct.Report` it returns is defined in its own
module, below the metrics it gathers and the summary and plot that read it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.evaluation.columns import check_tables, describe, encode_columns
from synthgen_core.evaluation.detection import detection as detect
from synthgen_core.evaluation.diagnostics import diagnostics
from synthgen_core.evaluation.efficacy import efficacy
from synthgen_core.evaluation.plots import marginal
from synthgen_core.evaluation.precision_recall import precision_recall as support_of
from synthgen_core.evaluation.privacy import privacy, with_pii_copies
from synthgen_core.evaluation.report_struct import Report
from synthgen_core.evaluation.shapes import column_shapes
from synthgen_core.evaluation.trends import pair_trends
from synthgen_core.metadata import Metadata
from synthgen_core.metadata.kinds import UNLEARNED_KINDS, ColumnKind


def _mean(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None and not math.isnan(value)]
    return float(np.mean(present)) if present else None


def _prepare(
    real: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame | None, target: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Validated tables, with string column names and the real column order."""
    check_tables(real, synthetic)
    if holdout is not None:
        check_tables(real, holdout, label="holdout")
    if target is not None and target not in real.columns:
        raise DataError(
            f"target column {target!r} is not in the tables; pass one of {list(real.columns)}"
        )
    order = list(real.columns)
    tables = [_in_order(t, order) for t in (real, synthetic)]
    held = None if holdout is None else _in_order(holdout, order)
    return tables[0], tables[1], held


def _in_order(table: pd.DataFrame, order: Sequence[Hashable]) -> pd.DataFrame:
    """``table`` with ``order``'s columns, named by strings; as given when it already is.

    The metrics only read the tables, so a table already in order is not copied.
    """
    if list(table.columns) == list(order) and all(isinstance(name, str) for name in order):
        return table
    return table[list(order)].rename(columns=str)


def evaluate(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    metadata: Metadata | None = None,
    target: str | None = None,
    holdout: pd.DataFrame | None = None,
    *,
    seed: int = 0,
    detection: bool = True,
    precision_recall: bool = True,
) -> Report:
    """Compare ``synthetic`` with the ``real`` table it imitates.

    ``real`` is the generator's training table and ``holdout`` real rows it never saw, for
    the privacy and efficacy checks. ``seed`` fixes their samples, split and learners.
    ``detection=False`` skips the real-vs-synthetic classifier, which is most of a
    report's time, and ``precision_recall=False`` alpha-precision and beta-recall, when
    many tables are scored and only their quality is compared; those scores are then None.
    """
    real, synthetic, holdout = _prepare(real, synthetic, holdout, target)
    infos = describe(real, metadata)
    columns = encode_columns(real, synthetic, infos, holdout)
    if not columns:
        raise DataError("no column can be scored: every column is an id or a constant")
    shapes, pairs, checks = column_shapes(columns), pair_trends(columns), diagnostics(columns)
    shape_score = _mean([s.score for s in shapes])
    trend_score = _mean([p.score for p in pairs if p.meets_threshold])
    trend_all_pairs = _mean([p.score for p in pairs])
    detected = detect(columns, seed) if detection else None
    support = support_of(columns, np.random.default_rng(seed)) if precision_recall else None
    return Report(
        score=_mean([shape_score, trend_score]),
        column_shapes=shape_score,
        pair_trends=trend_score,
        score_all_pairs=_mean([shape_score, trend_all_pairs]),
        pair_trends_all_pairs=trend_all_pairs,
        validity=_mean([c.validity for c in checks]),
        coverage=_mean([c.coverage for c in checks]),
        missing_similarity=_mean([c.missing_similarity for c in checks]),
        n_real=len(real),
        n_synthetic=len(synthetic),
        detection=None if detected is None else detected.score,
        detection_auc=None if detected is None else detected.auc,
        alpha_precision=None if support is None else support.alpha_precision,
        beta_recall=None if support is None else support.beta_recall,
        n_holdout=None if holdout is None else len(holdout),
        excluded=[info.name for info in infos if info.kind in UNLEARNED_KINDS],
        generated_text=[info.name for info in infos if info.kind == ColumnKind.TEXT],
        shapes=shapes,
        pairs=pairs,
        diagnostics=checks,
        privacy=with_pii_copies(
            privacy(columns, np.random.default_rng(seed)),
            real,
            synthetic,
            [info.name for info in infos if info.kind == ColumnKind.PII],
        ),
        efficacy=None if target is None else efficacy(columns, target, seed),
        marginals=[marginal(column) for column in columns],
    )
