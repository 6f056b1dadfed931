"""The :class:`Report` Struct: what ``evaluate`` returns, the service stores and the CLI prints.

It holds every score and the small per-column summaries (``marginals``) that let it be
printed (``summary``) and drawn (``plot``) from its stored JSON alone, without the tables.
``format_version`` follows msgspec's evolution rules: fields are only added, with defaults,
and :func:`_upgrade` reads older stored reports. The summary lists headline scores first,
then the columns and pairs that pull the score down, so a reader knows where to look first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.evaluation.diagnostics import ColumnDiagnostic
from synthgen_core.evaluation.efficacy import Efficacy
from synthgen_core.evaluation.plots import Marginal, plot_report
from synthgen_core.evaluation.privacy import Privacy
from synthgen_core.evaluation.shapes import ColumnShape
from synthgen_core.evaluation.trends import PairTrend

#: 2: ``score``/``pair_trends`` count pairs with a real trend only (1: all pairs; see
#: :func:`_upgrade`).
FORMAT_VERSION = 2
#: The summary lists this many worst-scoring column pairs.
WORST_PAIRS = 5


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
    #: integrated alpha-precision and beta-recall (Alaa et al., 2022): does the synthetic table put
    #: its rows where the real rows are typical, and reach every kind of real row? 1 is
    #: ideal (see :mod:`.precision_recall`); None below six rows in either table
    alpha_precision: float | None = None
    beta_recall: float | None = None
    n_holdout: int | None = None
    #: id, constant and text columns: not scored
    excluded: list[str] = []
    #: free-text columns: generated from their common values and words, never copied
    generated_text: list[str] = []
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
        sections = [_headline(self), _privacy(self), _efficacy(self)]
        sections += [_columns(self), _worst_pairs(self)]
        lines = [line for section in sections for line in [*section, ""] if section]
        return "\n".join(lines).strip()

    def plot(self, path: str | Path) -> Path:
        """Write a PNG of real vs synthetic marginals and correlation heatmaps to ``path``."""
        return plot_report(self.marginals, self.pairs, path)


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


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{100 * value:5.1f}%"


def _auc(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _headline(report: Report) -> list[str]:
    lines = [
        f"SynthGen evaluation: {report.n_real:,} real rows vs {report.n_synthetic:,} synthetic",
        f"Quality score        {_pct(report.score)}  (column shapes {_pct(report.column_shapes)},"
        f" pair trends {_pct(report.pair_trends)} of the pairs with a real trend)",
        f"  over all pairs     {_pct(report.score_all_pairs)}  (pair trends"
        f" {_pct(report.pair_trends_all_pairs)}; pairs without a real trend counted too)",
        f"Detection            {_pct(report.detection)}  (1 - 2|AUC - 0.5| of a classifier telling"
        f" real rows from synthetic; AUC {_auc(report.detection_auc)})",
        f"Precision / recall   {_pct(report.alpha_precision)} / {_pct(report.beta_recall)}"
        "  (alpha-precision: synthetic rows where real rows are typical; beta-recall: real"
        " rows the synthetic rows reach; 100% ideal)",
        f"Diagnostics          validity {_pct(report.validity)}, coverage {_pct(report.coverage)},"
        f" missing values {_pct(report.missing_similarity)}",
    ]
    if report.excluded:
        lines.append(f"Not scored (id/constant/text/pii): {', '.join(report.excluded)}")
    if report.generated_text:
        lines.append(
            f"Free text, generated: {', '.join(report.generated_text)} (values seen in at least"
            " 5 rows drawn in their shares, the rest from the column's words; no rarer value"
            " copied)"
        )
    return lines


def _privacy(report: Report) -> list[str]:
    p = report.privacy
    if p is None:
        return []
    ratio = "n/a" if p.dcr_ratio is None else f"{p.dcr_ratio:.2f}"
    line = (
        f"Privacy              exact copies {_pct(p.exact_copy_rate)}, DCR median "
        f"{p.dcr_median:.3f} vs random {p.dcr_baseline_median:.3f} (ratio {ratio})"
    )
    if p.closer_to_train is not None:
        line += f", closer to train than holdout {_pct(p.closer_to_train)} (ideal 50%)"
    return [line, *_pii(p)]


def _pii(p: Privacy) -> list[str]:
    if p.pii_copy_rate is None:
        return []
    verdict = (
        "none equals a real value"
        if p.pii_copy_rate == 0
        else f"{_pct(p.pii_copy_rate)} equal a real value"
    )
    return [
        f"Personal data        {', '.join(p.pii_columns)} faked: of {p.n_pii_values:,} output"
        f" values, {verdict}"
    ]


def _efficacy(report: Report) -> list[str]:
    e = report.efficacy
    if e is None:
        return []
    lines = [f"ML efficacy ({e.task}, target {e.target!r}, {e.n_test:,} real test rows)"]
    for metric, real in e.real.items():
        synthetic = e.synthetic.get(metric)
        shown = [("n/a" if v is None else f"{v:.3f}") for v in (real, synthetic)]
        lines.append(f"  {metric:<10} trained on real {shown[0]}, on synthetic {shown[1]}")
    return lines


def _columns(report: Report) -> list[str]:
    checks = {d.column: d for d in report.diagnostics}
    width = max([len(s.column) for s in report.shapes] + [6])
    lines = [f"{'column':<{width}}  {'kind':<11}  shape   valid  coverage  missing"]
    for shape in report.shapes:
        check = checks[shape.column]
        lines.append(
            f"{shape.column:<{width}}  {shape.kind:<11}  {_pct(shape.score)} {_pct(check.validity)}"
            f"   {_pct(check.coverage)}  {_pct(check.missing_similarity)}"
        )
    return lines


def _worst_pairs(report: Report) -> list[str]:
    scored = [p for p in report.pairs if p.score is not None]
    worst = sorted(scored, key=lambda p: p.score if p.score is not None else 1.0)[:WORST_PAIRS]
    return [f"Weakest pairs: {len(report.pairs)} scored"] + [
        f"  {p.column_1} x {p.column_2}: {_pct(p.score)} ({p.metric})" for p in worst
    ]
