"""Columns no model learns: ids are regenerated unique, constants written back.

Regenerating ids (never copying them) keeps synthetic rows from pointing at real records;
they keep the source's look: integers count up from its minimum, UUIDs stay UUID-shaped,
``C0042``-style keys keep their prefix and width.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthgen_core.metadata.kinds import ColumnSpec
from synthgen_core.transform.missing import draw_missing, fill_missing, restore_dtype

_HEX = np.array(list("0123456789abcdef"), dtype="<U1")
_DASHES = (8, 13, 18, 23)


def decode_constant(spec: ColumnSpec, n_rows: int, rng: np.random.Generator) -> pd.Series:
    cells = np.full(n_rows, spec.constant_value, dtype=object)
    rate = 1.0 if spec.constant_value is None else spec.missing_rate
    mask = draw_missing(n_rows, rate, rng)
    return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)


def decode_id(spec: ColumnSpec, n_rows: int, rng: np.random.Generator) -> pd.Series:
    if spec.id_style == "integer":
        start = int(spec.min_value or 0)
        cells = np.arange(start, start + n_rows, dtype=np.int64).astype(object)
    elif spec.id_style == "uuid":
        cells = random_uuids(n_rows, rng).astype(object)
    else:
        counter = pd.Series(np.arange(1, n_rows + 1)).astype(str).str.zfill(spec.id_digits)
        cells = (spec.id_prefix + counter).to_numpy(dtype=object)
    mask = draw_missing(n_rows, spec.missing_rate, rng)
    return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)


def random_uuids(n_rows: int, rng: np.random.Generator) -> np.ndarray:
    """``n_rows`` random version-4 UUID strings, built without a Python loop."""
    digits = rng.integers(0, 16, size=(n_rows, 32))
    digits[:, 12] = 4  # version 4
    digits[:, 16] = 8 + digits[:, 16] % 4  # RFC 4122 variant
    chars = _HEX[digits]  # (N, 32)
    for position in _DASHES:
        chars = np.insert(chars, position, "-", axis=1)  # (N, 36) after all four
    return np.ascontiguousarray(chars).view("<U36").ravel()
