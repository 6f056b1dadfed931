"""The plain-text face of a report, for the CLI and logs.

Headline scores first, then the columns and pairs that pull the score down, so a reader
knows where to look first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from synthgen_core.evaluation.report import Report

#: The summary lists this many worst-scoring column pairs.
WORST_PAIRS = 5


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
        f"Diagnostics          validity {_pct(report.validity)}, coverage {_pct(report.coverage)},"
        f" missing values {_pct(report.missing_similarity)}",
    ]
    if report.excluded:
        lines.append(f"Not scored (id/constant): {', '.join(report.excluded)}")
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
    return [line]


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


def summarize(report: Report) -> str:
    sections = [_headline(report), _privacy(report), _efficacy(report)]
    sections += [_columns(report), _worst_pairs(report)]
    return "\n".join(line for section in sections for line in [*section, ""] if section).strip()
