"""Id columns: never learned, regenerated unique in every output so no row points at a record.

Learned: how the keys look. Integers count up from the source's minimum, UUIDs stay
UUID-shaped, ``C0042``-style keys keep their prefix and width, and other unique strings (free
text included) become ``<name>-<counter>``. Conditions on ids are refused: an id is unique per
row, so no value can be asked of every row.
"""

from __future__ import annotations

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.kinds.base import DiscreteColumn, UploadNote
from synthgen_core.kinds.families import GeneratedKind
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.learn import as_float, fill_empty, key_pattern
from synthgen_core.transform.missing import draw_missing, fill_missing, restore_dtype

ObjectArray = npt.NDArray[np.object_]
_HEX = np.array(list("0123456789abcdef"), dtype="<U1")
_DASHES = (8, 13, 18, 23)


class IdKind(GeneratedKind):
    kind = ColumnKind.ID
    refusal = "ids are regenerated unique for every row; drop this condition"
    upload_note: UploadNote | None = UploadNote(
        issue="high_cardinality",
        message="almost every value is distinct (an id or free text); it is regenerated, "
        "not learned",
        unusable=False,
    )

    def learn(self, spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
        if spec.id_style is not None and spec.id_style != "integer":
            return spec  # a user-chosen style, prefix and width
        inferred = ptypes.infer_dtype(present, skipna=True)
        if inferred in ("integer", "floating", "mixed-integer-float"):
            values = as_float(spec.name, present)
            start = float(values.min()) if values.size else 0.0
            return fill_empty(spec, id_style="integer", min_value=start, integer=True)
        style, prefix, digits = key_pattern(present) or ("pattern", f"{spec.name}-", 0)
        return msgspec.structs.replace(spec, id_style=style, id_prefix=prefix, id_digits=digits)

    def decode(
        self,
        spec: ColumnSpec,
        values: np.ndarray | None,
        n_rows: int,
        rng: np.random.Generator,
        info: DiscreteColumn | None,
    ) -> pd.Series:
        """The ids of an output's first ``n_rows`` rows."""
        cells = id_cells(spec, 0, n_rows, rng)
        mask = draw_missing(n_rows, spec.missing_rate, rng)
        return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)


def id_cells(
    spec: ColumnSpec, first_row: int, n_rows: int, rng: np.random.Generator
) -> ObjectArray:
    """The ids of rows ``first_row`` to ``first_row + n_rows - 1`` (object array, (N,))."""
    if spec.id_style == "uuid":
        return random_uuids(n_rows, rng).astype(object)
    positions = np.arange(first_row, first_row + n_rows, dtype=np.int64)
    if spec.id_style == "integer":
        return (positions + int(spec.min_value or 0)).astype(object)
    counter = pd.Series(positions + 1).astype(str).str.zfill(spec.id_digits)
    return (spec.id_prefix + counter).to_numpy(dtype=object)


def random_uuids(n_rows: int, rng: np.random.Generator) -> np.ndarray:
    """``n_rows`` random version-4 UUID strings, built without a Python loop."""
    digits = rng.integers(0, 16, size=(n_rows, 32))
    digits[:, 12] = 4  # version 4
    digits[:, 16] = 8 + digits[:, 16] % 4  # RFC 4122 variant
    chars = _HEX[digits]  # (N, 32)
    for position in _DASHES:
        chars = np.insert(chars, position, "-", axis=1)  # (N, 36) after all four
    return np.ascontiguousarray(chars).view("<U36").ravel()


ID = IdKind()
