"""Columns no model learns: ids are regenerated unique, constants written back.

Regenerating ids (never copying them) keeps synthetic rows from pointing at real records;
they keep the source's look: integers count up from its minimum, UUIDs stay UUID-shaped,
``C0042``-style keys keep their prefix and width.

An id is a function of its row's position in the whole output, not in the piece being
drawn, so an output drawn in pieces (a service job's chunks, a rejection sampler's batches)
has the ids one draw of all its rows would have: row ``p`` of an output gets integer id
``minimum + p`` and pattern id ``prefix + (p + 1)``. UUIDs are random, from a stream that
mixes the sample's seed with the position of its first row.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from synthgen_core.metadata import learn
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.metadata import Metadata
from synthgen_core.metadata.missing import missing_mask
from synthgen_core.rng import child_seed
from synthgen_core.transform.missing import draw_missing, fill_missing, restore_dtype

ObjectArray = npt.NDArray[np.object_]
#: Largest first-row position: ids of float columns (ids with gaps) stay exact below 2**53.
MAX_FIRST_ROW = 10**15

_HEX = np.array(list("0123456789abcdef"), dtype="<U1")
_DASHES = (8, 13, 18, 23)


def decode_constant(spec: ColumnSpec, n_rows: int, rng: np.random.Generator) -> pd.Series:
    cells = np.full(n_rows, spec.constant_value, dtype=object)
    rate = 1.0 if spec.constant_value is None else spec.missing_rate
    mask = draw_missing(n_rows, rate, rng)
    return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)


def decode_id(spec: ColumnSpec, n_rows: int, rng: np.random.Generator) -> pd.Series:
    """The ids of an output's first ``n_rows`` rows."""
    cells = id_cells(spec, 0, n_rows, rng)
    mask = draw_missing(n_rows, spec.missing_rate, rng)
    return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)


def complete_ids(metadata: Metadata, data: pd.DataFrame) -> Metadata:
    """``metadata`` with the style of every id column learned from ``data``.

    A model that keeps the user's metadata still needs each id's style at sampling time.
    """
    specs = [
        learn.complete(spec, data[spec.name], missing_mask(data[spec.name]))
        if spec.kind == ColumnKind.ID and spec.id_style is None
        else spec
        for spec in metadata.columns
    ]
    return metadata if specs == metadata.columns else Metadata(columns=specs)


def number_ids(
    frame: pd.DataFrame, metadata: Metadata, first_row: int, rng: np.random.Generator
) -> pd.DataFrame:
    """``frame`` with every id column renumbered for rows starting at ``first_row``.

    Cells the model wrote as missing stay missing, as the source wrote them. An id column
    whose style was never learned keeps the ids the model drew.
    """
    specs = [s for s in metadata.columns if s.kind == ColumnKind.ID and s.id_style is not None]
    if not specs:
        return frame
    frame = frame.copy()
    # One stream per first row: two pieces drawn with one seed still get distinct UUIDs.
    stream = np.random.default_rng([child_seed(rng), first_row])
    for spec in specs:
        column = frame[spec.name]
        mask = missing_mask(column)
        cells = id_cells(spec, first_row, len(frame), stream)
        cells[mask] = column.to_numpy(dtype=object)[mask]
        frame[spec.name] = restore_dtype(cells, spec.dtype).set_axis(frame.index)
    return frame


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
