"""The data-quality summary returned with every upload.

The score is a transparent blend, 0..100, so users can tell why it moved::

    overall = 100 * (0.4 * completeness + 0.4 * usable_columns + 0.2 * uniqueness)

``completeness`` is the share of non-missing cells, ``usable_columns`` the share of columns
that are neither entirely missing nor constant, ``uniqueness`` the share of rows that are not
an exact duplicate of an earlier row. Issues name columns and counts, never cell values.
"""

from __future__ import annotations

import pandas as pd

from synthgen_core.metadata import Metadata
from synthgen_core.metadata.kinds import ColumnKind
from synthgen_service.schemas.datasets import Quality, QualityIssue

#: A column missing in more than this share of rows is reported as mostly missing.
MOSTLY_MISSING = 0.5


def summarize(df: pd.DataFrame, metadata: Metadata) -> Quality:
    """Score the table and list what a user may want to fix before training."""
    rows = len(df)
    missing = df.isna().mean() if rows else pd.Series(1.0, index=df.columns)
    issues = _column_issues(missing, metadata)
    duplicates = _duplicate_rows(df)
    if duplicates:
        issues.append(
            QualityIssue(
                kind="duplicate_rows",
                message=f"{duplicates} of {rows} rows are exact duplicates of an earlier row",
            )
        )
    unusable = sum(issue.kind in {"all_missing", "constant"} for issue in issues)
    columns = max(len(df.columns), 1)
    completeness = 1.0 - float(missing.mean()) if len(df.columns) else 0.0
    usable = 1.0 - unusable / columns
    uniqueness = 1.0 - duplicates / rows if rows else 0.0
    score = 100.0 * (0.4 * completeness + 0.4 * usable + 0.2 * uniqueness)
    return Quality(overall_score=round(min(max(score, 0.0), 100.0), 1), issues=issues)


def _column_issues(missing: pd.Series, metadata: Metadata) -> list[QualityIssue]:
    issues: list[QualityIssue] = []
    for spec in metadata.columns:
        share = float(missing.get(spec.name, 0.0))
        if share >= 1.0:
            issues.append(_issue("all_missing", spec.name, "every value is missing; drop it"))
        elif spec.kind == ColumnKind.CONSTANT:
            issues.append(_issue("constant", spec.name, "has a single value; nothing to learn"))
        elif share > MOSTLY_MISSING:
            issues.append(_issue("mostly_missing", spec.name, f"{share:.0%} of values missing"))
        if spec.kind == ColumnKind.ID:
            issues.append(
                _issue(
                    "high_cardinality",
                    spec.name,
                    "almost every value is distinct (an id or free text); it is regenerated, "
                    "not learned",
                )
            )
    return issues


def _issue(kind: str, column: str, message: str) -> QualityIssue:
    return QualityIssue(kind=kind, column=column, message=f"column {column!r}: {message}")


def _duplicate_rows(df: pd.DataFrame) -> int:
    if df.empty:
        return 0
    try:
        return int(df.duplicated().sum())
    except TypeError:  # unhashable cells (nested Parquet values): duplicates are undefined
        return 0


__all__ = ["MOSTLY_MISSING", "summarize"]
