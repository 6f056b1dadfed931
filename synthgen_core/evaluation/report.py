"""``evaluate(real, synthetic)``: one report on quality, diagnostics, privacy and efficacy.

The quality ``score`` is SDMetrics' QualityReport score, the mean of the column-shapes and
the column-pair-trends averages, where, as in current SDMetrics, pair trends average only the
pairs with a real trend (:mod:`~synthgen_core.evaluation.trends`); ``score_all_pairs``
averages every pair, as older SDMetrics versions and many papers do. The detection score
(:mod:`~synthgen_core.evaluation.detection`) asks whether whole rows look real. The
:class:`Report` is a msgspec Struct: it is what the service stores (``to_dict``), what the
CLI prints (``summary``) and what ``plot`` draws from, without the tables.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.evaluation.columns import check_tables, describe, encode_columns
from synthgen_core.evaluation.detection import detection
from synthgen_core.evaluation.diagnostics import ColumnDiagnostic, diagnostics
from synthgen_core.evaluation.efficacy import Efficacy, efficacy
from synthgen_core.evaluation.plots import Marginal, marginal, plot_report
from synthgen_core.evaluation.privacy import Privacy, privacy
from synthgen_core.evaluation.shapes import ColumnShape, column_shapes
from synthgen_core.evaluation.summary import summarize
from synthgen_core.evaluation.trends import PairTrend, pair_trends
from synthgen_core.metadata import Metadata
from synthgen_core.metadata.kinds import UNLEARNED_KINDS

#: 2: ``score``/``pair_trends`` count pairs with a real trend only (1: all pairs; see
#: :func:`_upgrade`).
FORMAT_VERSION = 2


class Report(msgspec.Struct, kw_only=True):
    """Everything ``evaluate`` measured; scores are in ``[0, 1]``, None when undefined."""

    format_version: int = FORMAT_VERSION
    #: mean of ``column_shapes`` and ``pair_trends``: SDMetrics' QualityReport score
    score: float | None
    column_shapes: float | None
    #: mean over the pairs with a real trend (``PairTrend.meets_threshold``)
    pair_trends: float | None
    #: the same over every pair, trend or not (SDMetrics' QualityReport without thresholds)
    score_all_pairs: float | None
    pair_trends_all_pairs: float | None
    #: means over columns of the diagnostics' validity, coverage and missing-value checks
    validity: float | None
    coverage: float | None
    missing_similarity: float | None
    n_real: int
    n_synthetic: int
    #: 1 - 2 * |AUC - 0.5| of a classifier telling real rows from synthetic ones: 1 means
    #: indistinguishable, 0 perfectly separable (see :mod:`.detection`)
    detection: float | None = None
    detection_auc: float | None = None
    n_holdout: int | None = None
    #: id and constant columns: not scored
    excluded: list[str] = []
    shapes: list[ColumnShape] = []
    pairs: list[PairTrend] = []
    diagnostics: list[ColumnDiagnostic] = []
    privacy: Privacy | None = None
    efficacy: Efficacy | None = None
    marginals: list[Marginal] = []

    @property
    def details(self) -> dict[str, pd.DataFrame]:
        """Per-column and per-pair tables: column_shapes, pair_trends, diagnostics[, efficacy]."""
        tables = {
            "column_shapes": _frame(self.shapes, ColumnShape),
            "pair_trends": _frame(self.pairs, PairTrend),
            "diagnostics": _frame(self.diagnostics, ColumnDiagnostic),
        }
        if self.efficacy is not None:
            scores = {"real": self.efficacy.real, "synthetic": self.efficacy.synthetic}
            tables["efficacy"] = pd.DataFrame(scores).rename_axis("metric").reset_index()
        return tables

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (no NaN: undefined scores are None)."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a stored report; DataError if it is not one, or is from a newer SynthGen."""
        try:
            report = msgspec.convert(_upgrade(data), cls)
        except msgspec.ValidationError as error:
            raise DataError(f"not a SynthGen evaluation report: {error}") from None
        if report.format_version > FORMAT_VERSION:
            raise DataError(
                f"this report has format {report.format_version}, newer than the "
                f"{FORMAT_VERSION} this SynthGen reads; upgrade synthgen-core to load it"
            )
        return report

    def summary(self) -> str:
        """A plain-text table for terminals and logs."""
        return summarize(self)

    def plot(self, path: str | Path) -> Path:
        """Write a PNG of real vs synthetic marginals and correlation heatmaps to ``path``."""
        return plot_report(self, path)


def _upgrade(data: Any) -> Any:
    """A format-1 report in format 2: its ``score`` averaged all pairs, now the variant."""
    if not isinstance(data, dict) or data.get("format_version", 1) != 1:
        return data
    old = dict(data)
    renamed = {
        "score_all_pairs": old.pop("score", None),
        "pair_trends_all_pairs": old.pop("pair_trends", None),
        "score": old.pop("score_thresholded", None),
        "pair_trends": old.pop("pair_trends_thresholded", None),
    }
    return {**old, **renamed, "format_version": FORMAT_VERSION}


def _frame(rows: list[Any], kind: type[msgspec.Struct]) -> pd.DataFrame:
    """One row per Struct, with the Struct's fields as columns even when there is none."""
    records = [msgspec.to_builtins(row) for row in rows]
    return pd.DataFrame(records, columns=list(kind.__struct_fields__))


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
    tables = [t[order].rename(columns=str) for t in (real, synthetic)]
    held = None if holdout is None else holdout[order].rename(columns=str)
    return tables[0], tables[1], held


def evaluate(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    metadata: Metadata | None = None,
    target: str | None = None,
    holdout: pd.DataFrame | None = None,
    *,
    seed: int = 0,
) -> Report:
    """Compare ``synthetic`` with the ``real`` table it imitates.

    ``real`` is the generator's training table and ``holdout`` real rows it never saw, for
    the privacy and efficacy checks. ``seed`` fixes their samples, split and learners.
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
    detected = detection(columns, seed)
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
        n_holdout=None if holdout is None else len(holdout),
        excluded=[info.name for info in infos if info.kind in UNLEARNED_KINDS],
        shapes=shapes,
        pairs=pairs,
        diagnostics=checks,
        privacy=privacy(columns, np.random.default_rng(seed)),
        efficacy=None if target is None else efficacy(columns, target, seed),
        marginals=[marginal(column) for column in columns],
    )
