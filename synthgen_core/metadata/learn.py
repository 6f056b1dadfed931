"""Reading a column's values for what its kind needs: numbers, keys, scalars, supported dtypes.

Shared by detection (which guesses a kind from them) and the kind modules of
:mod:`synthgen_core.kinds`, which learn each kind's statistics with them; each function is
pure over the column's values and refuses what SynthGen cannot model with the fix.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.errors import DataError
from synthgen_core.metadata.kinds import ColumnSpec, IdStyle, Scalar

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


def fill_empty(spec: ColumnSpec, **fields: Any) -> ColumnSpec:
    """Fill only the fields the spec leaves empty, so user overrides win."""
    chosen = {k: v for k, v in fields.items() if getattr(spec, k) is None or k in _ALWAYS}
    return msgspec.structs.replace(spec, **chosen)


#: Learned from the values whatever the spec says: they describe the data, not a choice.
_ALWAYS = frozenset({"integer", "numbers_as_text"})
