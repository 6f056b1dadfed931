"""Bounds on what reading one table may build, so that a small hostile file stays small.

A gzip stream can expand a thousandfold, and a Parquet footer can declare fifty million
rows in a few hundred kilobytes: a limit on the uploaded bytes bounds neither. The readers
in :mod:`synthgen_core.io.tables` take a :class:`TableLimits` and check it *before* they
build the table: gzip is counted while it streams, Parquet from its footer, CSV from its
header and by parsing at most one row past the budget. ``None`` leaves a dimension
unbounded, which is the library's default; the service sets every limit.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from synthgen_core.errors import DataError

Positive = Annotated[int, msgspec.Meta(ge=1)]


class TableLimits(msgspec.Struct, frozen=True, kw_only=True):
    """The most one read may produce; each field is a cap, or ``None`` for none."""

    max_rows: Positive | None = None
    max_columns: Positive | None = None
    #: rows x columns: what bounds the memory of a table that is both long and wide.
    max_cells: Positive | None = None
    #: Size of a gzipped file once decompressed.
    max_decompressed_bytes: Positive | None = None

    def row_budget(self, columns: int) -> int | None:
        """The most rows a table of ``columns`` columns may have under both row caps."""
        caps = [cap for cap in (self.max_rows, self._cells_rows(columns)) if cap is not None]
        return min(caps) if caps else None

    def _cells_rows(self, columns: int) -> int | None:
        return None if self.max_cells is None else self.max_cells // max(columns, 1)


class TableTooLargeError(DataError):
    """A table over one of its :class:`TableLimits`; ``limit`` names the field at fault.

    A subclass, so that the service can answer it as "too large" (413) and name the
    setting that raises the limit, where other unreadable files are plainly invalid.
    """

    def __init__(self, message: str, *, limit: str) -> None:
        super().__init__(message)
        self.limit = limit


def check_columns(columns: int, limits: TableLimits, filename: str) -> None:
    """Refuse a table wider than ``max_columns`` (every later step is per column)."""
    if limits.max_columns is not None and columns > limits.max_columns:
        raise TableTooLargeError(
            f"{filename!r} has {columns:,} columns, more than the limit of "
            f"{limits.max_columns:,}; upload fewer columns (drop or split them), or raise "
            "the limit",
            limit="max_columns",
        )


def check_shape(rows: int, columns: int, limits: TableLimits, filename: str) -> None:
    """Refuse a table over any of the column, row and cell caps, naming the one it breaks."""
    check_columns(columns, limits, filename)
    if limits.max_rows is not None and rows > limits.max_rows:
        raise TableTooLargeError(
            f"{filename!r} has more rows than the limit of {limits.max_rows:,}; upload a "
            "sample or split the table, or raise the limit",
            limit="max_rows",
        )
    if limits.max_cells is not None and rows * columns > limits.max_cells:
        raise TableTooLargeError(
            f"{filename!r} has more cells (rows x columns) than the limit of "
            f"{limits.max_cells:,}; upload fewer rows or columns, or raise the limit",
            limit="max_cells",
        )


__all__ = [
    "TableLimits",
    "TableTooLargeError",
    "check_columns",
    "check_shape",
]
