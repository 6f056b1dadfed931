"""Recognising datetimes: the strftime format of datetime strings and their precision.

A string column is a datetime only when *one* format parses every value and writes each
back verbatim; anything looser would change the user's strings on the way out.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from synthgen_core.metadata.kinds import PRECISIONS, Precision

#: Tried after pandas' own guess, most common first.
CANDIDATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y",
    "%d %b %Y",
    "%b %d, %Y",
)
#: A UTC offset at the end of a datetime string, as ``%z`` parses it.
_OFFSET = r"Z|[+-]\d{2}(?::?\d{2})?"
#: How many distinct strings detection looks at before trusting a format.
SAMPLE_SIZE = 500
_UNIT_NS = {
    "D": 86_400 * 10**9,
    "h": 3_600 * 10**9,
    "m": 60 * 10**9,
    "s": 10**9,
    "ms": 10**6,
    "us": 10**3,
    "ns": 1,
}


def parse_with_format(strings: pd.Series, fmt: str) -> pd.Series:
    """Parse ``strings`` with exactly ``fmt``; unparseable cells become NaT.

    A format with ``%z`` gives UTC instants: the offset of a zone's strings changes with
    daylight saving time, and pandas cannot hold several offsets in one column.
    """
    return pd.to_datetime(strings, format=fmt, errors="coerce", utc="%z" in fmt)


def split_offset(strings: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each string without its trailing UTC offset, and the offset (NaN where none)."""
    parts = strings.astype(str).str.extract(f"^(.*?)({_OFFSET})$")
    return parts[0], parts[1]


def offset_minutes(offset: str) -> int:
    """Minutes east of UTC of an offset as written: ``Z``, ``+01``, ``+0530``, ``-08:00``."""
    if offset == "Z":
        return 0
    digits = offset[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return -minutes if offset.startswith("-") else minutes


def round_trips(strings: pd.Series, fmt: str) -> bool:
    """Whether ``fmt`` parses every string and writes each back unchanged.

    With a trailing ``%z`` the offsets may differ from string to string; the rest of each
    string must round-trip and every offset must parse.
    """
    if fmt.endswith("%z"):
        local, offsets = split_offset(strings)
        return (
            not offsets.isna().any()
            and round_trips(local, fmt.removesuffix("%z"))
            and not parse_with_format(strings, fmt).isna().any()
        )
    parsed = parse_with_format(strings, fmt)
    if parsed.isna().any():
        return False
    return bool((parsed.dt.strftime(fmt) == strings).all())


def infer_format(strings: pd.Series) -> str | None:
    """The one strftime format that round-trips a sample of ``strings``, if any."""
    sample = pd.Series(pd.unique(strings.astype(str))[:SAMPLE_SIZE], dtype=object)
    if sample.empty or not sample.str.match(r"^\s*\d|^[A-Za-z]{3} \d").all():
        return None  # cheap reject: datetime strings start with a digit (or a month)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        guessed = guess_datetime_format(str(sample.iloc[0]))
    candidates = ((guessed,) if guessed else ()) + CANDIDATE_FORMATS
    for fmt in candidates:
        if "%" in fmt and round_trips(sample, fmt):
            return fmt
    return None


def as_naive_utc(values: pd.Series) -> pd.Series:
    """Datetimes without a time zone (tz-aware ones converted to UTC), in nanoseconds."""
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.astype("datetime64[ns]")


def to_int_ns(values: pd.Series) -> npt.NDArray[np.int64]:
    """Nanoseconds since the epoch of the non-missing datetimes in ``values``."""
    present = as_naive_utc(values).dropna()
    return present.to_numpy(dtype="datetime64[ns]").view(np.int64)


def unit_ns(precision: Precision) -> int:
    """Nanoseconds in one ``precision`` unit."""
    return _UNIT_NS[precision]


def infer_precision(nanoseconds: npt.NDArray[np.int64]) -> Precision:
    """The coarsest unit that every value is a whole multiple of."""
    for unit in PRECISIONS:
        if np.all(nanoseconds % _UNIT_NS[unit] == 0):
            return unit
    return "ns"
