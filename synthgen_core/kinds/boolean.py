"""Boolean columns: categorical with at most two values (``True``/``False``, or two labels).

Learned and encoded as categories; a third distinct value is refused with the fix, since
the column is then not boolean. Conditions match as for categories (``"true"`` finds
``True``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from synthgen_core.errors import DataError
from synthgen_core.kinds.categorical import CATEGORICAL, match_category
from synthgen_core.kinds.families import DiscreteKind
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec


class BooleanKind(DiscreteKind):
    kind = ColumnKind.BOOLEAN

    def learn(self, spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
        spec = CATEGORICAL.learn(spec, present)
        if spec.categories is not None and len(spec.categories) > 2:
            raise DataError(
                f"column {spec.name!r} has {len(spec.categories)} distinct values, too "
                "many for kind 'boolean'; set its kind to 'categorical'"
            )
        return spec

    def normalise(self, spec: ColumnSpec, value: Any) -> Any:
        return match_category(spec, spec.categories or [], value)


BOOLEAN = BooleanKind()
