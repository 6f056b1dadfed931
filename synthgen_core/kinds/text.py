"""Free-text columns: real-looking values, never a copy of a rare one.

A column of comments, names or addresses holds values that identify people, so copying
them into synthetic rows would leak; regenerating them as ``note-1, note-2, ...`` (what ids
get) leaves a column nobody can use. A text column is not learned by the models (it is
drawn independently of the other columns) and each output cell is either

* a *common value*: one seen at least ``min_count`` (:data:`MIN_COUNT`) times, drawn in its
  training share, so a value shared by that many rows identifies nobody; or
* a *generated value*, for the share of rows whose value was rarer: a word count from the
  training histogram, then words from the words that appear in at least ``min_count``
  rows (following the word pairs seen that often, else by word frequency), the other word
  slots filled by pseudo-words spelled from the letters and word lengths of the rarer words.

A generated value equal to a training value seen fewer than ``min_count`` times is drawn
again: the model keeps 64-bit hashes of those values (never the values) to refuse them.
Users can switch a column to ``id`` (regenerated keys) or ``categorical`` (learned and
copied) with :meth:`Metadata.update_column`.
"""

from __future__ import annotations

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.errors import DataError
from synthgen_core.kinds.base import DiscreteColumn, UploadNote
from synthgen_core.kinds.families import GeneratedKind
from synthgen_core.kinds.text_model import MIN_COUNT, fit_text_model, generate_text
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.transform.missing import draw_missing, fill_missing, restore_dtype

ObjectArray = npt.NDArray[np.object_]

__all__ = ["MIN_COUNT", "TEXT", "TextKind"]


class TextKind(GeneratedKind):
    kind = ColumnKind.TEXT
    refusal = (
        "its values are generated apart from the other columns; drop this condition, or "
        "set its kind to 'categorical'"
    )
    upload_note: UploadNote | None = UploadNote(
        issue="high_cardinality",
        message=f"almost every value is distinct (free text); values seen at least {MIN_COUNT} "
        "times are kept, the others are generated from the column's words, never copied",
        unusable=False,
    )

    def learn(self, spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
        if spec.text is not None:
            return spec
        if ptypes.infer_dtype(present, skipna=True) not in ("string", "empty"):
            raise DataError(
                f"column {spec.name!r} holds values other than strings; kind 'text' is for "
                "free text: set its kind to 'numerical' or 'categorical' instead"
            )
        return msgspec.structs.replace(spec, text=fit_text_model(present.astype(str)))

    def decode(
        self,
        spec: ColumnSpec,
        values: np.ndarray | None,
        n_rows: int,
        rng: np.random.Generator,
        info: DiscreteColumn | None,
    ) -> pd.Series:
        if spec.text is None:
            raise DataError(f"column {spec.name!r} is text: fit the codec on a table first")
        cells = generate_text(spec.text, n_rows, rng).astype(object)
        mask = draw_missing(n_rows, spec.missing_rate, rng)
        return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)


TEXT = TextKind()
