"""The data-quality summary returned with every upload.

The score is a transparent blend, 0..100, so users can tell why it moved::

    overall = 100 * (0.4 * completeness + 0.4 * usable_columns + 0.2 * uniqueness)

``completeness`` is the share of non-missing cells, ``usable_columns`` the share of columns
that are neither entirely missing nor constant, ``uniqueness`` the share of rows that are not
an exact duplicate of an earlier row. Issues name columns and counts, never cell values.
"""

from __future__ import annotations

import pandas as pd

from synthgen_core.kinds import kind_of
from synthgen_core.metadata import Metadata
from synthgen_service.schemas.datasets import Quality, QualityIssue

#: A column missing in more than this share of rows is reported as mostly missing.
MOSTLY_MISSING = 0.5


def summarize(df: pd.DataFrame, metadata: Metadata) -> Quality:
    """Score the table and list what a user may want to fix before training."""
    rows = len(df)
    missing = df.isna().mean() if rows else pd.Series(1.0, index=df.columns)
    issues, unusable = _column_issues(missing, metadata)
    duplicates = _duplicate_rows(df)
    if duplicates:
        issues.append(
            QualityIssue(
                kind="duplicate_rows",
                message=f"{duplicates} of {rows} rows are exact duplicates of an earlier row",
            )
        )
    columns = max(len(df.columns), 1)
    completeness = 1.0 - float(missing.mean()) if len(df.columns) else 0.0
    usable = 1.0 - unusable / columns
    uniqueness = 1.0 - duplicates / rows if rows else 0.0
    score = 100.0 * (0.4 * completeness + 0.4 * usable + 0.2 * uniqueness)
    return Quality(overall_score=round(min(max(score, 0.0), 100.0), 1), issues=issues)


def _column_issues(missing: pd.Series, metadata: Metadata) -> tuple[list[QualityIssue], int]:
    """Each column's issues, and how many columns have nothing to learn."""
    issues: list[QualityIssue] = []
    unusable = 0
    for spec in metadata.columns:
        share = float(missing.get(spec.name, 0.0))
        note = kind_of(spec).upload_note  # what the column's kind says of every such column
        if share >= 1.0:
            issues.append(_issue("all_missing", spec.name, "every value is missing; drop it"))
        elif note is not None and note.unusable:
            issues.append(_issue(note.issue, spec.name, note.message))
        elif share > MOSTLY_MISSING:
            issues.append(_issue("mostly_missing", spec.name, f"{share:.0%} of values missing"))
        unusable += int(share >= 1.0 or (note is not None and note.unusable))
        if note is not None and not note.unusable:
            issues.append(_issue(note.issue, spec.name, note.message))
    return issues, unusable


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
