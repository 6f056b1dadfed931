"""Which cells of a column are missing, and how the source wrote them.

Real tables mark missing values with strings as often as with nulls: adult writes ``" ?"``,
census ``"?"``. Such markers are treated as missing (so they are not learned as a category
that competes with real ones), and the markers seen are remembered so that generated data
writes missing cells exactly as the source did.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

#: Strings that mean "missing" once surrounding whitespace is stripped, compared lower-case.
MISSING_MARKERS = frozenset({"", "?", "na", "n/a", "nan", "null", "none", "-", "--"})

BoolArray = npt.NDArray[np.bool_]


def _marker_mask(series: pd.Series) -> BoolArray:
    """True where a cell is a string whose stripped, lower-cased form is a marker.

    Checks each distinct value once (columns repeat a few values many times).
    """
    try:
        codes, uniques = pd.factorize(series.astype(object))
    except TypeError:  # unhashable cells: nothing to match, detection reports them
        return np.zeros(len(series), dtype=bool)
    try:
        normalised = pd.Series(uniques, dtype=object).str.strip().str.lower()
    except (AttributeError, TypeError):  # no cell is a string (or some are bytes)
        return np.zeros(len(series), dtype=bool)
    is_marker = np.append(normalised.isin(MISSING_MARKERS).to_numpy(dtype=bool), False)
    return is_marker[codes]  # code -1 (a null) picks the appended False


def missing_mask(series: pd.Series) -> BoolArray:
    """True for every missing cell: nulls of any flavour and marker strings."""
    nulls = series.isna().to_numpy(dtype=bool)
    if _holds_objects(series):
        return nulls | _marker_mask(series)
    return nulls


def marker_shares(series: pd.Series, mask: BoolArray) -> dict[str, float]:
    """Each marker string's share of the missing cells (nulls make up the rest)."""
    n_missing = int(mask.sum())
    if n_missing == 0 or not _holds_objects(series):
        return {}
    missing = series[mask]
    markers = missing[missing.notna()].astype(str)
    counts = markers.value_counts()
    return {str(k): float(v) / n_missing for k, v in counts.items()}


def _holds_objects(series: pd.Series) -> bool:
    """Only object and string columns can hold marker strings."""
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)
