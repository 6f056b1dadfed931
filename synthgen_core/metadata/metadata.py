"""The metadata of a whole table: one :class:`ColumnSpec` per column, in column order.

Detected from a DataFrame, overridden by the user column by column, stored as JSON in model
files and sent over the REST API, so every way in (``from_dict``, ``update_column``) is
validated and fails with a :class:`~synthgen_core.errors.DataError` that says what to fix.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.metadata.checks import check_frame, check_spec
from synthgen_core.metadata.detect import detect_column
from synthgen_core.metadata.kinds import (
    CONTINUOUS_KINDS,
    DISCRETE_KINDS,
    UNLEARNED_KINDS,
    ColumnKind,
    ColumnSpec,
)

#: Fields that describe the column whatever its kind; the rest are reset on a kind change.
_KIND_INDEPENDENT = ("name", "dtype", "missing_rate", "missing_markers")


class Metadata(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Per-column kinds and statistics of a table."""

    columns: list[ColumnSpec]

    @classmethod
    def detect(cls, df: pd.DataFrame) -> Metadata:
        """Guess every column's kind (see :mod:`synthgen_core.metadata.detect`)."""
        check_frame(df)
        return cls(columns=[detect_column(str(name), df[name]) for name in df.columns])

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.columns]

    @property
    def discrete_columns(self) -> list[str]:
        """Columns learned as categories (categorical and boolean)."""
        return [spec.name for spec in self.columns if spec.kind in DISCRETE_KINDS]

    @property
    def continuous_columns(self) -> list[str]:
        """Columns learned on a continuous axis (numerical and datetime)."""
        return [spec.name for spec in self.columns if spec.kind in CONTINUOUS_KINDS]

    @property
    def learned_columns(self) -> list[str]:
        """Columns a model learns, in table order (ids and constants are not learned)."""
        return [spec.name for spec in self.columns if spec.kind not in UNLEARNED_KINDS]

    def column(self, name: str) -> ColumnSpec:
        """The spec of column ``name``."""
        for spec in self.columns:
            if spec.name == name:
                return spec
        raise DataError(f"unknown column {name!r}; the table has {_few(self.names)}")

    def update_column(
        self, name: str, /, kind: ColumnKind | str | None = None, **fields: Any
    ) -> Metadata:
        """A copy with column ``name`` overridden.

        Changing ``kind`` resets the column's statistics; they are learned again at fit.
        """
        spec = self.column(name)
        unknown = sorted(set(fields) - set(ColumnSpec.__struct_fields__) | {"name"} & set(fields))
        if unknown:
            allowed = sorted(set(ColumnSpec.__struct_fields__) - {"name", "kind"})
            raise DataError(f"cannot set {unknown} on column {name!r}; settable fields: {allowed}")
        new_kind = _parse_kind(name, kind) if kind is not None else spec.kind
        raw = msgspec.to_builtins(spec)
        if new_kind != spec.kind:
            raw = {key: raw[key] for key in _KIND_INDEPENDENT if key in raw}
        if "precision" in fields:  # the range is counted in precision units: learn it again
            raw.update(min_value=None, max_value=None)
        if "pii_type" in fields:  # formats and hashes belong to the old type: learn them again
            raw.update(pii=None)
        raw.update(fields, kind=new_kind.value)
        updated = _convert_spec(raw, name)
        check_spec(updated)
        return Metadata(columns=[updated if s.name == name else s for s in self.columns])

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (lists, dicts, strings, numbers)."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metadata:
        """Rebuild from :meth:`to_dict` output (or user JSON), validated."""
        try:
            meta = msgspec.convert(data, cls)
        except msgspec.ValidationError as exc:
            raise DataError(
                f"invalid metadata: {exc}; start from Metadata.detect(df).to_dict()"
            ) from exc
        duplicates = sorted({n for n in meta.names if meta.names.count(n) > 1})
        if duplicates:
            raise DataError(f"metadata names columns {duplicates} more than once; keep one each")
        for spec in meta.columns:
            check_spec(spec)
        return meta

    def validate(self, df: pd.DataFrame) -> None:
        """Raise DataError unless ``df`` has exactly the columns this metadata describes."""
        check_frame(df)
        given = [str(c) for c in df.columns]
        missing = [n for n in self.names if n not in given]
        extra = [n for n in given if n not in self.names]
        if missing:
            raise DataError(
                f"the table lacks column(s) {_few(missing)} that the metadata "
                "describes; add them or detect metadata from this table"
            )
        if extra:
            raise DataError(
                f"the table has column(s) {_few(extra)} that the metadata does not "
                "describe; drop them or detect metadata from this table"
            )


def _parse_kind(name: str, kind: ColumnKind | str) -> ColumnKind:
    try:
        return ColumnKind(kind)
    except ValueError:
        kinds = [k.value for k in ColumnKind]
        raise DataError(f"unknown kind {kind!r} for column {name!r}; use one of {kinds}") from None


def _convert_spec(raw: dict[str, Any], name: str) -> ColumnSpec:
    try:
        return msgspec.convert(raw, ColumnSpec)
    except msgspec.ValidationError as exc:
        raise DataError(f"invalid override for column {name!r}: {exc}") from exc


def _few(names: list[str], limit: int = 8) -> str:
    """A short, readable list of names for an error message."""
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
