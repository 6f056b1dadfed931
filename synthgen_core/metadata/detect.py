"""Guessing each column's kind from its values, and learning what its kind needs.

Detection is deliberately conservative: a wrong guess costs quality (an id learned as a
category) or privacy (free text copied into synthetic rows), and the user can always
override a kind with :meth:`Metadata.update_column`. The rules, in order:

* no non-missing value, or one distinct value and no gaps -> ``constant`` (one value with
  gaps is a flag, ``"Y"`` or blank, learned as ``categorical``; datetimes stay ``datetime``);
* ``bool`` dtype, or an object column of Python bools -> ``boolean``;
* ``datetime64`` dtype, or strings that one strftime format writes back verbatim -> ``datetime``;
* integers unique in every row under an id-like name (``id``, ``user_id``, ``orderId``) ->
  ``id``; strings unique in every row that look like keys (UUIDs, ``C00042``) or sit under
  an id-like name -> ``id``. A unique *float* column stays ``numerical``;
* strings with more distinct values than half the rows (in a table of >= 100 rows) are free
  text -> ``text``: generated from the column's common values and words, never copied;
* integer columns with at most :data:`MAX_CODE_VALUES` distinct values, each seen on average
  at least :data:`MIN_ROWS_PER_CODE` times, are integer-coded categories;
* strings that are all plain numbers (``"63"``, ``"1.5"``: a CSV number column with ``"?"``
  markers) follow the number rules and are written back as strings;
* other numbers -> ``numerical``; everything else (strings, pandas ``category``, mixed
  types such as ``1, "a", 2.5``) -> ``categorical``, categories kept exactly as stored.

After these rules, a kind of :mod:`synthgen_core.kinds` may claim the column through its
``refines`` hook (the first in the kinds table that does); then the kind learns what it needs.
Personal data (emails, phones, names, ...: :mod:`synthgen_core.metadata.pii`) is claimed
this way by ``pii`` from any rule but constant, boolean and datetime, ids and free text
included.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.metadata import learn
from synthgen_core.metadata.datetimes import infer_format
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.missing import missing_mask

MAX_CODE_VALUES = 10
MIN_ROWS_PER_CODE = 5
FREE_TEXT_MIN_ROWS = 100
_ID_WORD = re.compile(r"(^|[_\-\s.])(id|uuid|guid|key)$", re.IGNORECASE)
_ID_CAMEL = re.compile(r"[a-z0-9](Id|ID)$")  # orderId, userID; not "paid" or "valid"
_NUMBER_TYPES = frozenset({"integer", "floating", "mixed-integer-float", "decimal"})
_DATETIME_TYPES = frozenset({"datetime", "datetime64", "date"})


def detect_column(name: str, series: pd.Series) -> ColumnSpec:
    """The spec of one column: its kind, then everything that kind needs.

    The kind modules sit a floor above metadata (they encode with ``transform``) and learn
    each kind's statistics, so they are imported here, at call time.
    """
    from synthgen_core.kinds.table import complete, refine

    mask = missing_mask(series)
    kind = refine(infer_kind(name, series, mask), name, series[~mask])
    return complete(ColumnSpec(name=name, kind=kind, dtype=str(series.dtype)), series, mask)


def infer_kind(name: str, series: pd.Series, mask: np.ndarray) -> ColumnKind:
    """The kind of ``series``, following the rules in this module's docstring."""
    learn.check_supported(name, series)
    present = series[~mask]
    if present.empty:
        return ColumnKind.CONSTANT
    if learn.count_unique(name, present) == 1 and not mask.any():
        return ColumnKind.CONSTANT
    if learn.count_unique(name, present) == 1 and not ptypes.is_datetime64_any_dtype(series):
        return ColumnKind.CATEGORICAL  # a flag ("Y" or blank): learned, it correlates
    return _kind_by_dtype(name, series.dtype, present, ~mask)


def _kind_by_dtype(
    name: str, dtype: Any, present: pd.Series, all_present: np.ndarray
) -> ColumnKind:
    if ptypes.is_bool_dtype(dtype):
        return ColumnKind.BOOLEAN
    if ptypes.is_datetime64_any_dtype(dtype):
        return ColumnKind.DATETIME
    if isinstance(dtype, pd.CategoricalDtype):
        return ColumnKind.CATEGORICAL
    if ptypes.is_numeric_dtype(dtype):
        return _numeric_kind(name, present, ptypes.is_integer_dtype(dtype), all_present)
    return _object_kind(name, present, all_present)


def _numeric_kind(
    name: str, present: pd.Series, integer_dtype: bool, all_present: np.ndarray
) -> ColumnKind:
    values = learn.as_float(name, present)
    n_unique = len(np.unique(values))
    whole = bool(np.all(values == np.round(values)))
    if whole and n_unique == len(all_present) and _id_like(name):
        return ColumnKind.ID
    few = n_unique <= MAX_CODE_VALUES and len(values) >= MIN_ROWS_PER_CODE * n_unique
    if integer_dtype and few:
        return ColumnKind.CATEGORICAL
    return ColumnKind.NUMERICAL


def _object_kind(name: str, present: pd.Series, all_present: np.ndarray) -> ColumnKind:
    inferred = ptypes.infer_dtype(present, skipna=True)
    if inferred == "boolean":
        return ColumnKind.BOOLEAN
    if inferred in _NUMBER_TYPES:
        return _numeric_kind(name, present, inferred == "integer", all_present)
    if inferred in _DATETIME_TYPES:
        return ColumnKind.DATETIME
    if inferred != "string":
        return ColumnKind.CATEGORICAL  # mixed types: categories kept as stored
    return _string_kind(name, present, all_present)


def _string_kind(name: str, present: pd.Series, all_present: np.ndarray) -> ColumnKind:
    if learn.is_number_text(present):
        whole = not present.astype(str).str.contains(".", regex=False).any()
        return _numeric_kind(name, present, whole, all_present)
    if infer_format(present) is not None:
        return ColumnKind.DATETIME
    n_rows = len(all_present)
    n_unique = present.nunique()
    if n_unique == n_rows and (_id_like(name) or learn.key_pattern(present) is not None):
        return ColumnKind.ID
    if len(present) >= FREE_TEXT_MIN_ROWS and n_unique > len(present) / 2:
        return ColumnKind.TEXT
    return ColumnKind.CATEGORICAL


def _id_like(name: str) -> bool:
    return bool(_ID_WORD.search(name) or _ID_CAMEL.search(name))
