"""Learning what a column of a given kind needs: range, rounding, format, categories, ...

One function per kind, each pure over the column's values. Detection calls them after
guessing a kind; :class:`~synthgen_core.transform.codec.TableCodec` calls them again at fit
time for the fields a user override left empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.errors import DataError
from synthgen_core.metadata.datetimes import (
    infer_format,
    infer_precision,
    parse_with_format,
    split_offset,
    to_int_ns,
    unit_ns,
)
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec, IdStyle, Scalar
from synthgen_core.metadata.missing import marker_shares

#: Whole numbers at or beyond this magnitude are floats: int64 cannot hold them.
INT64_LIMIT = 2.0**63
#: Up to this many decimals are tried before giving up on rounding a float column.
MAX_DECIMALS = 10
_NUMBER_TEXT = r"-?(?:0|[1-9]\d*)(?:\.\d+)?"
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
FloatArray = npt.NDArray[np.float64]


def check_supported(name: str, series: pd.Series) -> None:
    """Refuse dtypes SynthGen cannot model, saying how to convert them."""
    dtype = series.dtype
    if ptypes.is_timedelta64_dtype(dtype):
        raise DataError(
            f"column {name!r} holds durations (timedelta); convert it to numbers, "
            "e.g. df[col].dt.total_seconds()"
        )
    if ptypes.is_complex_dtype(dtype) or isinstance(dtype, pd.PeriodDtype | pd.IntervalDtype):
        raise DataError(
            f"column {name!r} has dtype {dtype}, which SynthGen cannot model; "
            "convert it to numbers or strings"
        )


def count_unique(name: str, present: pd.Series) -> int:
    """Distinct non-missing values; unhashable cells (lists, dicts) are a DataError."""
    try:
        return int(present.nunique(dropna=True))
    except TypeError as exc:
        raise DataError(
            f"column {name!r} holds unhashable values (lists or dicts); "
            "convert them to strings or split them into columns"
        ) from exc


def as_float(name: str, present: pd.Series) -> FloatArray:
    """The values as float64, refusing non-numbers and infinities with the fix."""
    if ptypes.is_numeric_dtype(present.dtype) and not ptypes.is_bool_dtype(present.dtype):
        out = present.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        try:
            values = pd.to_numeric(present.astype(object), errors="raise")
            out = np.asarray(values, dtype=np.float64)
        except (ValueError, TypeError) as exc:
            raise DataError(
                f"column {name!r} is numerical but holds non-numbers; clean it or "
                "set its kind to 'categorical' with metadata.update_column"
            ) from exc
    if not np.all(np.isfinite(out)):
        raise DataError(
            f"column {name!r} holds inf or -inf; replace them with NaN "
            "(df[col] = df[col].replace([np.inf, -np.inf], np.nan)) or drop those rows"
        )
    return out


def is_number_text(strings: pd.Series) -> bool:
    """Whether every string is a plain decimal number.

    Leading zeros would be lost, so ``"02134"`` is a code, not a number.
    """
    return bool(strings.astype(str).str.fullmatch(_NUMBER_TEXT).all())


def to_scalar(value: Any, name: str) -> Scalar:
    """A cell as a plain JSON-able Python value (numpy scalars unwrapped)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if not isinstance(value, str | int | float | bool):
        raise DataError(
            f"column {name!r} holds a {type(value).__name__} value; SynthGen "
            "models strings, numbers, booleans and datetimes: convert it to str"
        )
    return value


def key_pattern(strings: pd.Series) -> tuple[IdStyle, str, int] | None:
    """How unique string keys look: UUIDs, or one prefix + digits (``C0042``); else None."""
    text = strings.astype(str)
    if len(text) >= 2 and text.str.fullmatch(_UUID).all():
        return ("uuid", "", 0)
    parts = text.str.extract(r"^(\D*)(\d+)$")
    if len(text) < 2 or parts[1].isna().any() or (parts[0] != parts[0].iloc[0]).any():
        return None
    lengths = parts[1].str.len()
    digits = 0 if (lengths != lengths.iloc[0]).any() else int(lengths.iloc[0])
    return ("pattern", str(parts[0].iloc[0]), digits)


def analyze(name: str, series: pd.Series, kind: ColumnKind, mask: np.ndarray) -> ColumnSpec:
    """A full spec for ``series`` modelled as ``kind``."""
    return complete(ColumnSpec(name=name, kind=kind, dtype=str(series.dtype)), series, mask)


def complete(spec: ColumnSpec, series: pd.Series, mask: np.ndarray) -> ColumnSpec:
    """``spec`` with its empty fields learned from ``series``.

    Missing-value statistics are always learned: they describe this table, not a choice.
    """
    check_supported(spec.name, series)
    base = msgspec.structs.replace(
        spec,
        missing_rate=float(mask.mean()) if len(mask) else 0.0,
        missing_markers=marker_shares(series, mask),
    )
    return _LEARNERS[spec.kind](base, series[~mask])


def _numerical(spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
    values = as_float(spec.name, present)
    if values.size == 0:
        return spec
    # Past 2**63 every float is whole, yet no int64 holds it: such columns stay floats.
    integer = bool(np.all(values == np.round(values)) and np.abs(values).max() < INT64_LIMIT)
    as_text = ptypes.infer_dtype(present, skipna=True) == "string"
    decimals = _text_decimals(present) if as_text else 0 if integer else _decimals(values)
    return _replace(
        spec,
        integer=integer,
        decimals=decimals,
        min_value=float(values.min()),
        max_value=float(values.max()),
        numbers_as_text=as_text,
    )


def _decimals(values: FloatArray) -> int | None:
    """Fewest decimals that reproduce every value (None: keep full float precision)."""
    sample = np.unique(values)[:100_000]
    # Relative: float noise (0.1 + 0.2 is 4e-17 off 0.3) passes, while 3e-12 does not round
    # to 0.0, and log(0.1) = -2.3025850929940455 keeps its digits: rounded to 10 decimals it
    # would become a value the data never holds, which a classifier spots in every row.
    tolerance = 1e-12 * np.abs(sample)
    for decimals in range(1, MAX_DECIMALS + 1):
        if np.all(np.abs(np.round(sample, decimals) - sample) <= tolerance):
            return decimals
    return None


def _text_decimals(strings: pd.Series) -> int:
    """Digits after the point in numbers written as text ("0.10" has 2: kept on output)."""
    fraction = strings.astype(str).str.partition(".")[2]
    return int(fraction.str.len().max())


def _datetime(spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
    fmt = spec.datetime_format
    if ptypes.is_datetime64_any_dtype(present.dtype):
        parsed = present
    elif ptypes.infer_dtype(present, skipna=True) == "string":
        fmt = fmt or infer_format(present)
        if fmt is None:
            raise DataError(
                f"column {spec.name!r} is datetime but no single format parses all "
                "its strings; give one with update_column(datetime_format='%Y-%m-%d')"
            )
        parsed = parse_with_format(present, fmt)
    else:  # datetime objects, maybe with several time zones: as UTC instants
        parsed = pd.to_datetime(present.astype(object), errors="coerce", utc=True)
    if parsed.isna().any():
        raise DataError(
            f"column {spec.name!r} is datetime but some values do not parse; "
            "clean them or set its kind to 'categorical'"
        )
    nanoseconds = to_int_ns(pd.Series(parsed))
    offset = _most_common_offset(present) if fmt and fmt.endswith("%z") else None
    if nanoseconds.size == 0:
        return _replace(
            spec, datetime_format=fmt, utc_offset=offset, precision=spec.precision or "s"
        )
    precision = spec.precision or infer_precision(nanoseconds)
    units = nanoseconds // unit_ns(precision)
    return _replace(
        spec,
        datetime_format=fmt,
        utc_offset=offset,
        precision=precision,
        min_value=float(units.min()),
        max_value=float(units.max()),
    )


def _most_common_offset(strings: pd.Series) -> str | None:
    """The offset most strings end with: generated datetimes are written in it."""
    offsets = split_offset(strings)[1].dropna()
    return str(offsets.mode().iloc[0]) if len(offsets) else None


def _categorical(spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
    count_unique(spec.name, present)
    if isinstance(present.dtype, pd.CategoricalDtype):
        values = list(present.dtype.categories)
        spec = msgspec.structs.replace(spec, ordered=spec.ordered or present.dtype.ordered)
    else:
        values = sorted(pd.unique(present.astype(object)), key=_sort_key)
    return _replace(spec, categories=[to_scalar(v, spec.name) for v in values])


def _boolean(spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
    spec = _categorical(spec, present)
    if spec.categories is not None and len(spec.categories) > 2:
        raise DataError(
            f"column {spec.name!r} has {len(spec.categories)} distinct values, too "
            "many for kind 'boolean'; set its kind to 'categorical'"
        )
    return spec


def _constant(spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
    if present.empty:
        return spec
    return _replace(spec, constant_value=to_scalar(present.iloc[0], spec.name))


def _id(spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
    if spec.id_style is not None and spec.id_style != "integer":
        return spec  # a user-chosen style, prefix and width
    inferred = ptypes.infer_dtype(present, skipna=True)
    if inferred in ("integer", "floating", "mixed-integer-float"):
        values = as_float(spec.name, present)
        start = float(values.min()) if values.size else 0.0
        return _replace(spec, id_style="integer", min_value=start, integer=True)
    style, prefix, digits = key_pattern(present) or ("pattern", f"{spec.name}-", 0)
    return msgspec.structs.replace(spec, id_style=style, id_prefix=prefix, id_digits=digits)


def _sort_key(value: Any) -> tuple[str, Any]:
    """Orders mixed-type categories: by type name, then by value within a type."""
    if isinstance(value, bool | np.bool_):
        return ("bool", bool(value))
    if isinstance(value, int | float | np.number):
        return ("number", float(value))
    return (type(value).__name__, value if isinstance(value, str) else str(value))


def _replace(spec: ColumnSpec, **fields: Any) -> ColumnSpec:
    """Fill only the fields the spec leaves empty, so user overrides win."""
    chosen = {k: v for k, v in fields.items() if getattr(spec, k) is None or k in _ALWAYS}
    return msgspec.structs.replace(spec, **chosen)


#: Learned from the values whatever the spec says: they describe the data, not a choice.
_ALWAYS = frozenset({"integer", "numbers_as_text"})
_LEARNERS: dict[ColumnKind, Callable[[ColumnSpec, pd.Series], ColumnSpec]] = {
    ColumnKind.NUMERICAL: _numerical,
    ColumnKind.DATETIME: _datetime,
    ColumnKind.CATEGORICAL: _categorical,
    ColumnKind.BOOLEAN: _boolean,
    ColumnKind.CONSTANT: _constant,
    ColumnKind.ID: _id,
}
