"""Validation of tables and column specs, shared by detection, overrides and loading."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.metadata.kinds import DISCRETE_KINDS, ColumnKind, ColumnSpec


def check_frame(df: pd.DataFrame) -> None:
    """Refuse tables nothing can be learned from, or whose columns cannot be named."""
    if not isinstance(df, pd.DataFrame):
        raise DataError(
            f"expected a pandas DataFrame, got {type(df).__name__}; "
            "wrap the data with pd.DataFrame(...)"
        )
    if df.shape[1] == 0:
        raise DataError("the table has no columns; give a table with at least one column")
    if df.shape[0] == 0:
        raise DataError("the table has no rows; give a table with at least one row")
    bad = [c for c in df.columns if not isinstance(c, str)]
    if bad:
        raise DataError(
            f"column names must be strings, got {bad[:5]!r}; rename them, "
            "e.g. df.columns = df.columns.astype(str)"
        )
    duplicated = sorted(set(df.columns[df.columns.duplicated()]))
    if duplicated:
        raise DataError(
            f"column name(s) {duplicated} appear more than once; rename them so "
            "every column name is unique"
        )


def check_spec(spec: ColumnSpec) -> None:
    """Refuse specs whose fields contradict each other or cannot be used."""
    where = f"column {spec.name!r}"
    if not 0.0 <= spec.missing_rate <= 1.0:
        raise DataError(f"{where}: missing_rate must be within [0, 1], got {spec.missing_rate}")
    if any(share < 0 for share in spec.missing_markers.values()) or (
        sum(spec.missing_markers.values()) > 1.0 + 1e-9
    ):
        raise DataError(f"{where}: missing_markers shares must be >= 0 and sum to at most 1")
    if spec.decimals is not None and not 0 <= spec.decimals <= 15:
        raise DataError(f"{where}: decimals must be within 0..15, got {spec.decimals}")
    if (
        spec.min_value is not None
        and spec.max_value is not None
        and (spec.min_value > spec.max_value)
    ):
        raise DataError(
            f"{where}: min_value {spec.min_value} exceeds max_value {spec.max_value}; swap them"
        )
    if spec.id_digits < 0:
        raise DataError(f"{where}: id_digits must be >= 0")
    _check_categories(spec, where)
    if spec.ordered and (spec.kind not in DISCRETE_KINDS or spec.dtype != "category"):
        raise DataError(
            f"{where}: ordered applies to categorical columns of dtype 'category'; "
            "set kind='categorical' and dtype='category', or ordered=False"
        )
    if spec.datetime_format is not None:
        _check_format(spec.datetime_format, where)
    if spec.pii_type is not None and spec.kind != ColumnKind.PII:
        raise DataError(
            f"{where}: pii_type applies to kind 'pii'; set kind='pii' with it, or leave "
            "pii_type unset"
        )


def _check_categories(spec: ColumnSpec, where: str) -> None:
    if spec.categories is None:
        return
    if not spec.categories:
        raise DataError(f"{where}: categories must not be empty; leave them unset to learn them")
    if len({(type(c), c) for c in spec.categories}) != len(spec.categories):
        raise DataError(f"{where}: categories must be unique")
    if spec.kind == ColumnKind.BOOLEAN and len(spec.categories) > 2:
        raise DataError(f"{where}: a boolean column has at most 2 categories; use 'categorical'")


def _check_format(fmt: str, where: str) -> None:
    if "%z" in fmt and not fmt.endswith("%z"):
        raise DataError(
            f"{where}: datetime_format {fmt!r} has %z inside; SynthGen writes UTC offsets "
            "at the end of the string only, e.g. '%Y-%m-%d %H:%M:%S%z'"
        )
    zone = UTC if "%z" in fmt else None  # a naive datetime writes %z as ""
    probe = datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=zone)
    try:
        written = probe.strftime(fmt)
        datetime.strptime(written, fmt)
    except ValueError as exc:
        raise DataError(
            f"{where}: datetime_format {fmt!r} cannot be written and read back "
            f"({exc}); use a strftime format such as '%Y-%m-%d %H:%M:%S'"
        ) from None
    if "%" not in fmt:
        raise DataError(
            f"{where}: datetime_format {fmt!r} has no % directive; "
            "use a strftime format such as '%Y-%m-%d'"
        )
