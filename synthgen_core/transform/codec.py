"""TableCodec: a table <-> per-column numeric vectors, exactly reversible.

The floor every model stands on. Each column is encoded by its kind
(:mod:`synthgen_core.kinds`), looked up in the kinds table: continuous columns (numerical,
datetime) become float64 vectors with NaN where missing; discrete columns (categorical,
boolean) become int64 codes into the kind's :class:`DiscreteColumn`, missing being one more
code. Ids and constants are not encoded: decoding regenerates ids and writes constants back,
then restores the source's column order, dtypes and missing markers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.errors import ConditionError, DataError, NotFittedError
from synthgen_core.kinds import table as kind_table
from synthgen_core.kinds.base import DiscreteColumn, Kind
from synthgen_core.metadata.kinds import ColumnSpec
from synthgen_core.metadata.metadata import Metadata
from synthgen_core.metadata.missing import missing_mask

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class EncodedTable:
    """The learned columns of ``n_rows`` rows, keyed by column name."""

    n_rows: int
    #: numerical and datetime columns: float64 (N,), NaN where missing.
    continuous: dict[str, FloatArray]
    #: categorical and boolean columns: int64 codes (N,); the missing code is the last.
    discrete: dict[str, IntArray]


class CodecState(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A fitted codec as JSON-able data."""

    metadata: Metadata
    discrete: list[DiscreteColumn]


class TableCodec:
    """Encode a table into per-column vectors and decode them back (see module docstring)."""

    def __init__(self, metadata: Metadata) -> None:
        self.metadata = metadata

    def fit(self, df: pd.DataFrame) -> TableCodec:
        """Learn the fields the metadata leaves empty and each category's frequency."""
        self.metadata.validate(df)
        specs = [
            kind_table.complete(spec, df[spec.name], missing_mask(df[spec.name]))
            for spec in self.metadata.columns
        ]
        self.metadata_ = Metadata(columns=specs)
        self.discrete_ = [
            kind.fit_codes(spec, df[spec.name], missing_mask(df[spec.name]))
            for spec, kind in _kinds(specs)
            if kind.family == "discrete"
        ]
        return self

    @property
    def continuous_columns(self) -> list[str]:
        """Numerical and datetime columns, in table order."""
        return self._fitted().continuous_columns

    @property
    def discrete_columns(self) -> list[str]:
        """Categorical and boolean columns, in table order."""
        return self._fitted().discrete_columns

    @property
    def learned_columns(self) -> list[str]:
        """Every encoded column, in table order."""
        return self._fitted().learned_columns

    def discrete_info(self, name: str) -> DiscreteColumn:
        self._fitted()
        for info in self.discrete_:
            if info.name == name:
                return info
        raise DataError(f"{name!r} is not a discrete column; discrete: {self.discrete_columns}")

    def condition_code(self, name: str, value: Any) -> int:
        """The code a model fixes for a validated condition on discrete column ``name``."""
        spec = self._fitted().column(name)
        if name not in self.discrete_columns:
            raise ConditionError(
                f"{name!r} is not a discrete column; codes are fixed for "
                f"{self.discrete_columns[:10]}"
            )
        return kind_table.kind_of(spec).condition_code(spec, self.discrete_info(name), value)

    def encode(self, df: pd.DataFrame) -> EncodedTable:
        meta = self._fitted()
        meta.validate(df)
        continuous: dict[str, FloatArray] = {}
        discrete: dict[str, IntArray] = {}
        for spec, kind in _kinds(meta.columns):
            series = df[spec.name]
            if kind.family == "continuous":
                numbers = kind.encode(spec, series, missing_mask(series), None)
                continuous[spec.name] = np.asarray(numbers, dtype=np.float64)
            elif kind.family == "discrete":
                info = self.discrete_info(spec.name)
                codes = kind.encode(spec, series, missing_mask(series), info)
                discrete[spec.name] = np.asarray(codes, dtype=np.int64)
        return EncodedTable(n_rows=len(df), continuous=continuous, discrete=discrete)

    def decode(self, encoded: EncodedTable, rng: np.random.Generator) -> pd.DataFrame:
        """The table back: source column order, dtypes, markers; ids regenerated."""
        meta = self._fitted()
        _check_encoded(meta, encoded)
        columns = {spec.name: self._decode_column(spec, encoded, rng) for spec in meta.columns}
        frame = pd.DataFrame(columns, index=pd.RangeIndex(encoded.n_rows))
        for spec, kind in _kinds(meta.columns):
            related = kind.relate(spec, frame, meta, rng)
            if related is not None:
                frame[spec.name] = related.reset_index(drop=True)
        return frame

    def to_dict(self) -> dict[str, Any]:
        state = CodecState(metadata=self._fitted(), discrete=self.discrete_)
        out: dict[str, Any] = msgspec.to_builtins(state)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableCodec:
        try:
            state = msgspec.convert(data, CodecState)
        except msgspec.ValidationError as exc:
            raise DataError(f"invalid codec state: {exc}") from exc
        codec = cls(Metadata.from_dict(msgspec.to_builtins(state.metadata)))
        codec.metadata_ = codec.metadata
        codec.discrete_ = state.discrete
        return codec

    def _decode_column(
        self, spec: ColumnSpec, encoded: EncodedTable, rng: np.random.Generator
    ) -> pd.Series:
        kind = kind_table.kind_of(spec)
        values: np.ndarray | None = None
        info: DiscreteColumn | None = None
        if kind.family == "continuous":
            values = encoded.continuous[spec.name]
        elif kind.family == "discrete":
            values, info = encoded.discrete[spec.name], self.discrete_info(spec.name)
        series = kind.decode(spec, values, encoded.n_rows, rng, info)
        return series.reset_index(drop=True)

    def _fitted(self) -> Metadata:
        meta: Metadata | None = getattr(self, "metadata_", None)
        if meta is None:
            raise NotFittedError("the codec is not fitted; call TableCodec(metadata).fit(df)")
        return meta


def _kinds(specs: list[ColumnSpec]) -> list[tuple[ColumnSpec, Kind]]:
    return [(spec, kind_table.kind_of(spec)) for spec in specs]


def _check_encoded(meta: Metadata, encoded: EncodedTable) -> None:
    """Refuse an encoded table that lacks a column or has vectors of the wrong length."""
    for group, names in (
        (encoded.continuous, meta.continuous_columns),
        (encoded.discrete, meta.discrete_columns),
    ):
        for name in names:
            if name not in group:
                raise DataError(
                    f"encoded table lacks column {name!r}; encode every learned "
                    "column (see TableCodec.learned_columns)"
                )
            if len(group[name]) != encoded.n_rows:
                raise DataError(
                    f"encoded column {name!r} has {len(group[name])} values, "
                    f"expected n_rows={encoded.n_rows}"
                )


__all__ = ["CodecState", "DiscreteColumn", "EncodedTable", "TableCodec"]
