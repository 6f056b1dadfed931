"""The per-column view every metric reads: validated once, encoded once.

The metrics never touch pandas objects row by row. Each scored column becomes a pair of
NumPy arrays, one for the real and one for the synthetic table:

* continuous kinds (numerical, datetime): ``float64`` values with ``NaN`` for missing.
  Datetimes become ticks of their unit, as SDMetrics reads them (tables in different
  units are read in the finer one). Missing-value markers (``" ?"``) count as missing.
* discrete kinds (categorical, boolean): ``int64`` codes shared by both tables, so that
  contingency tables are one ``np.bincount``; a missing value gets the last code. Values
  are compared as stored: a marker such as ``" ?"`` is a category, as SDMetrics sees it.

ID and constant columns carry no distribution worth comparing and are left out. How a
column is read follows its kind's ``evaluated_as`` in :data:`synthgen_core.kinds.KINDS`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.kinds import KINDS
from synthgen_core.kinds.base import Evaluated
from synthgen_core.metadata import Metadata
from synthgen_core.metadata.kinds import ColumnKind

#: numpy datetime units, coarsest first.
_UNITS = ("D", "h", "m", "s", "ms", "us", "ns")
#: Discrete features with up to this many categories are native HistGradientBoosting
#: categories (its limit is max_bins - 1 = 254 codes); wider ones enter as integer codes.
MAX_NATIVE_CATEGORIES = 254


@dataclass(frozen=True)
class ColumnInfo:
    """What the metrics need to know about a column: the small slice of its metadata."""

    name: str
    kind: ColumnKind
    #: strings that stand for "missing" in a continuous column (" ?" in adult)
    missing_markers: frozenset[str] = frozenset()
    #: strftime format of a datetime column held as strings
    datetime_format: str | None = None


@dataclass(frozen=True)
class Column:
    """One scored column of both tables, ready for vectorised metrics."""

    name: str
    kind: ColumnKind
    real: np.ndarray  # (n_real,) float64 values or int64 codes
    synthetic: np.ndarray  # (n_synthetic,) same encoding as ``real``
    n_categories: int  # discrete: distinct non-missing values of both tables; else 0
    labels: tuple[str, ...] = ()  # discrete: the value behind each code, for plots
    holdout: np.ndarray | None = None  # (n_holdout,) same encoding, when a holdout is given
    unit: str | None = None  # datetime: the tick unit of the values

    @property
    def evaluated_as(self) -> Evaluated | None:
        """How the column's kind is read (see :mod:`synthgen_core.kinds`)."""
        return KINDS[self.kind].evaluated_as

    @property
    def is_continuous(self) -> bool:
        return self.evaluated_as in ("numbers", "datetimes")

    @cached_property
    def real_missing(self) -> np.ndarray:
        return _missing(self.real, self.n_categories, self.is_continuous)

    @cached_property
    def synthetic_missing(self) -> np.ndarray:
        return _missing(self.synthetic, self.n_categories, self.is_continuous)


def finite(value: float) -> float | None:
    """JSON has no NaN: an undefined score is stored as None."""
    return None if math.isnan(value) else float(value)


def feature_matrix(columns: Sequence[Column], table: str, rows: np.ndarray) -> np.ndarray:
    """(n, p) float64 features of ``table``'s ``rows`` for a learner: codes, NaN for missing."""
    parts = []
    for column in columns:
        values = getattr(column, table)[rows].astype(np.float64)
        if not column.is_continuous:
            values[values == column.n_categories] = np.nan
        parts.append(values)
    return np.column_stack(parts) if parts else np.zeros((rows.size, 0))


def native_categories(
    columns: Sequence[Column], most: int = MAX_NATIVE_CATEGORIES
) -> np.ndarray | None:
    """(p,) bool: the features a HistGradientBoosting learner reads as categories.

    ``most``: the widest category a learner with fewer bins can hold (``max_bins - 1``).
    """
    native = [not c.is_continuous and c.n_categories <= most for c in columns]
    return np.array(native, dtype=bool) if any(native) else None


def sample_rows(n: int, cap: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of a uniform sample of ``cap`` of ``n`` rows; all of them when fewer.

    One sample serves every column of a table, so sampled rows stay whole rows.
    """
    if n <= cap:
        return np.arange(n)
    return np.sort(rng.choice(n, cap, replace=False))


def _missing(values: np.ndarray, n_categories: int, continuous: bool) -> np.ndarray:
    missing: np.ndarray = np.isnan(values) if continuous else values == n_categories
    return missing


def check_tables(real: pd.DataFrame, synthetic: pd.DataFrame, label: str = "synthetic") -> None:
    """Refuse tables that cannot be compared, naming the column and the fix."""
    for name, table in (("real", real), (label, synthetic)):
        if not isinstance(table, pd.DataFrame):
            raise DataError(f"the {name} table must be a pandas DataFrame, got {type(table)!r}")
        if table.shape[0] == 0 or table.shape[1] == 0:
            raise DataError(f"the {name} table is empty; pass a table with rows and columns")
        if table.columns.has_duplicates:
            duplicated = sorted(map(str, table.columns[table.columns.duplicated()]))
            raise DataError(f"the {name} table repeats columns {duplicated}; rename them")
    missing = [str(c) for c in real.columns if c not in synthetic.columns]
    extra = [str(c) for c in synthetic.columns if c not in real.columns]
    if missing or extra:
        raise DataError(
            f"the {label} table must have the real table's columns: missing {missing}, "
            f"unexpected {extra}; select the same columns in both tables"
        )


def _unmarked(series: pd.Series, info: ColumnInfo) -> pd.Series:
    """Marker strings of a continuous column (" ?") read as missing."""
    return series.mask(series.isin(list(info.missing_markers))) if info.missing_markers else series


def numerical_values(series: pd.Series, info: ColumnInfo) -> np.ndarray:
    """Float64 values with NaN for missing; numbers held as text are parsed."""
    series = _unmarked(series, info)
    if pd.api.types.is_numeric_dtype(series):
        return np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
    codes, uniques = pd.factorize(series)  # parse each distinct text once, not every row
    try:
        parsed = pd.to_numeric(pd.Series(uniques), errors="raise").to_numpy(dtype=np.float64)
    except (ValueError, TypeError) as error:
        raise DataError(
            f"column {series.name!r} is numerical but holds non-numeric values ({error}); "
            "fix the values or declare the column categorical in the metadata"
        ) from None
    return np.where(codes < 0, np.nan, np.append(parsed, np.nan)[codes])


def _as_datetime(series: pd.Series, datetime_format: str | None) -> pd.Series:
    if not pd.api.types.is_datetime64_any_dtype(series):
        try:
            # As UTC instants: offsets may vary within a column (DST), naive values stay put.
            series = pd.to_datetime(series, format=datetime_format or "mixed", utc=True)
        except (ValueError, TypeError) as error:
            raise DataError(
                f"column {series.name!r} is a datetime but a value does not parse ({error}); "
                "fix the value or declare the column categorical in the metadata"
            ) from None
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series


def datetime_ticks(series: Sequence[pd.Series], info: ColumnInfo) -> tuple[list[np.ndarray], str]:
    """Float64 ticks (NaN for missing) of every table, on one clock.

    The clock is the finest unit any table uses, so no table loses precision to another's.
    """
    parsed = [_as_datetime(_unmarked(s, info), info.datetime_format) for s in series]
    unit = max((str(p.dt.unit) for p in parsed), key=_UNITS.index)
    ticks = []
    for stamps in parsed:
        values = stamps.dt.as_unit(unit).to_numpy().view(np.int64).astype(np.float64)
        values[stamps.isna().to_numpy()] = np.nan
        ticks.append(values)
    return ticks, unit


def discrete_codes(*series: pd.Series) -> tuple[list[np.ndarray], tuple[str, ...]]:
    """Codes shared by all ``series``: ``0..k-1`` for the k labels, ``k`` for missing."""
    joined = pd.concat([s.reset_index(drop=True) for s in series], ignore_index=True)
    codes, uniques = pd.factorize(joined, use_na_sentinel=True)
    codes = np.where(codes < 0, len(uniques), codes).astype(np.int64)
    bounds = np.cumsum([0, *(len(s) for s in series)])
    return np.split(codes, bounds[1:-1]), tuple(str(value) for value in uniques)


def encode_columns(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    infos: Sequence[ColumnInfo],
    holdout: pd.DataFrame | None = None,
) -> list[Column]:
    """Encode every scored column; an all-missing one cannot be scored and is refused."""
    tables = [real, synthetic] if holdout is None else [real, synthetic, holdout]
    columns = []
    for info in infos:
        evaluated = KINDS[info.kind].evaluated_as
        if evaluated is None:
            continue
        unit: str | None = None
        labels: tuple[str, ...] = ()
        if evaluated == "datetimes":
            arrays, unit = datetime_ticks([t[info.name] for t in tables], info)
        elif evaluated == "numbers":
            arrays = [numerical_values(t[info.name], info) for t in tables]
        else:
            arrays, labels = discrete_codes(*(t[info.name] for t in tables))
        held = arrays[2] if holdout is not None else None
        column = Column(info.name, info.kind, arrays[0], arrays[1], len(labels), labels, held, unit)
        _refuse_all_missing(column)
        columns.append(column)
    return columns


def _refuse_all_missing(column: Column) -> None:
    for table, missing in (("real", column.real_missing), ("synthetic", column.synthetic_missing)):
        if missing.all():
            raise DataError(
                f"column {column.name!r} is entirely missing in the {table} table, so its "
                "distribution cannot be compared; drop it from both tables or fill it"
            )


def describe(real: pd.DataFrame, metadata: Metadata | None) -> list[ColumnInfo]:
    """The metric view of every real column, from ``metadata`` or detected on ``real``."""
    if metadata is None:
        metadata = Metadata.detect(real)
    elif not isinstance(metadata, Metadata):
        raise DataError(
            f"metadata must be a synthgen_core Metadata, got {type(metadata)!r}; "
            "build it with Metadata.detect(real) or Metadata.from_dict(...)"
        )
    else:
        metadata.validate(real)
    return [
        ColumnInfo(
            name=spec.name,
            kind=spec.kind,
            missing_markers=frozenset(spec.missing_markers),
            datetime_format=spec.datetime_format,
        )
        for spec in metadata.columns
    ]
