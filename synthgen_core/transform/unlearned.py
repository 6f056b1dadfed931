"""Ids over a whole output: numbered by row position, however the output is drawn.

(Ids and constants are decoded by their kinds, :mod:`synthgen_core.kinds.id` and
:mod:`synthgen_core.kinds.constant`.)

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
import pandas as pd

from synthgen_core.kinds.id import id_cells
from synthgen_core.kinds.table import complete
from synthgen_core.metadata.kinds import ColumnKind
from synthgen_core.metadata.metadata import Metadata
from synthgen_core.metadata.missing import missing_mask
from synthgen_core.rng import child_seed
from synthgen_core.transform.missing import restore_dtype

#: Largest first-row position: ids of float columns (ids with gaps) stay exact below 2**53.
MAX_FIRST_ROW = 10**15


def complete_ids(metadata: Metadata, data: pd.DataFrame) -> Metadata:
    """``metadata`` with the style of every id column learned from ``data``.

    A model that keeps the user's metadata still needs each id's style at sampling time.
    """
    specs = [
        complete(spec, data[spec.name], missing_mask(data[spec.name]))
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
