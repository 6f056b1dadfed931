"""Hypothesis strategies for data frames with every column kind and missing values.

``frames()`` draws small tables mixing numerical (int, float, nullable int), categorical
(strings, pandas ``category``, mixed types, integer codes), boolean, datetime (datetime64,
tz-aware, strings), id, constant and all-missing columns, with missing cells written the
ways real files write them (NaN, None, pd.NA, NaT, ``"?"``, ``" ?"``, ``""``, ``"NA"``). Each
column uses one missing marker, so a round trip can restore it exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

MARKERS: tuple[Any, ...] = (np.nan, None, "?", " ?", "", "NA")
WORDS = ("red", "green", "blue", "Ünïcode", "with space", "a,b")
#: Seconds since the epoch within ~46 days: second precision survives the float32 matrix.
_T0 = 1_550_000_000
_SPAN = 4_000_000

Column = Callable[[st.DrawFn, int], pd.Series]


def _missing(draw: st.DrawFn, n_rows: int) -> np.ndarray:
    """Which cells are missing (possibly none, never forced)."""
    return np.asarray(draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows)), bool)


def _ints(draw: st.DrawFn, n_rows: int) -> pd.Series:
    values = draw(st.lists(st.integers(-10_000, 10_000), min_size=n_rows, max_size=n_rows))
    return pd.Series(values, dtype="int64")


def _floats(draw: st.DrawFn, n_rows: int) -> pd.Series:
    cents = draw(st.lists(st.integers(-100_000, 100_000), min_size=n_rows, max_size=n_rows))
    values = np.asarray(cents, dtype=np.float64) / 100
    values[_missing(draw, n_rows)] = np.nan
    return pd.Series(values, dtype="float64")


def _nullable_ints(draw: st.DrawFn, n_rows: int) -> pd.Series:
    values = _ints(draw, n_rows).astype("Int64")
    return values.mask(_missing(draw, n_rows))


def _strings(draw: st.DrawFn, n_rows: int) -> pd.Series:
    values = np.asarray(
        draw(st.lists(st.sampled_from(WORDS), min_size=n_rows, max_size=n_rows)), dtype=object
    )
    values[_missing(draw, n_rows)] = draw(st.sampled_from(MARKERS))
    return pd.Series(values, dtype=object)


def _pandas_category(draw: st.DrawFn, n_rows: int) -> pd.Series:
    values = _strings(draw, n_rows)
    return values.where(~values.isin(["?", " ?", "", "NA"])).astype("category")


def _number_text(draw: st.DrawFn, n_rows: int) -> pd.Series:
    """A CSV number column that pandas read as strings because of a marker."""
    decimals = draw(st.sampled_from([0, 2]))
    values = np.asarray(_floats(draw, n_rows).fillna(0.0), dtype=np.float64)
    if decimals == 0:
        values = np.rint(values * 100)
    text = np.char.mod(f"%.{decimals}f", values).astype(object)
    text[_missing(draw, n_rows)] = draw(st.sampled_from(["?", " ?", "", "NA"]))
    return pd.Series(text, dtype=object)


def _string_dtype(draw: st.DrawFn, n_rows: int) -> pd.Series:
    return _strings(draw, n_rows).astype("string")


def _mixed(draw: st.DrawFn, n_rows: int) -> pd.Series:
    values = draw(st.lists(st.sampled_from([1, "a", 2.5, "b"]), min_size=n_rows, max_size=n_rows))
    return pd.Series(values, dtype=object)


def _int_codes(draw: st.DrawFn, n_rows: int) -> pd.Series:
    values = draw(st.lists(st.sampled_from([1, 2, 7]), min_size=n_rows, max_size=n_rows))
    return pd.Series(values, dtype="int64")


def _booleans(draw: st.DrawFn, n_rows: int) -> pd.Series:
    values = draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows))
    return pd.Series(values, dtype=bool)


def _object_booleans(draw: st.DrawFn, n_rows: int) -> pd.Series:
    values = np.asarray(
        draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows)), dtype=object
    )
    values[_missing(draw, n_rows)] = None
    return pd.Series(values, dtype=object)


def _seconds(draw: st.DrawFn, n_rows: int) -> np.ndarray:
    offsets = draw(st.lists(st.integers(0, _SPAN), min_size=n_rows, max_size=n_rows))
    return np.asarray(offsets, dtype=np.int64) + _T0


def _datetimes(draw: st.DrawFn, n_rows: int) -> pd.Series:
    stamps = pd.Series(pd.to_datetime(_seconds(draw, n_rows), unit="s")).astype("datetime64[ns]")
    return stamps.mask(_missing(draw, n_rows))


def _tz_datetimes(draw: st.DrawFn, n_rows: int) -> pd.Series:
    zoned: pd.Series = _datetimes(draw, n_rows).dt.tz_localize("UTC").dt.tz_convert("Europe/Paris")
    return zoned


def _datetime_strings(draw: st.DrawFn, n_rows: int) -> pd.Series:
    fmt = draw(st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y %H:%M"]))
    stamps = pd.Series(pd.to_datetime(_seconds(draw, n_rows), unit="s"))
    values = stamps.dt.strftime(fmt).to_numpy(dtype=object)
    values[_missing(draw, n_rows)] = draw(st.sampled_from(MARKERS))
    return pd.Series(values, dtype=object)


def _offset_datetime_strings(draw: st.DrawFn, n_rows: int) -> pd.Series:
    """What pandas writes for a zoned column, "2020-01-01 05:30:00+05:30" (a zone without
    daylight saving time, so the offset, and with it the string, round-trips exactly)."""
    stamps = pd.Series(pd.to_datetime(_seconds(draw, n_rows), unit="s", utc=True))
    values = stamps.dt.tz_convert("Asia/Kolkata").astype(str).to_numpy(dtype=object)
    values[_missing(draw, n_rows)] = draw(st.sampled_from(MARKERS))
    return pd.Series(values, dtype=object)


def _constant(draw: st.DrawFn, n_rows: int) -> pd.Series:
    value = draw(st.sampled_from([0, 3.5, "same", True]))
    return pd.Series([value] * n_rows)


def _all_missing(draw: st.DrawFn, n_rows: int) -> pd.Series:
    marker = draw(st.sampled_from(MARKERS))
    if marker is None or isinstance(marker, float):
        return pd.Series(np.full(n_rows, np.nan))
    return pd.Series([marker] * n_rows, dtype=object)


def _int_ids(draw: st.DrawFn, n_rows: int) -> pd.Series:
    start = draw(st.integers(0, 1_000))
    return pd.Series(np.arange(start, start + n_rows) * 3, dtype="int64")


def _key_ids(draw: st.DrawFn, n_rows: int) -> pd.Series:
    return pd.Series([f"C{i:05d}" for i in range(n_rows)], dtype=object)


#: Column makers by name; ids carry "id" in their column name so detection sees them.
COLUMNS: dict[str, Column] = {
    "int": _ints,
    "float": _floats,
    "nullable_int": _nullable_ints,
    "text": _strings,
    "string": _string_dtype,
    "category": _pandas_category,
    "mixed": _mixed,
    "codes": _int_codes,
    "bool": _booleans,
    "number_text": _number_text,
    "object_bool": _object_booleans,
    "datetime": _datetimes,
    "tz_datetime": _tz_datetimes,
    "datetime_text": _datetime_strings,
    "offset_text": _offset_datetime_strings,
    "constant": _constant,
    "all_missing": _all_missing,
    "row_id": _int_ids,
    "key_id": _key_ids,
}
ID_COLUMNS = frozenset({"row_id", "key_id"})


@st.composite
def frames(
    draw: st.DrawFn,
    min_rows: int = 2,
    max_rows: int = 25,
    kinds: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """A DataFrame with 1-6 columns named ``c<i>_<maker>`` (ids end in ``_id``)."""
    n_rows = draw(st.integers(min_rows, max_rows))
    names = draw(st.lists(st.sampled_from(sorted(kinds or COLUMNS)), min_size=1, max_size=6))
    columns = {}
    for position, maker in enumerate(names):
        suffix = "_id" if maker in ID_COLUMNS else ""
        columns[f"c{position}_{maker}{suffix}"] = COLUMNS[maker](draw, n_rows)
    return pd.DataFrame(columns)


def maker_of(column: str) -> str:
    """The maker name a column of :func:`frames` was drawn from."""
    return column.split("_", 1)[1].removesuffix("_id")
